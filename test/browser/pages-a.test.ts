import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';
import {
  hospitalsInDetail,
  launchBrowser,
  recordCubeAnswers,
  showAllRows,
  signIn,
  waitForPage,
} from '../support/browser.ts';
import { drgTruth } from '../support/drg-truth.ts';
import { fundTruth } from '../support/fund-truth.ts';
import { startWebApp } from '../support/web-app.ts';

// The 院长驾驶舱, DRG/DIP and 成本 pages in Chromium, once per role, over the small demo's first
// quarter of 2025: every figure checked is the one the same Cube query gives that user's token;
// a few against the demo's generated files or the warehouse directly; members never receive
// another hospital's detail, not after a drill-down and not in a download.

type App = Awaited<ReturnType<typeof startWebApp>>;
type RoleName = 'manager' | 'analyst' | 'steward' | 'memberA' | 'memberB';
type Row = Record<string, unknown>;
type Filter = { member: string; operator: string; values: string[] };

const sharedViews = [
  'alliance_charge_benchmark',
  'alliance_drg_benchmark',
  'alliance_unit_cost_benchmark',
  'alliance_fund_benchmark',
];
const period = '?from=2025-01&to=2025-03';
const range = ['2025-01-01', '2025-03-31'];
const rangeBefore = ['2024-01-01', '2024-03-31'];
const year = 2025;

let app: App;
let browser: Browser;
const timings: string[] = [];

/** Which hospital each role looks at: members their own; staff the alliance, or one picked. */
function scopeOf(role: RoleName): string | null {
  const user = app.users[role];
  if (user.hospital_code) return user.hospital_code;
  if (role === 'analyst') return app.users.memberA.hospital_code!;
  if (role === 'steward') return app.users.memberB.hospital_code!;
  return null;
}
const hospitalFilter = (view: string, h: string | null): Filter[] =>
  h ? [{ member: `${view}.hospital_code`, operator: 'equals', values: [h] }] : [];

function same(actual: unknown, expected: unknown, what: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? '', what).toBe('');
    return;
  }
  const e = Number(expected);
  const a = Number(actual);
  expect(Number.isFinite(a), `${what}: page shows ${String(actual)}`).toBe(true);
  expect(Math.abs(a - e), `${what}: page ${String(actual)}, Cube ${String(expected)}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(e)),
  );
}

const attr = (page: Page, testId: string, name: string) => page.getByTestId(testId).getAttribute(name);

/** The rows of a DataTable as member → raw value (the cells' data-member / data-value). */
async function tableRows(page: Page, title: string): Promise<Record<string, string>[]> {
  await showAllRows(page, title);
  return page.evaluate(`(() => {
    const table = document.querySelector('[data-testid="table-${title}"]');
    if (!table) return null;
    return [...table.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('[data-member]')].map((s) => [s.getAttribute('data-member'), s.getAttribute('data-value')])),
    );
  })()`) as Promise<Record<string, string>[]>;
}

async function open(page: Page, route: string, role: RoleName, label: string): Promise<void> {
  const h = scopeOf(role);
  const started = Date.now();
  await page.goto(`${app.base}${route}${period}${h && !app.users[role].hospital_code ? `&h=${h}` : ''}`);
  await waitForPage(page);
  timings.push(`${role} ${label} ${Date.now() - started} ms`);
  // For a look by eye: PAGES_A_SHOTS=<folder> writes each page as loaded.
  if (process.env.PAGES_A_SHOTS)
    await page.screenshot({
      path: path.join(process.env.PAGES_A_SHOTS, `${role}-${label}.png`),
      fullPage: true,
    });
}

/** Clicks the table's first row and waits for the page to settle again. */
async function clickFirstRow(page: Page, title: string): Promise<void> {
  await page.locator(`[data-testid="table-${title}"] tbody tr`).first().click();
  await waitForPage(page);
}

/** The workbook's cell texts, every sheet. */
async function workbookText(buffer: ArrayBuffer | Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((sheet) =>
    sheet.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.text ?? '')))),
  );
  return cells;
}

/** The member hospitals (seed): code, name. */
const hospitals = () =>
  readFileSync(path.join(projectPaths.seeds, 'reference', 'hospitals.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',') as [string, string]);

/** Other hospitals' codes and names, for leak checks on downloads. */
function others(role: RoleName): string[] {
  const own = app.users[role].hospital_code;
  return hospitals()
    .filter(([code]) => code !== own)
    .flatMap(([code, name]) => [code, name]);
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (timings.length) process.stdout.write(`pages-a timings:\n  ${timings.join('\n  ')}\n`);
});

// Staff roles see the same pages through the same views: the manager stands for analysts (who are
// checked on the fund, benchmark and quality pages in pages-b) within the suite's time budget.
const roles: RoleName[] = ['manager', 'steward', 'memberA', 'memberB'];

describe.sequential('pages-a: 院长驾驶舱, DRG/DIP and 成本 in a browser', () => {
  for (const role of roles)
    it(`${role}: figures equal Cube's for the same query; own hospital only for members`, async () => {
      const user = app.users[role];
      const isMember = user.role === 'member';
      const h = scopeOf(role);
      const token = await app.tokenFor(user);
      const load = (query: unknown) => app.cubeLoad(token, query) as Promise<Row[]>;
      const context: BrowserContext = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const answers = recordCubeAnswers(page);
      try {
        await signIn(page, app.base, user.username, user.password);

        if (role === 'manager') {
          // A page starts with the months the tab kept; kept from another publish, they are asked
          // again once the freshness shows the current one, and the default period follows them.
          const months = (
            await load({
              measures: ['fund_efficiency.discharges'],
              timeDimensions: [{ dimension: 'fund_efficiency.month', granularity: 'month' }],
              order: { 'fund_efficiency.month': 'asc' },
            })
          ).map((r) => String(r['fund_efficiency.month.month']).slice(0, 7));
          await page.evaluate(
            `sessionStorage.setItem('hdw.choices', JSON.stringify({ user: ${JSON.stringify(user.username)}, runId: 'an earlier publish', months: ['2019-01', '2019-02'], hospitals: [] }))`,
          );
          await page.goto(`${app.base}/cockpit`);
          await waitForPage(page);
          await expect
            .poll(() => new URL(page.url()).searchParams.get('to'), { timeout: 30_000 })
            .toBe(months.at(-1));
          expect(new URL(page.url()).searchParams.get('from')).toBe(months[Math.max(0, months.length - 12)]);
        }

        // ---------------------------------------------------------------- 院长驾驶舱
        await open(page, '/cockpit', role, 'cockpit');
        const fundMeasures = [
          'avg_inpatient_charge',
          'avg_outpatient_charge',
          'drug_share',
          'material_share',
          'avg_length_of_stay_days',
          'fund_balance_rate',
        ].map((m) => `fund_efficiency.${m}`);
        const fundQuery = (dateRange: string[], hospital: string | null) => ({
          measures: fundMeasures,
          timeDimensions: [{ dimension: 'fund_efficiency.month', dateRange }],
          filters: hospitalFilter('fund_efficiency', hospital),
        });
        const drgQuery = (hospital: string | null) => ({
          measures: ['drg_performance.cmi', 'drg_performance.low_risk_mortality'],
          timeDimensions: [{ dimension: 'drg_performance.month', dateRange: range }],
          filters: hospitalFilter('drg_performance', hospital),
        });
        const [[fund], [fundBefore], [drg]] = await Promise.all([
          load(fundQuery(range, h)),
          load(fundQuery(rangeBefore, h)),
          load(drgQuery(h)),
        ]);
        const growth = (m: string, now = fund, before = fundBefore) =>
          Number(now![m]) / Number(before![m]) - 1;
        const expected: Record<string, unknown> = {
          cmi: drg!['drg_performance.cmi'],
          low_risk_mortality: drg!['drg_performance.low_risk_mortality'],
          avg_inpatient_charge_growth: growth('fund_efficiency.avg_inpatient_charge'),
          avg_outpatient_charge_growth: growth('fund_efficiency.avg_outpatient_charge'),
        };
        for (const m of fundMeasures) expected[m.split('.')[1]!] = fund![m];
        for (const [id, value] of Object.entries(expected))
          same(await attr(page, `kpi-${id}`, 'data-value'), value, `${role} cockpit ${id}`);

        // Targets: the seed's row for the hospital, else the alliance default (read from the CSV).
        const seed = readFileSync(path.join(projectPaths.seeds, 'management', 'kpi_targets.csv'), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(','));
        const targetOf = (id: string) =>
          (seed.find(([i, hc, y]) => i === id && hc === (h ?? '*') && Number(y) === year) ??
            seed.find(([i, hc, y]) => i === id && hc === '*' && Number(y) === year))?.[3];
        for (const id of Object.keys(expected))
          same(await attr(page, `kpi-${id}`, 'data-target'), targetOf(id), `${role} target ${id}`);

        // The region: staff read the same views over every hospital; members the shared aggregates.
        if (isMember) {
          const [shared] = await load({
            measures: ['alliance_drg_benchmark.cmi'],
            timeDimensions: [{ dimension: 'alliance_drg_benchmark.month', dateRange: range }],
          });
          same(
            await attr(page, 'kpi-cmi', 'data-region'),
            shared!['alliance_drg_benchmark.cmi'],
            `${role} region cmi`,
          );
          // 次均费用, 平均住院日, 基金结余率 and the growths from the shared fund benchmark.
          const fb = 'alliance_fund_benchmark';
          const fundRegionIds = [
            'avg_inpatient_charge',
            'avg_outpatient_charge',
            'avg_length_of_stay_days',
            'fund_balance_rate',
          ];
          const fundShared = (dateRange: string[]) =>
            load({
              measures: fundRegionIds.map((m) => `${fb}.${m}`),
              timeDimensions: [{ dimension: `${fb}.month`, dateRange }],
            });
          const [[fundNow], [fundThen]] = await Promise.all([fundShared(range), fundShared(rangeBefore)]);
          for (const m of fundRegionIds) {
            expect(fundNow![`${fb}.${m}`], `${role} shared ${m}`).not.toBeNull();
            same(await attr(page, `kpi-${m}`, 'data-region'), fundNow![`${fb}.${m}`], `${role} region ${m}`);
          }
          for (const m of ['avg_inpatient_charge', 'avg_outpatient_charge'])
            same(
              await attr(page, `kpi-${m}_growth`, 'data-region'),
              growth(`${fb}.${m}`, fundNow, fundThen),
              `${role} region ${m}_growth`,
            );
        } else {
          const [[all], [allDrg]] = await Promise.all([load(fundQuery(range, null)), load(drgQuery(null))]);
          same(
            await attr(page, 'kpi-drug_share', 'data-region'),
            all!['fund_efficiency.drug_share'],
            `${role} region drug_share`,
          );
          same(
            await attr(page, 'kpi-cmi', 'data-region'),
            allDrg!['drg_performance.cmi'],
            `${role} region cmi`,
          );
        }

        // Independent of the warehouse: 住院次均费用 and CMI from the generated files.
        if (h && (role === 'memberA' || role === 'analyst')) {
          const months = fundTruth(app.db.generatedDir, projectPaths.seeds).hospitalMonths.filter(
            (t) => t.hospital === h && t.month >= '2025-01' && t.month <= '2025-03',
          );
          const cents = months.reduce((a, t) => a + t.dischargedTotalCents, 0);
          const stays = months.reduce((a, t) => a + t.discharges, 0);
          expect(Number(await attr(page, 'kpi-avg_inpatient_charge', 'data-value'))).toBeCloseTo(
            cents / stays / 100,
            6,
          );
          const truth = drgTruth(app.db.generatedDir, projectPaths.seeds).totals.find(
            (t) => t.hospital === h && t.year === year,
          )!;
          expect(Number(await attr(page, 'kpi-cmi', 'data-value'))).toBeCloseTo(
            truth.totalWeight / truth.grouped,
            6,
          );
        }

        // Open alerts, and the place among peers (per role's view).
        const [alerts] = await load({
          measures: ['fund_alerts.open_alert_count'],
          filters: hospitalFilter('fund_alerts', h),
        });
        same(
          await attr(page, 'kpi-open_alerts', 'data-value'),
          alerts!['fund_alerts.open_alert_count'] ?? 0,
          `${role} open alerts`,
        );
        const rankView = isMember ? 'member_vs_peers' : 'regional_benchmark';
        const ranks = await load({
          dimensions: [`${rankView}.hospital_code`, `${rankView}.measure`],
          measures: [`${rankView}.best_quartile_count`],
          filters: [
            { member: `${rankView}.year`, operator: 'equals', values: [String(year)] },
            ...hospitalFilter(rankView, h),
          ],
        });
        const shownRanks = (await tableRows(page, '同级医院对标位置')).map((r) =>
          Number(r[`${rankView}.best_quartile_count`]),
        );
        expect(shownRanks.sort(), `${role} best-quartile counts`).toEqual(
          ranks.map((r) => Number(r[`${rankView}.best_quartile_count`])).sort(),
        );
        expect(shownRanks.length, `${role} peer rows`).toBeGreaterThan(0);

        if (role === 'memberA') {
          // A department head's phone: nothing wider than the screen (tables scroll inside their panel).
          await page.setViewportSize({ width: 390, height: 844 });
          await page.waitForTimeout(300);
          const width = await page.evaluate('document.documentElement.scrollWidth');
          if (process.env.PAGES_A_SHOTS)
            await page.screenshot({
              path: path.join(process.env.PAGES_A_SHOTS, 'memberA-cockpit-phone.png'),
              fullPage: true,
            });
          expect(width, 'cockpit on a 390-px phone').toBeLessThanOrEqual(390);
          await page.setViewportSize({ width: 1280, height: 800 });
        }

        // ---------------------------------------------------------------- DRG/DIP
        await open(page, '/drg', role, 'drg');
        const perf = 'drg_performance';
        const groups = await load({
          dimensions: [`${perf}.drg_code`],
          measures: [`${perf}.case_count`, `${perf}.cmi`, `${perf}.margin_payer_view`],
          timeDimensions: [{ dimension: `${perf}.month`, dateRange: range }],
          filters: hospitalFilter(perf, h),
        });
        const byGroup = new Map(groups.map((g) => [String(g[`${perf}.drg_code`] ?? ''), g]));
        const shownGroups = await tableRows(page, '病组绩效');
        expect(shownGroups.length, `${role} groups`).toBe(groups.length);
        for (const r of shownGroups) {
          const g = byGroup.get(r[`${perf}.drg_code`] ?? '');
          expect(g, `${role} group ${r[`${perf}.drg_code`]}`).toBeDefined();
          for (const m of ['case_count', 'cmi', 'margin_payer_view'])
            same(r[`${perf}.${m}`], g![`${perf}.${m}`], `${role} group ${r[`${perf}.drg_code`]} ${m}`);
        }
        // A header's click sorts every row (not only the 50 drawn): CMI, which the query does not
        // order by (it orders by cases), ascending with empty cells first, then descending.
        const cmiHeader = page.getByTestId('table-病组绩效').locator(`th[data-member="${perf}.cmi"]`);
        const cmiOf = (v: unknown) => (v === '' || v === null || v === undefined ? null : Number(v));
        const ascendingCmi = groups
          .map((g) => cmiOf(g[`${perf}.cmi`]))
          .sort((a, b) => (a === null ? (b === null ? 0 : -1) : b === null ? 1 : a - b));
        const shownCmi = async () => (await tableRows(page, '病组绩效')).map((r) => cmiOf(r[`${perf}.cmi`]));
        await cmiHeader.locator('button').click();
        expect(await cmiHeader.getAttribute('aria-sort')).toBe('ascending');
        expect(await shownCmi(), `${role} groups by CMI, ascending`).toEqual(ascendingCmi);
        await cmiHeader.locator('button').click();
        expect(await cmiHeader.getAttribute('aria-sort')).toBe('descending');
        expect(await shownCmi(), `${role} groups by CMI, descending`).toEqual([...ascendingCmi].reverse());
        if (role === 'memberA') {
          const truth = drgTruth(app.db.generatedDir, projectPaths.seeds).totals.find(
            (t) => t.hospital === h && t.year === year,
          )!;
          expect(
            shownGroups.reduce((a, r) => a + Number(r[`${perf}.case_count`]), 0),
            'cases from the files',
          ).toBe(truth.cases);
        }
        // DIP 病种 (cases paid by 分值), the same query as the page's.
        const dip = 'dip_performance';
        const dipGroups = await load({
          dimensions: [`${dip}.dip_code`],
          measures: [`${dip}.dip_case_count`, `${dip}.dip_score`, `${dip}.dip_estimated_payment`],
          timeDimensions: [{ dimension: `${dip}.discharge_month`, dateRange: range }],
          filters: [
            { member: `${dip}.payment_method`, operator: 'equals', values: ['DIP'] },
            ...hospitalFilter(dip, h),
          ],
          order: { [`${dip}.dip_estimated_payment`]: 'desc' },
          limit: 200,
        });
        // The alliance pays some hospitals by DIP: the panel is checked on rows, not only on its empty state.
        if (h === null) expect(dipGroups.length, 'DIP 病种 of the alliance').toBeGreaterThan(0);
        if (dipGroups.length === 0) {
          await page.getByText('没有按 DIP 分值付费的病例').first().waitFor({ timeout: 10_000 });
        } else {
          const shownDip = await tableRows(page, 'DIP 病种分值（按预估支付，前 200 个病种）');
          expect(shownDip.length, `${role} DIP 病种`).toBe(dipGroups.length);
          const byDip = new Map(dipGroups.map((g) => [String(g[`${dip}.dip_code`]), g]));
          for (const r of shownDip)
            for (const m of ['dip_case_count', 'dip_score', 'dip_estimated_payment'])
              same(
                r[`${dip}.${m}`],
                byDip.get(r[`${dip}.dip_code`] ?? '')?.[`${dip}.${m}`],
                `${role} DIP ${r[`${dip}.dip_code`]} ${m}`,
              );
        }
        // Drill-down 科室 → 病组 → 病例, the period kept.
        const firstDept = (await tableRows(page, '科室绩效'))[0]!;
        await clickFirstRow(page, '科室绩效');
        expect(page.url()).toContain('from=2025-01');
        const deptGroups = await load({
          dimensions: [`${perf}.drg_code`],
          measures: [`${perf}.case_count`],
          timeDimensions: [{ dimension: `${perf}.month`, dateRange: range }],
          filters: [
            ...hospitalFilter(
              perf,
              h ?? hospitals().find(([, name]) => name === firstDept[`${perf}.hospital_name`])![0],
            ),
            { member: `${perf}.dept_code`, operator: 'equals', values: [firstDept[`${perf}.dept_code`]!] },
          ],
        });
        const shownDeptGroups = await tableRows(page, '科室病组绩效');
        expect(shownDeptGroups.map((r) => Number(r[`${perf}.case_count`])).sort()).toEqual(
          deptGroups.map((r) => Number(r[`${perf}.case_count`])).sort(),
        );
        expect(page.url(), 'the step is in the address').toContain(
          `dept=${encodeURIComponent(firstDept[`${perf}.dept_code`]!)}`,
        );
        await clickFirstRow(page, '科室病组绩效');
        expect(await page.getByTestId('drill-trail').textContent()).toContain('全部科室');
        expect(page.url()).toContain(`g=${encodeURIComponent(shownDeptGroups[0]![`${perf}.drg_code`]!)}`);
        // Back climbs one step up; forward and a reload come back to the group's cases.
        await page.goBack();
        await page.getByTestId('table-科室病组绩效').waitFor({ timeout: 30_000 });
        await page.goForward();
        await page.reload();
        await waitForPage(page);
        expect(await page.getByTestId('drill-trail').textContent()).toContain(
          shownDeptGroups[0]![`${perf}.drg_code`]!,
        );
        if (user.role === 'manager') {
          // Managers see aggregates only: the group's cases summed by 倍率类型 and 死亡风险分级,
          // adding up to the group's cases in the department.
          const summary = await tableRows(page, '病组病例汇总');
          expect(summary.length, `${role} case summary`).toBeGreaterThan(0);
          for (const c of summary)
            expect(c['drg_case_detail.drg_code']).toBe(shownDeptGroups[0]![`${perf}.drg_code`]);
          expect(summary.reduce((a, c) => a + Number(c['drg_case_detail.case_count']), 0)).toBe(
            Number(shownDeptGroups[0]![`${perf}.case_count`]),
          );
          expect(await page.locator('[data-testid="table-高低倍率病例汇总"]').count()).toBe(1);
        } else {
          const shownCases = await tableRows(page, '病组病例明细');
          expect(shownCases.length, `${role} cases of the group`).toBeGreaterThan(0);
          for (const c of shownCases)
            expect(c['drg_case_detail.drg_code']).toBe(shownDeptGroups[0]![`${perf}.drg_code`]);
          if (isMember) {
            // The drill-down's case list as the member downloads it: its own hospital only.
            const download = page.waitForEvent('download');
            await page.locator('[data-testid="table-病组病例明细"] [data-testid="export"]').click();
            const file = await download;
            const text = (await workbookText(readFileSync((await file.path())!))).join('\n');
            for (const other of others(role)) expect(text, `${role} export`).not.toContain(other);
          }
        }

        // ---------------------------------------------------------------- 成本
        await open(page, '/cost', role, 'cost');
        const dc = 'department_cost_analysis';
        const uc = 'unit_cost_analysis';
        const [[cost], [unit]] = await Promise.all([
          load({
            measures: [`${dc}.full_cost`, `${dc}.indirect_cost_ratio`],
            segments: [`${dc}.clinical`],
            timeDimensions: [{ dimension: `${dc}.cost_month`, dateRange: range }],
            filters: hospitalFilter(dc, h),
          }),
          load({
            measures: [`${uc}.cost_per_visit`, `${uc}.cost_per_bed_day`],
            timeDimensions: [{ dimension: `${uc}.cost_month`, dateRange: range }],
            filters: hospitalFilter(uc, h),
          }),
        ]);
        same(await attr(page, 'kpi-full_cost', 'data-value'), cost![`${dc}.full_cost`], `${role} full cost`);
        same(
          await attr(page, 'kpi-indirect_cost_ratio', 'data-value'),
          cost![`${dc}.indirect_cost_ratio`],
          `${role} indirect`,
        );
        same(
          await attr(page, 'kpi-cost_per_visit', 'data-value'),
          unit![`${uc}.cost_per_visit`],
          `${role} per visit`,
        );
        same(
          await attr(page, 'kpi-cost_per_bed_day', 'data-value'),
          unit![`${uc}.cost_per_bed_day`],
          `${role} per bed-day`,
        );
        if (role === 'analyst') {
          // By hand from the mart: the clinical departments' full cost of the quarter.
          const client = new pg.Client(app.db.url);
          await client.connect();
          const { rows } = await client
            .query(
              `select sum(full_cost)::text as v from marts.fct_department_full_costs
                where cost_unit_class = '临床服务类' and hospital_code = $1 and cost_month >= '2025-01-01' and cost_month < '2025-04-01'`,
              [h],
            )
            .finally(() => client.end());
          same(await attr(page, 'kpi-full_cost', 'data-value'), rows[0].v, 'full cost from the mart');
        }
        // Drill to a department's cost items: they add up to its full cost.
        const firstCostDept = (await tableRows(page, '临床服务类科室全成本'))[0]!;
        await clickFirstRow(page, '临床服务类科室全成本');
        const itemTotal = (await tableRows(page, '科室全成本构成')).reduce(
          (a, r) => a + Number(r[`${dc}.full_cost`]),
          0,
        );
        expect(itemTotal).toBeCloseTo(Number(firstCostDept[`${dc}.full_cost`]), 2);
        // The drill step is in the address: reloading it opens the same department's items.
        expect(new URL(page.url()).searchParams.get('cd'), 'the cost drill in the address').toBeTruthy();
        await page.reload();
        await waitForPage(page);
        const reloadedTotal = (await tableRows(page, '科室全成本构成')).reduce(
          (a, r) => a + Number(r[`${dc}.full_cost`]),
          0,
        );
        expect(reloadedTotal).toBeCloseTo(itemTotal, 2);
        if (isMember) {
          // The standard report workbook of the year, downloaded through the page: own hospital only.
          const download = page.waitForEvent('download');
          await page.getByTestId('cost-report').click();
          const file = await download;
          const text = (await workbookText(readFileSync((await file.path())!))).join('\n');
          expect(text.length).toBeGreaterThan(0);
          for (const other of others(role)) expect(text, `${role} cost report`).not.toContain(other);
          // Nothing another member's: every Cube answer the pages received (drill-downs included).
          expect([...hospitalsInDetail(answers, sharedViews)], `${role} detail`).toEqual([
            user.hospital_code,
          ]);
        }
        expect(errors, `${role} page errors`).toEqual([]);
      } finally {
        await context.close();
      }
    });
});
