import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium fonts-noto-cjk`, done by `.ci/run`), or the one named
 * by `HDW_CHROMIUM`. Browser tests are part of `npm test`: without a Chromium they fail with this
 * message rather than pass unseen.
 */
export function chromiumPath(): string {
  const candidates = [process.env.HDW_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      "No Chromium for the browser tests: install Debian's (apt-get install chromium fonts-noto-cjk) or set HDW_CHROMIUM",
    );
  }
  return found;
}

/** Headless Chromium; without its sandbox when running as root (CI containers), which Chromium requires. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** Signs in through the sign-in page, as a user would, and waits for the first page. */
export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  // Element Plus puts a field's attributes (data-testid) on its <input> itself, not on the wrapper.
  await page.locator('input[data-testid="username"], [data-testid="username"] input').fill(username);
  await page.locator('input[data-testid="password"], [data-testid="password"] input').fill(password);
  await page.getByTestId('sign-in').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 20_000 });
}

/**
 * Waits until the page has settled: no panel loading, and every chart drawn (`data-rendered`).
 * This is also the end point of the page-load bench.
 */
export async function waitForPage(page: Page, timeout = 60_000): Promise<void> {
  // Runs in the page (a string, as this file is compiled without the DOM's types).
  await page.waitForFunction(
    `(() => {
      const charts = [...document.querySelectorAll('[data-rendered]')];
      const loading = document.querySelector('[data-testid="loading"], [aria-busy="true"]');
      return document.querySelector('[data-testid="freshness"]') !== null && !loading &&
        charts.every((c) => c.getAttribute('data-rendered') === 'true');
    })()`,
    undefined,
    { timeout, polling: 100 },
  );
}

/**
 * Draws every row of a table (by its title): a table draws its first rows only until 显示全部 is
 * clicked, as a user would to see the rest.
 */
export async function showAllRows(page: Page, title: string | RegExp): Promise<void> {
  const table = typeof title === 'string' ? page.getByTestId(`table-${title}`) : page.getByTestId(title);
  const button = table.locator('[data-testid="show-all"]');
  if ((await button.count()) === 0) return;
  await button.click();
  await button.waitFor({ state: 'detached' });
}

/** Every Cube answer the page received: view rows by member name, for leak checks. */
export interface CubeAnswer {
  readonly url: string;
  readonly rows: Record<string, unknown>[];
}

/** Records every `/cubejs-api/v1/load` answer the page gets from now on. */
export function recordCubeAnswers(page: Page): CubeAnswer[] {
  const answers: CubeAnswer[] = [];
  page.on('response', (response: Response) => {
    if (!response.url().includes('/cubejs-api/v1/load') || response.status() !== 200) return;
    void response
      .json()
      .then(
        (body: { data?: Record<string, unknown>[]; results?: { data?: Record<string, unknown>[] }[] }) => {
          const rows = body.data ?? body.results?.flatMap((r) => r.data ?? []) ?? [];
          answers.push({ url: response.url(), rows });
        },
      )
      .catch(() => undefined);
  });
  return answers;
}

/**
 * The hospital codes in answers from views other than `sharedViews` (whose rows the sharing policy
 * lets every member see): for a member, this must be its own code only.
 */
export function hospitalsInDetail(answers: CubeAnswer[], sharedViews: readonly string[]): Set<string> {
  const seen = new Set<string>();
  for (const { rows } of answers) {
    for (const row of rows) {
      for (const [member, value] of Object.entries(row)) {
        const view = member.split('.')[0]!;
        if (member.endsWith('.hospital_code') && !sharedViews.includes(view) && value !== null)
          seen.add(String(value));
      }
    }
  }
  return seen;
}
