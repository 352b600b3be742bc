/**
 * `npm run bench web`: each page of the web application, from navigation to every chart drawn and
 * no panel loading, in headless Chromium on the demo warehouse (full unless `HDW_BENCH_DEMO_SIZE`
 * says otherwise), for a manager and a member. Prints the first load and the median and p95 of
 * repeated loads per page (target: p95 ≤ 1.5 s), and writes a screenshot of every page per role to
 * `target/bench/screenshots/` for review. `HDW_BENCH_PAGES=drg,cost` times only the pages named
 * (default: every page); `HDW_BENCH_PAGE_LOADS` sets the repeated loads per page (default 15).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { projectPaths } from '../../core/paths.ts';
import { launchBrowser, signIn, waitForPage } from '../support/browser.ts';
import { startWebAppOn, type WebRole } from '../support/web-app.ts';
import { benchDemo } from './demo-warehouse.ts';
import type { BenchContext } from './run.ts';

const allPages = ['cockpit', 'drg', 'cost', 'fund', 'benchmark', 'quality'] as const;
const wantedPages = (process.env.HDW_BENCH_PAGES ?? '')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const unknownPages = wantedPages.filter((p) => !(allPages as readonly string[]).includes(p));
if (unknownPages.length > 0)
  throw new Error(`HDW_BENCH_PAGES: no page ${unknownPages.join(', ')} (pages: ${allPages.join(', ')})`);
const pages = wantedPages.length === 0 ? allPages : allPages.filter((p) => wantedPages.includes(p));
const roles: readonly WebRole[] = ['manager', 'memberA'];
const loads = Number(process.env.HDW_BENCH_PAGE_LOADS ?? 15);
const targetP95Ms = 1500;

export default async function bench(ctx: BenchContext): Promise<void> {
  const demo = await benchDemo(ctx);
  const app = await startWebAppOn(demo.url);
  const browser = await launchBrowser();
  const shots = path.join(projectPaths.target, 'bench', 'screenshots');
  await mkdir(shots, { recursive: true });
  let worst = 0;
  try {
    for (const role of roles) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, app.base, app.users[role].username, app.users[role].password);
      for (const name of pages) {
        if (role !== 'manager' && name === 'quality') continue; // not a member's page
        const times: number[] = [];
        for (let i = 0; i <= loads; i += 1) {
          const started = performance.now();
          await page.goto(`${app.base}/${name}`);
          await waitForPage(page);
          times.push(performance.now() - started);
          if (i === 0)
            await page.screenshot({ path: path.join(shots, `${name}-${role}.png`), fullPage: true });
        }
        const [first, ...rest] = times;
        rest.sort((a, b) => a - b);
        const p95 = rest[Math.min(rest.length - 1, Math.ceil(rest.length * 0.95) - 1)]!;
        worst = Math.max(worst, p95);
        ctx.report(`${name}.${role}.first_ms`, Math.round(first!));
        ctx.report(`${name}.${role}.median_ms`, Math.round(rest[Math.floor(rest.length / 2)]!));
        ctx.report(`${name}.${role}.p95_ms`, Math.round(p95));
      }
      await context.close();
    }
    ctx.report('size', demo.size);
    ctx.report('worst_p95_ms', Math.round(worst));
    ctx.report('p95_target_met', worst <= targetP95Ms ? 'yes' : `no (target ${targetP95Ms} ms)`);
    ctx.report('screenshots', shots);
  } finally {
    await browser.close();
    await app.close();
  }
}
