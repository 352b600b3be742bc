import pg from 'pg';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';
import { poolTruth } from '../support/benchmark-truth.ts';
import {
  hospitalsInDetail,
  launchBrowser,
  recordCubeAnswers,
  showAllRows,
  waitForPage,
  type CubeAnswer,
} from '../support/browser.ts';
import { fundTruth } from '../support/fund-truth.ts';
import { startWebApp } from '../support/web-app.ts';

/**
 * The 医保监管, 区域对标 and 数据质量 pages in Chromium against the small demo: each role that sees
 * a page signs in, opens it once, and the figures shown (KPI cards' and table cells' raw values)
 * equal the same Cube query run with that user's token; one figure per page is checked against
 * something worked out without Cube (the generated files, the pool statistics recomputed, the
 * exception ledger). A member never receives another hospital's detail: not in a Cube answer
 * (outside the alliance's shared views), not after a drill-down, not in an Excel export or the
 * monthly report; and a member opening /quality lands elsewhere.
 */
type App = Awaited<ReturnType<typeof startWebApp>>;
type User = App['users'][keyof App['users']];
type Query = Record<string, unknown>;
type Row = Record<string, unknown>;

const isTrue = (v: unknown) => v === true || v === 'true';
const sharedViews = [
  'alliance_charge_benchmark',
  'alliance_drg_benchmark',
  'alliance_unit_cost_benchmark',
  'alliance_fund_benchmark',
];

let app: App;
let browser: Browser;
/** Every hospital of the demo: code → name (from an analyst's query). */
let hospitals: Map<string, string>;

beforeAll(async () => {
  [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
  const token = await app.tokenFor(app.users.analyst);
  const rows = await app.cubeLoad(token, {
    dimensions: ['fund_efficiency.hospital_code', 'fund_efficiency.hospital_name'],
  });
  hospitals = new Map(
    rows.map((r: Row) => [
      String(r['fund_efficiency.hospital_code']),
      String(r['fund_efficiency.hospital_name']),
    ]),
  );
}, 900_000); // the first test file to ask builds the demo warehouse (minutes); later ones copy it

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

interface Opened {
  readonly page: Page;
  readonly answers: CubeAnswer[];
  readonly token: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Signs in through the sign-in page. Element Plus puts an el-input's data-testid on the native
 * input itself, so the field is the element with the test id (or an input inside it).
 */
async function signIn(page: Page, user: User): Promise<void> {
  await page.goto(`${app.base}/login`);
  const field = (id: string) =>
    page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
  await field('username').fill(user.username);
  await field('password').fill(user.password);
  await page.getByTestId('sign-in').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 20_000 });
}

/** Signs `user` in, opens `path` and waits until every panel has loaded and every chart is drawn. */
async function open(user: User, path: string, width = 1280): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, user);
  const answers = recordCubeAnswers(page);
  await page.goto(`${app.base}${path}`);
  await waitForPage(page);
  const url = new URL(page.url());
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  expect(from, 'the page keeps its period in the address').toMatch(/^\d{4}-\d{2}$/);
  return { page, answers, token: await app.tokenFor(user), from: from!, to: to! };
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
const range = (o: { from: string; to: string }): [string, string] => [`${o.from}-01`, lastDay(o.to)];

async function kpi(page: Page, id: string): Promise<string | null> {
  return page.getByTestId(`kpi-${id}`).getAttribute('data-value');
}

/** The raw values of one column of a table (by its title), top to bottom. */
async function cells(page: Page, table: string, member: string): Promise<string[]> {
  await showAllRows(page, table);
  return page
    .getByTestId(`table-${table}`)
    .locator(`tbody [data-member="${member}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''));
}

/** Shown and expected agree: both missing, or the same number to 6 decimals. */
function same(shown: string | null | undefined, expected: unknown, label: string): void {
  const missing = (v: unknown) => v === null || v === undefined || v === '';
  if (missing(expected)) {
    expect(missing(shown), `${label}: shown ${shown}, expected nothing`).toBe(true);
    return;
  }
  expect(Number(shown), label).toBeCloseTo(Number(expected), 6);
}

function column(rows: Row[], member: string): unknown[] {
  return rows.map((r) => r[member]);
}

/** Every string in a workbook's cells. */
async function workbookText(file: string): Promise<string[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const texts: string[] = [];
  book.eachSheet((sheet) =>
    sheet.eachRow((row) => row.eachCell((cell) => void texts.push(String(cell.text ?? cell.value ?? '')))),
  );
  return texts;
}

/** No other hospital's code or name appears in the workbook; its own hospital does (or it has no hospital column). */
async function expectOwnOnly(file: string, own: string): Promise<string[]> {
  const texts = await workbookText(file);
  for (const [code, name] of hospitals) {
    if (code === own) continue;
    expect(
      texts.filter((t) => t.includes(code) || t === name),
      `${code} ${name} in ${file}`,
    ).toEqual([]);
  }
  return texts;
}

async function expectMemberOwnOnly(answers: CubeAnswer[], own: string, where: string): Promise<void> {
  // Answers arrive asynchronously after the response event; give the last ones a moment.
  await new Promise((r) => setTimeout(r, 200));
  expect(answers.length, `${where}: answers recorded`).toBeGreaterThan(0);
  for (const code of hospitalsInDetail(answers, sharedViews)) expect(code, where).toBe(own);
}

// ── 医保监管 ──────────────────────────────────────────────────────────────────────────────────
const fe = 'fund_efficiency';
const indicators: Record<string, string> = {
  'avg-inpatient-charge': 'avg_inpatient_charge',
  'avg-outpatient-charge': 'avg_outpatient_charge',
  'drug-share': 'drug_share',
  'material-share': 'material_share',
  'avg-stay': 'avg_length_of_stay_days',
  'settlement-rate': 'settlement_rate_by_amount',
  'refusal-rate': 'refusal_rate',
  'fund-balance-rate': 'fund_balance_rate',
};

/** What every role's 医保监管 page must show: indicators, alerts and the violation summary as Cube answers them. */
async function checkFund(o: Opened, view: 'violation_review' | 'violation_case_detail'): Promise<void> {
  const { page, token } = o;
  const totals = (
    await app.cubeLoad(token, {
      measures: Object.values(indicators).map((m) => `${fe}.${m}`),
      timeDimensions: [{ dimension: `${fe}.month`, dateRange: range(o) }],
    })
  )[0]!;
  for (const [id, m] of Object.entries(indicators)) same(await kpi(page, id), totals[`${fe}.${m}`], id);

  const byMonth = await app.cubeLoad(token, {
    measures: [`${fe}.drug_share`],
    timeDimensions: [{ dimension: `${fe}.month`, dateRange: range(o), granularity: 'month' }],
    order: { [`${fe}.month`]: 'asc' },
  });
  const shownShares = await cells(page, '医保基金指标按月', `${fe}.drug_share`);
  expect(shownShares.length).toBe(byMonth.length);
  shownShares.forEach((s, i) => same(s, byMonth[i]![`${fe}.drug_share`], `drug share month ${i}`));

  const fa = 'fund_alerts';
  const overlap = [
    { dimension: `${fa}.first_breach_period`, dateRange: ['2000-01-01', lastDay(o.to)] },
    { dimension: `${fa}.last_breach_period`, dateRange: [`${o.from}-01`, '2999-12-31'] },
  ];
  const alertCounts = (
    await app.cubeLoad(token, {
      measures: [`${fa}.alert_count`, `${fa}.open_alert_count`],
      timeDimensions: overlap,
    })
  )[0]!;
  same(await kpi(page, 'alerts-open'), alertCounts[`${fa}.open_alert_count`], 'open alerts');
  same(await kpi(page, 'alerts-all'), alertCounts[`${fa}.alert_count`], 'alerts in the period');
  const alertRows = await cells(page, '期间内的预警事件（点击查看历史）', `${fa}.breach_periods`);
  expect(alertRows.length).toBe(Math.min(500, Number(alertCounts[`${fa}.alert_count`])));

  const summary = await app.cubeLoad(token, {
    dimensions: [`${view}.rule_id`],
    measures: [`${view}.flag_count`, `${view}.amount_at_issue`, `${view}.pending_count`],
    timeDimensions: [{ dimension: `${view}.flag_month`, dateRange: range(o) }],
    order: { [`${view}.rule_id`]: 'asc' },
  });
  expect(summary.length, 'the demo plants violations').toBeGreaterThan(0);
  for (const m of ['flag_count', 'amount_at_issue', 'pending_count']) {
    const shown = await cells(page, '疑点按规则', `${view}.${m}`);
    expect(shown.length).toBe(summary.length);
    shown.forEach((s, i) =>
      same(s, summary[i]![`${view}.${m}`], `${m} of ${String(summary[i]![`${view}.rule_id`])}`),
    );
  }
}

/** Opens the first flag of the list (drill-down) and returns the panel. */
async function openFirstFlag(page: Page): Promise<void> {
  await page
    .getByTestId('table-疑点（按涉及金额，前 200 条；点击查看与复核）')
    .locator('tbody tr')
    .first()
    .click();
  await page.getByTestId('flag').waitFor();
  await waitForPage(page);
}

describe('医保监管 (/fund)', () => {
  it('analyst: indicators, alerts and violations equal Cube; no review button, no case detail', async () => {
    const o = await open(app.users.analyst, '/fund');
    await checkFund(o, 'violation_review');
    await openFirstFlag(o.page);
    await expect(o.page.getByTestId('no-permission').isVisible()).resolves.toBe(true);
    expect(await o.page.getByTestId('review').count()).toBe(0);
    await o.page.context().close();
  });

  it('manager: reviews a flag by its hashed key, the reloaded list shows it, no case detail; steward: the case detail with the review', async () => {
    const list = '疑点（按涉及金额，前 200 条；点击查看与复核）';
    const o = await open(app.users.manager, '/fund');
    await checkFund(o, 'violation_review');
    await openFirstFlag(o.page);
    await expect(o.page.getByTestId('no-permission').isVisible()).resolves.toBe(true);
    // Confirm it; back on the list, reloaded, its row shows the new status.
    const key = (await o.page.locator('.facts dd.mono').textContent())!.trim();
    const rule = (await o.page.locator('.facts dd').first().textContent())!.trim();
    await o.page
      .locator('input[data-testid="review-note"], [data-testid="review-note"] input')
      .first()
      .fill('浏览器测试：已核实');
    await o.page.getByTestId('review-confirm').click();
    await o.page.getByTestId('review-message').filter({ hasText: '已保存' }).waitFor({ timeout: 90_000 });
    await o.page.getByTestId(`table-${list}`).waitFor();
    await waitForPage(o.page);
    const flagOf = (v: string) => [
      { member: `${v}.visit_key`, operator: 'equals', values: [key] },
      { member: `${v}.rule_name`, operator: 'equals', values: [rule] },
    ];
    const after = await app.cubeLoad(o.token, {
      dimensions: ['violation_review.rule_name', 'violation_review.review_status'],
      filters: flagOf('violation_review'),
      renewQuery: true,
    });
    expect(after).toEqual([
      { 'violation_review.rule_name': rule, 'violation_review.review_status': 'confirmed' },
    ]);
    const keys = await cells(o.page, list, 'violation_review.visit_key');
    const rules = await cells(o.page, list, 'violation_review.rule_name');
    const statuses = await cells(o.page, list, 'violation_review.review_status_name');
    const at = keys.findIndex((k, i) => k === key.slice(0, 12) && rules[i] === rule);
    expect(at, 'the reviewed flag is still listed').toBeGreaterThanOrEqual(0);
    expect(statuses[at]).toBe('确认违规');
    expect(o.answers.some((a) => decodeURIComponent(a.url).includes('violation_case_detail'))).toBe(false);
    await o.page.context().close();

    // The steward's case detail: the visit behind the key, and the manager's review with its note.
    const s = await open(app.users.steward, '/fund');
    await checkFund(s, 'violation_case_detail');
    const detail = await app.cubeLoad(s.token, {
      dimensions: [
        'violation_case_detail.visit_id',
        'violation_case_detail.review_status',
        'violation_case_detail.review_note',
        'violation_case_detail.reviewed_by',
      ],
      filters: flagOf('violation_case_detail'),
    });
    expect(detail).toEqual([
      {
        'violation_case_detail.visit_id': expect.any(String),
        'violation_case_detail.review_status': 'confirmed',
        'violation_case_detail.review_note': '浏览器测试：已核实',
        'violation_case_detail.reviewed_by': app.users.manager.username,
      },
    ]);
    await openFirstFlag(s.page);
    expect((await cells(s.page, '疑点病例明细', 'violation_case_detail.visit_id')).length).toBe(1);
    await s.page.context().close();
  });

  it('member: own hospital only in every answer, drill-down, export and report; drug share equals the generated files', async () => {
    const member = app.users.memberA;
    const own = member.hospital_code!;
    // On a phone (390 px): the page wraps, nothing but a table's own scroller is wider than the screen.
    const o = await open(member, '/fund', 390);
    await checkFund(o, 'violation_review');
    expect(await o.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // Independent figure: 药占比 over the period from the generated charge lines.
    const { hospitalMonths } = fundTruth(app.db.generatedDir, projectPaths.seeds);
    const months = hospitalMonths.filter((t) => t.hospital === own && t.month >= o.from && t.month <= o.to);
    const drug = months.reduce((s, t) => s + t.drugCents, 0);
    const medical = months.reduce((s, t) => s + t.medicalCents, 0);
    expect(Number(await kpi(o.page, 'drug-share'))).toBeCloseTo(drug / medical, 4);

    await expectMemberOwnOnly(o.answers, own, 'fund page');
    // Drill-downs: an alert's history (when the member has alerts) and a flag.
    const alertRow = o.page
      .getByTestId('table-期间内的预警事件（点击查看历史）')
      .locator('tbody tr')
      .first();
    if ((await alertRow.count()) > 0) {
      await alertRow.click();
      await o.page.getByTestId('table-该预警的历次事件').waitFor();
      await waitForPage(o.page);
      await o.page.getByTestId('drill-trail').first().locator('a').first().click();
    }
    await openFirstFlag(o.page);
    await expect(o.page.getByTestId('no-permission').isVisible()).resolves.toBe(true);
    await expectMemberOwnOnly(o.answers, own, 'fund page after drill-downs');

    // The Excel export of a table and the monthly report: own hospital only.
    const [exported] = await Promise.all([
      o.page.waitForEvent('download'),
      o.page.getByTestId('table-疑点按规则').getByTestId('export').click(),
    ]);
    await expectOwnOnly((await exported.path())!, own);
    const [report] = await Promise.all([
      o.page.waitForEvent('download'),
      o.page.getByTestId('report-download').click(),
    ]);
    const texts = await expectOwnOnly((await report.path())!, own);
    expect(texts.some((t) => t.includes(own) || t === hospitals.get(own))).toBe(true);
    // Asking for another hospital's report with the member's token is refused.
    const other = [...hospitals.keys()].find((c) => c !== own)!;
    const refused = await fetch(`${app.base}/api/reports/fund.xlsx?month=${o.to}&hospital=${other}`, {
      headers: { authorization: o.token },
    });
    expect(refused.status).toBe(403);
    await o.page.context().close();

    // The access audit trail holds the page's queries and one asked of the REST API directly, each
    // with the member's identity, the views and members asked, and a row count, never a row value.
    const direct = await app.cubeLoad(o.token, {
      measures: ['fund_efficiency.medical_charges'],
      dimensions: ['fund_efficiency.hospital_code'],
      timeDimensions: [{ dimension: 'fund_efficiency.month', dateRange: [`${o.from}-01`, `${o.to}-28`] }],
    });
    const figure = String(direct[0]!['fund_efficiency.medical_charges']);
    await app.flushAudit();
    const audit = new pg.Client({ connectionString: app.db.url });
    await audit.connect();
    try {
      const { rows } = await audit.query<Row>(
        `select role, hospital_code, api, event, views, members, filters, row_count, status
           from ops.access_audit where username = $1 and api = 'load' order by audit_id`,
        [member.username],
      );
      expect(rows.length).toBeGreaterThan(3);
      for (const r of rows) expect([r.role, r.hospital_code]).toEqual(['member', own]);
      expect(
        rows.some((r) => (r.views as string[]).includes('fund_alerts')),
        'a page query',
      ).toBe(true);
      const last = rows[rows.length - 1]!;
      expect(last).toMatchObject({ views: ['fund_efficiency'], event: 'query', status: 200, row_count: 1 });
      expect(last.members).toEqual(
        expect.arrayContaining(['fund_efficiency.medical_charges', 'fund_efficiency.hospital_code']),
      );
      expect(JSON.stringify(rows), 'no row value in the audit trail').not.toContain(figure);
    } finally {
      await audit.end();
    }
  });
});

// ── 区域对标 ──────────────────────────────────────────────────────────────────────────────────
const positionDims = ['subject_code', 'value', 'p10', 'p50', 'p90', 'hospital_level'];
const benchTable = '各病组本院与同级分布（点击病组查看医联体各院）';

describe('区域对标 (/benchmark)', () => {
  it('analyst: regional_benchmark per group equals Cube, the pool median equals the peers recomputed; drill to every hospital', async () => {
    const o = await open(app.users.analyst, '/benchmark');
    const year = o.to.slice(0, 4);
    const hospital = [...hospitals.keys()].sort()[0]!;
    const rb = 'regional_benchmark';
    const rows = await app.cubeLoad(o.token, {
      dimensions: positionDims.map((d) => `${rb}.${d}`),
      measures: [`${rb}.cases`],
      filters: [
        { member: `${rb}.hospital_code`, operator: 'equals', values: [hospital] },
        { member: `${rb}.year`, operator: 'equals', values: [year] },
        { member: `${rb}.measure`, operator: 'equals', values: ['cost_per_case'] },
      ],
      order: [
        [`${rb}.cases`, 'desc'],
        [`${rb}.subject_code`, 'asc'],
      ],
      limit: 500,
    });
    expect(rows.length, 'the first hospital has benchmarked groups').toBeGreaterThan(0);
    for (const m of ['value', 'p10', 'p50', 'p90']) {
      const shown = await cells(o.page, benchTable, `${rb}.${m}`);
      expect(shown.length).toBe(rows.length);
      shown.forEach((s, i) =>
        same(s, rows[i]![`${rb}.${m}`], `${m} of ${String(rows[i]![`${rb}.subject_code`])}`),
      );
    }
    // Independent: the first group's median recomputed from every hospital of the level.
    const top = rows[0]!;
    const peers = await app.cubeLoad(o.token, {
      dimensions: [`${rb}.hospital_code`, `${rb}.hospital_level`, `${rb}.value`],
      measures: [`${rb}.cases`],
      filters: [
        { member: `${rb}.subject_code`, operator: 'equals', values: [String(top[`${rb}.subject_code`])] },
        { member: `${rb}.year`, operator: 'equals', values: [year] },
        { member: `${rb}.measure`, operator: 'equals', values: ['cost_per_case'] },
        { member: `${rb}.hospital_level`, operator: 'equals', values: [String(top[`${rb}.hospital_level`])] },
      ],
    });
    const pool = poolTruth(
      peers
        .filter((p: Row) => p[`${rb}.value`] !== null)
        .map((p: Row) => ({
          id: String(p[`${rb}.hospital_code`]),
          value: Number(p[`${rb}.value`]),
          cases: Number(p[`${rb}.cases`]),
        })),
    );
    const shownMedian = (await cells(o.page, benchTable, `${rb}.p50`))[0];
    expect(Number(shownMedian)).toBeCloseTo(pool.percentiles.p50, 2);

    await o.page.getByTestId(`table-${benchTable}`).locator('tbody tr').first().click();
    const drill = o.page.getByTestId(new RegExp(`^table-${String(top[`${rb}.subject_code`])} 各医院`));
    await drill.waitFor();
    await waitForPage(o.page);
    await showAllRows(o.page, new RegExp(`^table-${String(top[`${rb}.subject_code`])} 各医院`));
    const drilled = await drill.locator(`tbody [data-member="${rb}.value"]`).count();
    expect(drilled).toBe(
      (
        await app.cubeLoad(o.token, {
          dimensions: [`${rb}.hospital_code`],
          filters: [
            { member: `${rb}.subject_code`, operator: 'equals', values: [String(top[`${rb}.subject_code`])] },
            { member: `${rb}.year`, operator: 'equals', values: [year] },
            { member: `${rb}.measure`, operator: 'equals', values: ['cost_per_case'] },
          ],
        })
      ).length,
    );

    // 对标维度 病种 once: the page reads the 病种 pools (principal diagnosis) of the same hospital and year.
    await o.page.getByTestId('bench-dimension').first().click();
    await o.page.locator('.el-select-dropdown__item:visible', { hasText: '病种' }).click();
    const diseaseTable = '各病种本院与同级分布（点击病种查看医联体各院）';
    await o.page.getByTestId(`table-${diseaseTable}`).waitFor();
    await waitForPage(o.page);
    const diseases = await app.cubeLoad(o.token, {
      dimensions: positionDims.map((d) => `${rb}.${d}`),
      measures: [`${rb}.cases`],
      filters: [
        { member: `${rb}.benchmark_dimension`, operator: 'equals', values: ['disease'] },
        { member: `${rb}.hospital_code`, operator: 'equals', values: [hospital] },
        { member: `${rb}.year`, operator: 'equals', values: [year] },
        { member: `${rb}.measure`, operator: 'equals', values: ['cost_per_case'] },
      ],
      order: [
        [`${rb}.cases`, 'desc'],
        [`${rb}.subject_code`, 'asc'],
      ],
      limit: 500,
    });
    expect(diseases.length, 'the first hospital has 病种 pools').toBeGreaterThan(0);
    const shownDiseases = await cells(o.page, diseaseTable, `${rb}.value`);
    expect(shownDiseases.length).toBe(diseases.length);
    shownDiseases.forEach((s, i) =>
      same(s, diseases[i]![`${rb}.value`], `value of 病种 ${String(diseases[i]![`${rb}.subject_code`])}`),
    );
    await o.page.context().close();
  });

  it('member: member_vs_peers equals Cube, suppressed pools show 样本不足, no other hospital outside the shared views', async () => {
    const member = app.users.memberB;
    const own = member.hospital_code!;
    const o = await open(member, '/benchmark');
    const year = o.to.slice(0, 4);
    const mv = 'member_vs_peers';
    const rows = await app.cubeLoad(o.token, {
      dimensions: [...positionDims, 'is_suppressed'].map((d) => `${mv}.${d}`),
      measures: [`${mv}.cases`],
      filters: [
        { member: `${mv}.year`, operator: 'equals', values: [year] },
        { member: `${mv}.measure`, operator: 'equals', values: ['cost_per_case'] },
      ],
      order: [
        [`${mv}.cases`, 'desc'],
        [`${mv}.subject_code`, 'asc'],
      ],
      limit: 500,
    });
    expect(rows.length).toBeGreaterThan(0);
    const values = await cells(o.page, benchTable, `${mv}.value`);
    const medians = await cells(o.page, benchTable, `${mv}.p50`);
    const notes = await cells(o.page, benchTable, `${mv}.pool_note`);
    expect(values.length).toBe(rows.length);
    rows.forEach((r: Row, i: number) => {
      same(values[i], r[`${mv}.value`], `own value ${String(r[`${mv}.subject_code`])}`);
      same(medians[i], r[`${mv}.p50`], `median ${String(r[`${mv}.subject_code`])}`);
      if (isTrue(r[`${mv}.is_suppressed`])) expect(notes[i]).toBe('样本不足');
    });
    same(
      await kpi(o.page, 'bench-suppressed'),
      rows.filter((r: Row) => isTrue(r[`${mv}.is_suppressed`])).length,
      'suppressed pools',
    );
    // The shared views' figures equal Cube's too (every hospital, as the policy shares them).
    const shared = await app.cubeLoad(o.token, {
      dimensions: ['alliance_drg_benchmark.hospital_code'],
      measures: ['alliance_drg_benchmark.case_count'],
      timeDimensions: [{ dimension: 'alliance_drg_benchmark.month', dateRange: range(o) }],
      order: [['alliance_drg_benchmark.hospital_code', 'asc']],
    });
    const shownCases = await cells(o.page, '医联体各院 DRG 指标', 'alliance_drg_benchmark.case_count');
    shownCases.forEach((s, i) =>
      same(s, shared[i]!['alliance_drg_benchmark.case_count'], 'shared case count'),
    );

    await expectMemberOwnOnly(o.answers, own, 'benchmark page');
    expect(
      o.answers.some((a) => /regional_benchmark|external_benchmark/.test(decodeURIComponent(a.url))),
    ).toBe(false);
    await o.page.getByTestId(`table-${benchTable}`).locator('tbody tr').first().click();
    await o.page.getByText('其他医院的病组数值不对成员单位公开').waitFor();
    await waitForPage(o.page);
    await expectMemberOwnOnly(o.answers, own, 'benchmark page after drill-down');
    await o.page.context().close();
  });
});

// ── 数据质量 ──────────────────────────────────────────────────────────────────────────────────
describe('数据质量 (/quality)', () => {
  it('steward: exceptions equal Cube and the exception ledger; drills to the quarantined rows', async () => {
    const o = await open(app.users.steward, '/quality');
    const dq = 'data_quality';
    const totals = (
      await app.cubeLoad(o.token, { measures: [`${dq}.exception_count`, `${dq}.blocking_exception_count`] })
    )[0]!;
    same(await kpi(o.page, 'dq-exceptions'), totals[`${dq}.exception_count`], 'exceptions');
    same(await kpi(o.page, 'dq-blocking'), totals[`${dq}.blocking_exception_count`], 'blocking exceptions');
    // Independent: the exceptions of active batches, counted in the ledger itself.
    const ledger = await sql<{ n: string }>`
      select count(*) as n from ops.exceptions e join ops.batches b on b.batch_id = e.batch_id
      where b.status = 'loaded'`.execute(app.db.db);
    expect(Number(await kpi(o.page, 'dq-exceptions'))).toBe(Number(ledger.rows[0]!.n));

    const byRule = await app.cubeLoad(o.token, {
      dimensions: [`${dq}.rule_id`, `${dq}.severity`, `${dq}.source`, `${dq}.hospital_code`],
      measures: [`${dq}.exception_count`],
      order: [
        [`${dq}.exception_count`, 'desc'],
        [`${dq}.rule_id`, 'asc'],
      ],
      limit: 500,
    });
    const shown = await cells(o.page, '异常按规则（点击查看被隔离的行）', `${dq}.exception_count`);
    expect(shown.length).toBe(byRule.length);
    shown.forEach((s, i) => same(s, byRule[i]![`${dq}.exception_count`], `exceptions row ${i}`));
    const batches = (
      await app.cubeLoad(o.token, { measures: ['batch_reconciliation.unreconciled_batch_count'] })
    )[0]!;
    same(
      await kpi(o.page, 'dq-unreconciled'),
      batches['batch_reconciliation.unreconciled_batch_count'],
      'unreconciled',
    );

    await o.page
      .getByTestId('table-异常按规则（点击查看被隔离的行）')
      .locator('tbody tr')
      .first()
      .click();
    await o.page.getByTestId('table-异常明细（前 200 条）').waitFor();
    await waitForPage(o.page);
    const detailRows = await cells(o.page, '异常明细（前 200 条）', 'exception_review.source_line');
    expect(detailRows.length).toBe(Math.min(200, Number(byRule[0]![`${dq}.exception_count`])));
    // The drill is in the address: reloading it shows the same quarantined rows.
    expect(new URL(o.page.url()).searchParams.get('qr')).toBe(String(byRule[0]![`${dq}.rule_id`]));
    await o.page.reload();
    await o.page.getByTestId('table-异常明细（前 200 条）').waitFor();
    await waitForPage(o.page);
    expect(await cells(o.page, '异常明细（前 200 条）', 'exception_review.source_line')).toEqual(detailRows);
    await o.page.context().close();
  });

  it('manager: the same counts, no quarantined rows; member: redirected, not in its menu', async () => {
    const o = await open(app.users.manager, '/quality');
    const totals = (await app.cubeLoad(o.token, { measures: ['data_quality.exception_count'] }))[0]!;
    same(await kpi(o.page, 'dq-exceptions'), totals['data_quality.exception_count'], 'exceptions (manager)');
    await o.page
      .getByTestId('table-异常按规则（点击查看被隔离的行）')
      .locator('tbody tr')
      .first()
      .click();
    await o.page.getByTestId('no-permission').waitFor();
    expect(o.answers.some((a) => decodeURIComponent(a.url).includes('exception_review'))).toBe(false);
    await o.page.context().close();

    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app.users.memberA);
    await page.goto(`${app.base}/quality`);
    await page.waitForURL((url) => !url.pathname.startsWith('/quality'));
    expect(new URL(page.url()).pathname).not.toBe('/quality');
    expect(await page.getByTestId('nav-quality').count()).toBe(0);
    expect(await page.getByTestId('nav-fund').count()).toBe(1);
    await context.close();
  });
});
