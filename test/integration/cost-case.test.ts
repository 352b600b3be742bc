/**
 * Service-item, case, disease and DRG cost on the small demo (issue 12, items 6, 7 and 9): the
 * invariants the marts promise (every unit's cost spread to the cent, case costs reconciled to the
 * departments' inpatient cost, DRG and disease cost = Σ their cases), case costs against the
 * generator's own estimate, the three Cube views under row security, and the cost workbook whose
 * totals equal Cube's. The hand-worked examples are the models' unit tests (fct_service_item_costs,
 * fct_case_costs), run with every build.
 */
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { keepConnectionsOpen, mountCube, type CubeHandle } from '../../cube/server.ts';
import { signToken } from '../../cube/security/token.ts';
import { loadCostReport } from '../../ops/reports/cost-report.ts';
import { writeCostWorkbook, writeReportWorkbook } from '../../ops/reports/report-workbook.ts';
import { loadFundReport } from '../../ops/reports/fund-report.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { truth } from '../support/demo-truth.ts';
import { createPool } from '../../core/db/database.ts';

const SECRET = 'cost-case-secret-long-enough-for-hs256-signing';
const hospitalA = 'H32090200001';
const hospitalB = 'H32092100011';
const year = 2025;
const cents = (value: unknown): number => Math.round(Number(value ?? 0) * 100);

let demo: DemoWarehouse;
let pool: pg.Pool;
let cube: CubeHandle;
let server: Server;
let base: string;
let workDir: string;

beforeAll(async () => {
  demo = await demoWarehouse();
  pool = createPool(demo.url, 4);
  const app = express();
  cube = await mountCube(app, { databaseUrl: demo.url, jwtSecret: SECRET, logger: silentLogger });
  server = await new Promise<Server>((resolve) => {
    const s = keepConnectionsOpen(app.listen(0, '127.0.0.1', () => resolve(s)));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  workDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-cost-case-'));
}, 900_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await cube?.shutdown();
  await pool?.end();
  await demo?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function rows<T = Record<string, string>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await pool.query(text, values)).rows as T[];
}

/** POST a query to a Cube REST route as the claims' holder; waits out "Continue wait". */
async function cubeRequest(route: string, query: object, claims: object): Promise<Record<string, unknown>> {
  const token = await signToken({ alliance_id: 'YH01', ...claims } as never, SECRET, 600);
  for (const until = Date.now() + 90_000; Date.now() < until;) {
    const response = await fetch(`${base}/cubejs-api${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (body.error === 'Continue wait') continue;
    if (response.status !== 200) throw new Error(`Cube answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }
  throw new Error('Cube kept answering "Continue wait"');
}

async function cubeLoad(query: object, claims: object): Promise<Record<string, string>[]> {
  return ((await cubeRequest('/v1/load', query, claims)).data ?? []) as Record<string, string>[];
}

describe('service-item cost', () => {
  it("spreads every unit's cost before level 3 over its items to the cent, and accounts for the whole hospital cost", async () => {
    // Per unit: Σ item cost = its spreadable cost exactly (largest remainder), or the unit has no
    // items and its cost is the stated unspread remainder.
    const units = await rows<{ spreadable: string; spread: string | null }>(`
      select b.spreadable_cost as spreadable,
        (select sum(item_cost) from marts.fct_service_item_costs i
          where i.hospital_code = b.hospital_code and i.cost_year = b.cost_year and i.dept_code = b.dept_code) as spread
      from intermediate.int_department_costs__item_base b`);
    expect(units.length).toBeGreaterThan(100);
    const spreadUnits = units.filter((u) => u.spread !== null);
    expect(spreadUnits.length / units.length).toBeGreaterThan(0.95);
    for (const u of spreadUnits) expect(cents(u.spread)).toBe(cents(u.spreadable));

    // Per hospital and year: what clinical and medical-technical units hold before level 3 is the
    // hospital's direct cost less what the standard leaves with auxiliary and administrative units,
    // and it splits into item cost + unspread + separately billed drugs and materials.
    const hospitals = await rows(`
      with bases as (
        select hospital_code, cost_year, sum(cost_before_level3) as held,
          sum(billed_drug_cost + billed_material_cost) as billed, sum(spreadable_cost) as spreadable
        from intermediate.int_department_costs__item_base group by 1, 2),
      items as (
        select hospital_code, cost_year, sum(item_cost) as item_cost
        from marts.fct_service_item_costs group by 1, 2),
      ledger as (
        select hospital_code, extract(year from cost_month)::int as cost_year, sum(direct_cost) as direct
        from marts.fct_department_direct_costs group by 1, 2),
      left_behind as (
        select hospital_code, extract(year from cost_month)::int as cost_year, sum(full_cost) as kept
        from marts.fct_department_full_costs where cost_unit_class in ('医疗辅助类', '行政后勤类') group by 1, 2)
      select b.*, i.item_cost, l.direct, coalesce(k.kept, 0) as kept
      from bases b join items i using (hospital_code, cost_year) join ledger l using (hospital_code, cost_year)
      left join left_behind k using (hospital_code, cost_year)`);
    expect(hospitals).toHaveLength(20);
    for (const h of hospitals) {
      expect(cents(h.held), h.hospital_code).toBe(cents(h.direct) - cents(h.kept));
      const unspread = cents(h.spreadable) - cents(h.item_cost);
      expect(unspread).toBeGreaterThanOrEqual(0);
      expect(cents(h.item_cost) + unspread + cents(h.billed)).toBe(cents(h.held));
    }
  });
});

describe('case cost', () => {
  it("adds up per department and month to the department's inpatient cost, the remainder stated", async () => {
    const [sums] = await rows(`
      select (select sum(case_cost) from marts.fct_case_cost_reconciliation) as reconciled,
        (select sum(case_cost) from marts.fct_case_costs) as cases,
        (select sum(case_count) from marts.fct_case_cost_reconciliation) as reconciled_count,
        (select count(*) from marts.fct_case_costs) as case_count,
        (select sum(inpatient_full_cost) from marts.fct_department_full_costs) as inpatient,
        (select sum(inpatient_full_cost) from marts.fct_case_cost_reconciliation) as reconciled_inpatient`);
    expect(cents(sums!.reconciled)).toBe(cents(sums!.cases));
    expect(Number(sums!.reconciled_count)).toBe(Number(sums!.case_count));
    expect(cents(sums!.reconciled_inpatient)).toBe(cents(sums!.inpatient));
    const lines = await rows(`select * from marts.fct_case_cost_reconciliation`);
    for (const l of lines)
      expect(cents(l.case_cost) + cents(l.unattributed_cost)).toBe(cents(l.inpatient_full_cost));
    // The remainder (stays still open, quarantined discharges, annual vs monthly cost) stays small.
    const byHospital = await rows(`
      select hospital_code, sum(unattributed_cost) / sum(inpatient_full_cost) as share
      from marts.fct_case_cost_reconciliation group by 1`);
    for (const h of byHospital) expect(Math.abs(Number(h.share)), h.hospital_code).toBeLessThan(0.25);
  });

  it("matches the generator's cases and, per hospital, its top-down cost estimate within 10 %", async () => {
    const cases = truth(demo.generatedDir, 'cases.csv');
    const expected = new Map(cases.map((c) => [`${c.hospital_code}|${c.visit_id}`, c]));
    const costed = await rows(`select hospital_code, visit_id, case_cost, case_cost_ccr, total_charges,
        labour_cost, drug_cost, material_cost, depreciation_cost, other_cost from marts.fct_case_costs`);
    // every costed stay is a generated one; only stays whose discharge record was quarantined are missing
    expect(costed.every((c) => expected.has(`${c.hospital_code}|${c.visit_id}`))).toBe(true);
    expect(costed.length).toBeGreaterThan(cases.length * 0.95);
    const perHospital = new Map<string, { cost: number; ccr: number; estimate: number }>();
    for (const c of costed) {
      const t = expected.get(`${c.hospital_code}|${c.visit_id}`)!;
      const h = perHospital.get(c.hospital_code!) ?? { cost: 0, ccr: 0, estimate: 0 };
      h.cost += Number(c.case_cost);
      h.ccr += Number(c.case_cost_ccr);
      h.estimate += Number(t.est_cost);
      perHospital.set(c.hospital_code!, h);
      const parts = ['labour_cost', 'drug_cost', 'material_cost', 'depreciation_cost', 'other_cost'];
      expect(parts.reduce((s, p) => s + cents(c[p]), 0)).toBe(cents(c.case_cost));
    }
    expect(perHospital.size).toBe(10);
    for (const [hospital, h] of perHospital) {
      expect(h.cost / h.estimate, hospital).toBeGreaterThan(0.9);
      expect(h.cost / h.estimate, hospital).toBeLessThan(1.1);
      expect(h.ccr / h.estimate, hospital).toBeGreaterThan(0.9);
      expect(h.ccr / h.estimate, hospital).toBeLessThan(1.1);
    }
  });

  it('gives each DRG group and each principal diagnosis the sum of its cases', async () => {
    const mismatched = await rows(`
      with expected as (
        select g.hospital_code, g.discharge_month, coalesce(g.drg_code, '未入组') as drg_code,
          count(c.visit_id) as case_count, coalesce(sum(c.case_cost), 0) as case_cost,
          coalesce(sum(g.payment_standard - c.case_cost), 0) as margin
        from intermediate.int_inpatient_cases__grouped g
        left join marts.fct_case_costs c using (hospital_code, visit_id)
        group by 1, 2, 3)
      select * from expected e
      full join marts.fct_drg_costs d using (hospital_code, discharge_month, drg_code)
      where d.case_cost is distinct from e.case_cost::numeric(18, 2)
        or d.case_count is distinct from e.case_count or d.margin is distinct from e.margin::numeric(18, 2)`);
    expect(mismatched).toEqual([]);
    const [disease] = await rows(`
      select (select sum(case_cost) from marts.fct_disease_costs) as disease,
        (select sum(case_cost) from marts.fct_case_costs) as cases,
        (select sum(case_count) from marts.fct_disease_costs) as disease_cases,
        (select count(*) from marts.fct_case_costs) as case_count`);
    expect(cents(disease!.disease)).toBe(cents(disease!.cases));
    expect(Number(disease!.disease_cases)).toBe(Number(disease!.case_count));
  });
});

describe('served and exported', () => {
  const views = {
    service_item_cost: {
      measure: 'item_cost',
      sql: `select hospital_code, sum(item_cost) as v from marts.fct_service_item_costs group by 1`,
    },
    case_cost_analysis: {
      measure: 'case_cost',
      sql: `select hospital_code, sum(case_cost) as v from marts.fct_case_costs group by 1`,
    },
    drg_cost_analysis: {
      measure: 'margin',
      sql: `select hospital_code, sum(margin) as v from marts.fct_drg_costs group by 1`,
    },
  } as const;

  it("shows a member only its own hospital's cost detail, equal to SQL; an analyst every hospital", async () => {
    for (const [view, spec] of Object.entries(views)) {
      const expected = new Map((await rows(spec.sql)).map((r) => [r.hospital_code, cents(r.v)]));
      const query = { measures: [`${view}.${spec.measure}`], dimensions: [`${view}.hospital_code`] };
      const own = await cubeLoad(query, { role: 'member', hospital_code: hospitalA });
      expect(
        own.map((r) => r[`${view}.hospital_code`]),
        view,
      ).toEqual([hospitalA]);
      expect(cents(own[0]![`${view}.${spec.measure}`]), view).toBe(expected.get(hospitalA));
      const other = await cubeLoad(
        {
          ...query,
          filters: [{ member: `${view}.hospital_code`, operator: 'equals', values: [hospitalB] }],
        },
        { role: 'member', hospital_code: hospitalA },
      );
      expect(other, view).toEqual([]);
      const ungrouped = await cubeLoad(
        { dimensions: [`${view}.hospital_code`], ungrouped: true, limit: 50_000 },
        { role: 'member', hospital_code: hospitalA },
      );
      expect(new Set(ungrouped.map((r) => r[`${view}.hospital_code`])), view).toEqual(new Set([hospitalA]));
      const all = await cubeLoad(query, { role: 'analyst' });
      expect(all, view).toHaveLength(10);
      for (const r of all)
        expect(cents(r[`${view}.${spec.measure}`])).toBe(expected.get(r[`${view}.hospital_code`]!));
    }
  });

  it("writes the workbook with one sheet per standard table whose totals equal Cube's", async () => {
    const file = path.join(workDir, 'cost.xlsx');
    await writeCostWorkbook(await loadCostReport(pool, { year, hospitalCode: hospitalA }), file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      '各科室直接成本表',
      '临床服务类科室全成本表',
      '全成本构成分析表',
      '诊次成本构成表',
      '床日成本构成表',
      '医疗服务项目成本汇总表',
      '医疗服务项目成本明细表',
      '病种成本明细表',
      '病种成本构成表',
      'DRG成本明细表',
      'DRG成本构成表',
    ]);
    /** The 合计 row's value under a header (the last row of the sheet). */
    const total = (sheet: string, header: string): number => {
      const ws = workbook.getWorksheet(sheet)!;
      const headers = [3, 4].map((r) => ws.getRow(r).values as unknown[]);
      const column = headers.map((h) => h.lastIndexOf(header)).find((i) => i > 0)!;
      expect(ws.getRow(ws.rowCount).getCell(1).value).toBe('合计');
      return cents(ws.getRow(ws.rowCount).getCell(column).value);
    };
    const member = { role: 'member', hospital_code: hospitalA };
    const [items] = await cubeLoad(
      {
        measures: ['service_item_cost.item_cost', 'service_item_cost.revenue'],
        filters: [{ member: 'service_item_cost.cost_year', operator: 'equals', values: [String(year)] }],
      },
      member,
    );
    expect(total('医疗服务项目成本汇总表', '项目总成本')).toBe(cents(items!['service_item_cost.item_cost']));
    expect(total('医疗服务项目成本汇总表', '项目收入')).toBe(cents(items!['service_item_cost.revenue']));
    expect(total('医疗服务项目成本明细表', '项目总成本')).toBe(cents(items!['service_item_cost.item_cost']));
    const inYear = (view: string) => [
      { dimension: `${view}.discharge_month`, dateRange: [`${year}-01-01`, `${year}-12-31`] },
    ];
    const [cases] = await cubeLoad(
      {
        measures: [
          'case_cost_analysis.case_cost',
          'case_cost_analysis.case_count',
          'case_cost_analysis.drug_cost',
        ],
        timeDimensions: inYear('case_cost_analysis'),
      },
      member,
    );
    expect(total('病种成本明细表', '病种成本')).toBe(cents(cases!['case_cost_analysis.case_cost']));
    expect(total('病种成本明细表', '病例数')).toBe(cents(cases!['case_cost_analysis.case_count']));
    expect(total('病种成本构成表', '金额')).toBe(cents(cases!['case_cost_analysis.case_cost']));
    const [drg] = await cubeLoad(
      {
        measures: [
          'drg_cost_analysis.case_cost',
          'drg_cost_analysis.margin',
          'drg_cost_analysis.payment_standard',
        ],
        timeDimensions: inYear('drg_cost_analysis'),
      },
      member,
    );
    expect(total('DRG成本明细表', 'DRG成本')).toBe(cents(drg!['drg_cost_analysis.case_cost']));
    expect(total('DRG成本明细表', '结余/超支')).toBe(cents(drg!['drg_cost_analysis.margin']));
    expect(total('DRG成本明细表', '支付标准合计')).toBe(cents(drg!['drg_cost_analysis.payment_standard']));
    expect(total('DRG成本构成表', '金额')).toBe(cents(drg!['drg_cost_analysis.case_cost']));
    // The department tables read cost-alloc's marts, served by department_cost_analysis and unit_cost_analysis.
    const [departments] = await cubeLoad(
      {
        measures: ['department_cost_analysis.direct_cost'],
        timeDimensions: [
          { dimension: 'department_cost_analysis.cost_month', dateRange: [`${year}-01-01`, `${year}-12-31`] },
        ],
      },
      member,
    );
    expect(total('各科室直接成本表', '合计')).toBe(
      cents(departments!['department_cost_analysis.direct_cost']),
    );
    const [clinical] = await cubeLoad(
      {
        measures: ['department_cost_analysis.full_cost'],
        segments: ['department_cost_analysis.clinical'],
        timeDimensions: [
          { dimension: 'department_cost_analysis.cost_month', dateRange: [`${year}-01-01`, `${year}-12-31`] },
        ],
      },
      member,
    );
    expect(total('全成本构成分析表', '金额')).toBe(cents(clinical!['department_cost_analysis.full_cost']));
    const [units] = await cubeLoad(
      {
        measures: ['unit_cost_analysis.outpatient_full_cost', 'unit_cost_analysis.outpatient_visits'],
        timeDimensions: [
          { dimension: 'unit_cost_analysis.cost_month', dateRange: [`${year}-01-01`, `${year}-12-31`] },
        ],
      },
      member,
    );
    expect(total('诊次成本构成表', '门诊全成本')).toBe(
      cents(units!['unit_cost_analysis.outpatient_full_cost']),
    );
    expect(total('诊次成本构成表', '门诊人次')).toBe(cents(units!['unit_cost_analysis.outpatient_visits']));
  });
});

// The fund supervision report, here because this file already serves Cube on the demo.
describe('fund supervision report', () => {
  it("writes the monthly report whose indicators and open alerts equal Cube's for the member", async () => {
    const { rows: months } = await pool.query<{ hospital_code: string; month: string }>(
      `select hospital_code, to_char(max(opened_period), 'YYYY-MM') as month from marts.fct_fund_alerts
        group by 1 order by count(*) desc, 1 limit 1`,
    );
    const { hospital_code: hospital, month } = months[0]!;
    const dir = await mkdtemp(path.join(workDir, 'fund-report-'));
    try {
      const file = path.join(dir, 'fund.xlsx');
      const report = await loadFundReport(pool, { month, hospitalCode: hospital });
      await writeReportWorkbook({ unitName: report.unitName, period: `月份：${month}` }, report.tables, file);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      expect(workbook.worksheets.map((ws) => ws.name)).toEqual([
        '监管指标',
        '预警事件',
        '违规筛查',
        '超支病组原因',
      ]);
      /** A sheet's data rows (below its header on row 3) by header. */
      const rowsOf = (sheet: string) => {
        const ws = workbook.getWorksheet(sheet)!;
        const headers = ws.getRow(3).values as unknown[];
        const out: Record<string, unknown>[] = [];
        ws.eachRow((row, i) => {
          if (i <= 3 || row.getCell(1).value === '合计') return;
          const entry: Record<string, unknown> = {};
          headers.forEach((h, c) => (entry[String(h)] = row.getCell(c).value));
          out.push(entry);
        });
        return out;
      };

      const load = (query: object) => cubeLoad(query, { role: 'member', hospital_code: hospital });
      const start = `${month}-01`;
      const [y, m] = month.split('-').map(Number) as [number, number];
      const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

      // Indicators: the sheet's 药占比, 耗占比, 平均住院日 and 住院次均费用 are the view's for the month.
      const indicators = rowsOf('监管指标');
      const efficiencyQuery = {
        measures: ['drug_share', 'material_share', 'avg_length_of_stay_days', 'avg_inpatient_charge'].map(
          (x) => `fund_efficiency.${x}`,
        ),
        timeDimensions: [{ dimension: 'fund_efficiency.month', dateRange: [start, end] }],
      };
      const [efficiency] = await load(efficiencyQuery);
      // A hospital's month is answered from the fund indicators' rollup (the SQL /v1/sql shows).
      const plan = (await cubeRequest('/v1/sql', efficiencyQuery, { role: 'member', hospital_code: hospital })) as {
        sql: { sql: [string, unknown[]] };
      };
      expect(plan.sql.sql[0]).toMatch(/FROM cube_pre_aggregations\.fund_indicator_cells_by_hosp/);
      // (the mart rounds ratios to 4 decimals and amounts to the cent; Cube divides its sums unrounded)
      for (const [title, measure, digits] of [
        ['药占比', 'drug_share', 4],
        ['耗占比', 'material_share', 4],
        ['平均住院日', 'avg_length_of_stay_days', 4],
        ['住院次均费用', 'avg_inpatient_charge', 2],
      ] as const) {
        const row = indicators.find((r) => r['指标'] === title);
        expect(row, title).toBeDefined();
        expect(Number(row!['本月值']), title).toBeCloseTo(
          Number(efficiency![`fund_efficiency.${measure}`]),
          digits,
        );
      }
      expect(indicators.some((r) => String(r['状态']).startsWith('超阈值'))).toBe(true);

      // Alerts: the sheet lists every alert open during the month, as the view counts them.
      const alerts = rowsOf('预警事件');
      const [counted] = await load({
        measures: ['fund_alerts.alert_count'],
        filters: [
          { member: 'fund_alerts.opened_period', operator: 'beforeDate', values: [`${end}T23:59:59`] },
          {
            or: [
              { member: 'fund_alerts.closed_period', operator: 'notSet' },
              { member: 'fund_alerts.closed_period', operator: 'afterDate', values: [start] },
            ],
          },
        ],
      });
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.length).toBe(Number(counted!['fund_alerts.alert_count']));
      // The member's Cube answers hold its own hospital only.
      const others = await load({
        dimensions: ['fund_alerts.hospital_code'],
        measures: ['fund_alerts.alert_count'],
      });
      expect(others.map((r) => r['fund_alerts.hospital_code'])).toEqual([hospital]);

      // Violations: the sheet's 合计 of flags and amounts is the view's for the month.
      const violations = workbook.getWorksheet('违规筛查')!;
      const totalRow = violations.getRow(violations.rowCount);
      expect(totalRow.getCell(1).value).toBe('合计');
      const [flagged] = await load({
        measures: ['violation_review.flag_count', 'violation_review.amount_at_issue'],
        timeDimensions: [{ dimension: 'violation_review.flag_month', dateRange: [start, end] }],
      });
      expect(Number(totalRow.getCell(5).value)).toBe(Number(flagged!['violation_review.flag_count'] ?? 0));
      expect(Number(totalRow.getCell(7).value)).toBeCloseTo(
        Number(flagged!['violation_review.amount_at_issue'] ?? 0),
        2,
      );

      // Overspending groups: at most three causes each, each its actual per case less its standard.
      const causes = rowsOf('超支病组原因');
      for (const c of causes) {
        expect(Number(c['名次'])).toBeLessThanOrEqual(3);
        // each of the three is rounded to the cent on its own: they may differ by one cent
        const gap = Number(c['实际例均']) - Number(c['标准例均']) - Number(c['例均差额']);
        expect(Math.abs(gap)).toBeLessThan(0.0101);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
