import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';
import { demoHookTimeout } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { truth } from '../support/demo-truth.ts';
import { alertEpisodes, alertRules } from '../support/alert-truth.ts';
import { exact, fundTruth, shiftMonth, type FundMonthTruth } from '../support/fund-truth.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * The fund-efficiency marts against figures computed from the generated files alone (outpatient
 * visits, charge lines, the stays as drg-truth.ts classifies them, settlement lists and fund
 * payments, the seeds' flags): every indicator for every hospital and month, amounts to the cent and
 * ratios to 4 decimals. Every ratio is a quotient of whole cents (or days, or visits), so the test
 * rounds it exactly as PostgreSQL's numeric does (half away from zero), with no tolerance. The small
 * demo always; `HDW_FULL=1` the full demo as well.
 */
const full = process.env.HDW_FULL === '1';

const big = (v: number): bigint => BigInt(v);
const ratio = (n: number, d: number) => exact(big(n), big(d), 4);
const money = (n: number, d: number) => exact(big(n), big(d) * 100n, 2);
/** (a / n) / (b / m) − 1 = (a·m − b·n) / (b·n), to 4 decimals; null without a prior value. */
function growth(a: number, n: number, prior: FundMonthTruth | undefined, pick: 'out' | 'in'): number | null {
  if (!prior || n === 0) return null;
  const [b, m] =
    pick === 'out'
      ? [prior.outpatientCents, prior.outpatientVisits]
      : [prior.dischargedTotalCents, prior.discharges];
  if (m === 0 || b === 0) return null;
  return exact(big(a) * big(m) - big(b) * big(n), big(b) * big(n), 4);
}
const num = (v: unknown): number | null => (v === null ? null : Number(v));
const toCents = (v: unknown): number => Math.round(Number(v) * 100);

const keyOf = (t: FundMonthTruth, month = t.month) => `${t.hospital}|${month}|${t.group}`;

/** What the stays and their settlement lists give, at either grain. */
function expectedStays(t: FundMonthTruth, byKey: Map<string, FundMonthTruth>) {
  const lastMonth = byKey.get(keyOf(t, shiftMonth(t.month, 1)));
  const lastYear = byKey.get(keyOf(t, shiftMonth(t.month, 12)));
  return {
    discharges: t.discharges,
    discharged_total_charges: t.dischargedTotalCents,
    avg_inpatient_charge: money(t.dischargedTotalCents, t.discharges),
    avg_inpatient_charge_mom_growth: growth(t.dischargedTotalCents, t.discharges, lastMonth, 'in'),
    avg_inpatient_charge_yoy_growth: growth(t.dischargedTotalCents, t.discharges, lastYear, 'in'),
    discharged_bed_days: t.bedDays,
    avg_length_of_stay_days: ratio(t.bedDays, t.discharges),
    declared_case_count: t.declaredCases,
    settled_case_count: t.settledCases,
    declared_amount: t.declaredCents,
    settled_declared_amount: t.settledDeclaredCents,
    settled_amount: t.settledCents,
    settlement_rate_by_cases: ratio(t.settledCases, t.declaredCases),
    settlement_rate_by_amount: ratio(t.settledCents, t.declaredCents),
    settlement_rate_by_declared_amount: ratio(t.settledDeclaredCents, t.declaredCents),
    refused_amount: t.refusedCents,
    deducted_amount: t.deductedCents,
    refusal_rate: ratio(t.refusedCents + t.deductedCents, t.declaredCents),
    refused_only_rate: ratio(t.refusedCents, t.declaredCents),
    fund_paid_amount: t.fundPaidCents,
    fund_standard_amount: t.standardCents,
    fund_actual_amount: t.actualCents,
    fund_balance_amount: t.standardCents - t.actualCents,
    fund_balance_rate: ratio(t.standardCents - t.actualCents, t.standardCents),
  };
}

function expected(t: FundMonthTruth, byKey: Map<string, FundMonthTruth>) {
  const lastMonth = byKey.get(keyOf(t, shiftMonth(t.month, 1)));
  const lastYear = byKey.get(keyOf(t, shiftMonth(t.month, 12)));
  return {
    ...expectedStays(t, byKey),
    outpatient_visits: t.outpatientVisits,
    outpatient_charges: t.outpatientCents,
    avg_outpatient_charge: money(t.outpatientCents, t.outpatientVisits),
    avg_outpatient_charge_mom_growth: growth(t.outpatientCents, t.outpatientVisits, lastMonth, 'out'),
    avg_outpatient_charge_yoy_growth: growth(t.outpatientCents, t.outpatientVisits, lastYear, 'out'),
    inpatient_charges: t.inpatientCents,
    avg_inpatient_revenue_per_discharge: money(t.inpatientCents, t.discharges),
    medical_charges: t.medicalCents,
    drug_charges: t.drugCents,
    herbal_pieces_charges: t.herbalCents,
    material_charges: t.materialCents,
    drug_share: ratio(t.drugCents, t.medicalCents),
    drug_share_excl_herbal_pieces: ratio(t.drugCents - t.herbalCents, t.medicalCents),
    material_share: ratio(t.materialCents, t.medicalCents),
    material_cost: t.materialCostCents,
    material_cost_per_100_non_drug_revenue: ratio(t.materialCostCents * 100, t.medicalCents - t.drugCents),
    material_charges_per_100_non_drug_revenue: ratio(t.materialCents * 100, t.medicalCents - t.drugCents),
  };
}

/** Columns in cents in {@link expected}; every other one compares as a number or null. */
const centColumns = new Set([
  'outpatient_charges',
  'discharged_total_charges',
  'inpatient_charges',
  'medical_charges',
  'drug_charges',
  'herbal_pieces_charges',
  'material_charges',
  'material_cost',
  'declared_amount',
  'settled_declared_amount',
  'settled_amount',
  'refused_amount',
  'deducted_amount',
  'fund_paid_amount',
  'fund_standard_amount',
  'fund_actual_amount',
  'fund_balance_amount',
]);

function actual(row: Record<string, unknown>, columns: readonly string[]) {
  return Object.fromEntries(columns.map((c) => [c, centColumns.has(c) ? toCents(row[c]) : num(row[c])]));
}

interface Truths {
  readonly truths: FundMonthTruth[];
  readonly groupTruths: FundMonthTruth[];
  readonly drugPurchases: Set<string>;
  /** The demo's folder, for its ground truth. */
  readonly dir: string;
}

/** The seed's alert rules. */
/** Each check of the marts against the files, by what it asserts; a demo of either size runs them all. */
const checks: ReadonlyArray<readonly [string, (pool: pg.Pool, t: Truths) => Promise<void>]> = [
  [
    'per hospital and month every indicator equals the files: 次均费用 and growth, 药占比, 耗占比, 平均住院日, 结算率, 拒付率, 基金结余率, fund paid',
    async (pool, { truths }) => {
      const byKey = new Map(truths.map((t) => [keyOf(t), t]));
      const { rows } = await pool.query(
        `select *, to_char(month, 'YYYY-MM') as ym from marts.fct_fund_indicators where aggregation_level = 'hospital'`,
      );
      expect(rows.map((r) => `${r.hospital_code}|${r.ym}|*`).sort()).toEqual([...byKey.keys()].sort());
      for (const t of truths) {
        const want = expected(t, byKey);
        const row = rows.find((r) => r.hospital_code === t.hospital && r.ym === t.month);
        expect(actual(row, Object.keys(want)), `${t.hospital} ${t.month}`).toEqual(want);
      }
      // The demo exercises what is checked: growth both ways, refusals, pending and settled lists, 饮片.
      const insured = truths.filter((t) => t.declaredCases > 0);
      expect(insured.some((t) => t.settledCases < t.declaredCases)).toBe(true);
      expect(insured.some((t) => t.refusedCents > 0 && t.deductedCents > 0)).toBe(true);
      expect(truths.some((t) => t.herbalCents > 0)).toBe(true);
      expect(truths.some((t) => t.materialCostCents > 0)).toBe(true);
      expect(rows.some((r) => r.avg_outpatient_charge_yoy_growth !== null)).toBe(true);
      expect(rows.some((r) => r.avg_inpatient_charge_mom_growth !== null)).toBe(true);
    },
  ],
  [
    'alerts: each hospital-wide rule of the seed opens, stays open and closes on the months the files give',
    async (pool, { truths }) => {
      const rules = alertRules(projectPaths.seeds).filter(
        (r) => r.scope === 'hospital' && r.basis === 'absolute',
      );
      expect(rules.length).toBeGreaterThan(0);
      const byKey = new Map(truths.map((t) => [keyOf(t), t]));
      const want = rules.flatMap((rule) =>
        [...new Set(truths.map((t) => t.hospital))].flatMap((hospital) => {
          const months = truths.filter((t) => t.hospital === hospital);
          const series = months.map((t) => ({
            month: t.month,
            value: (expected(t, byKey) as Record<string, number | null>)[rule.indicator!] ?? null,
          }));
          const latest = months.map((t) => t.month).sort()[months.length - 1]!;
          return alertEpisodes(rule, hospital, '*', series, latest).map((e) => ({
            fund_alert_id: e.fund_alert_id,
            opened_period: e.opened_period,
            breach_periods: e.breach_periods,
            current_value: e.current_value,
            status: e.status,
          }));
        }),
      );
      const { rows } = await pool.query(`
        select fund_alert_id, to_char(opened_period, 'YYYY-MM') as opened_period, breach_periods::int, current_value, status
          from marts.fct_fund_alerts where scope = 'hospital' and basis = 'absolute'`);
      const got = rows.map((r) => ({ ...r, current_value: Number(r.current_value) }));
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
        String(a.fund_alert_id).localeCompare(String(b.fund_alert_id));
      expect(got.sort(byId)).toEqual(want.sort(byId));
      // The demo exercises both states.
      expect(want.some((a) => a.status === 'open')).toBe(true);
      expect(want.some((a) => a.status === 'closed')).toBe(true);
    },
  ],
  [
    'alerts: every planted drug price move, group cost overrun and low-risk death is caught by its rule',
    async (pool, { dir, drugPurchases }) => {
      const rules = alertRules(projectPaths.seeds);
      const ruleOf = (indicator: string) => {
        const r = rules.find((x) => x.indicator === indicator);
        if (!r) throw new Error(`no alert rule watches ${indicator}`);
        return r;
      };
      const planted = truth(dir, 'scenarios.csv');
      const { rows: alerts } = await pool.query(`
        select rule_id, hospital_code, coalesce(scope_code, '*') as member, status,
               to_char(first_breach_period, 'YYYY-MM-DD') as first, to_char(last_breach_period, 'YYYY-MM-DD') as last
          from marts.fct_fund_alerts`);
      const covered = (rule: string, hospital: string, member: string, day: string) =>
        alerts.some(
          (a) =>
            a.rule_id === rule &&
            a.hospital_code === hospital &&
            a.member === member &&
            a.first <= day &&
            day <= a.last,
        );
      const found: Record<string, [number, number]> = {};
      const tally = (what: string, hit: boolean) => {
        const f = (found[what] ??= [0, 0]);
        f[0] += hit ? 1 : 0;
        f[1] += 1;
      };

      // A 集采 cut moves the drug's purchase price from the month it applies, for every hospital that
      // bought the drug that month and before; the alert's run of breaches starts that month.
      const price = ruleOf('purchase_unit_price');
      for (const p of planted.filter((x) => x.scenario === 'drug_price_move')) {
        const bought = [...drugPurchases].filter((k) => k.startsWith(`${p.hospital_code}|${p.key}|`));
        if (
          !bought.some((k) => k.endsWith(`|${p.period}`)) ||
          !bought.some((k) => k.split('|')[2]! < p.period!)
        )
          continue;
        const hit = alerts.some(
          (a) =>
            a.rule_id === price.rule_id &&
            a.hospital_code === p.hospital_code &&
            a.member === p.key &&
            a.first === `${p.period}-01`,
        );
        expect(hit, `${price.rule_id} ${p.hospital_code} ${p.key} ${p.period}`).toBe(true);
        tally('drug_price_move', hit);
      }

      // The planted group's weeks over its standard: each is over by more than the rule's margin in
      // the weekly mart, and once the rule's minimum stays and persistence are met, inside an episode.
      const overrun = ruleOf('avg_case_cost');
      const weeks = planted.filter((x) => x.scenario === 'drg_cost_over_standard_week');
      const { rows: observed } = await pool.query(`
        select hospital_code || '|' || scope_code || ':' || to_char(period_start, 'YYYY-MM-DD') as key,
               value / reference_value - 1 as over, base_count::int as n
          from marts.fct_fund_alert_observations where indicator = 'avg_case_cost'`);
      const byWeek = new Map(observed.map((r) => [r.key as string, r]));
      let run = 0;
      for (const w of weeks) {
        const o = byWeek.get(`${w.hospital_code}|${w.key}`);
        expect(o, w.key).toBeDefined();
        expect(Number(o.over), w.key).toBeGreaterThan(Number(overrun.threshold));
        run = o.n >= Number(overrun.min_cases || 0) ? run + 1 : 0;
        if (run >= Number(overrun.persistence)) {
          const [group, day] = w.key!.split(':') as [string, string];
          const hit = covered(overrun.rule_id!, w.hospital_code!, group, day);
          expect(hit, `${overrun.rule_id} ${w.key}`).toBe(true);
          tally('drg_cost_over_standard_week', hit);
        }
      }
      expect(weeks.length).toBeGreaterThan(0);

      // A planted low-risk death in a group the region's mortality classes as low risk (the class
      // the DRG test checks against the files) puts its hospital's 低风险组死亡率 over the region's.
      const mortality = ruleOf('low_risk_mortality');
      const { rows: cases } = await pool.query(
        `select hospital_code, visit_id, to_char(discharge_month, 'YYYY-MM-DD') as month from marts.fct_inpatient_cases
          where is_grouped and risk_class = 1 and is_death`,
      );
      const deaths = new Map(cases.map((c) => [`${c.hospital_code}|${c.visit_id}`, c.month as string]));
      for (const d of planted.filter((x) => x.scenario === 'low_risk_death')) {
        const month = deaths.get(`${d.hospital_code}|${d.key}`);
        if (month === undefined) continue;
        const hit = covered(mortality.rule_id!, d.hospital_code!, '*', month);
        expect(hit, `${mortality.rule_id} ${d.hospital_code} ${month}`).toBe(true);
        tally('low_risk_death', hit);
      }
      console.table(
        Object.entries(found).map(([scenario, [hit, of]]) => ({ scenario, found: hit, planted: of })),
      );
      expect(found.drug_price_move?.[1]).toBeGreaterThan(0);
      expect(found.low_risk_death?.[1]).toBeGreaterThan(0);
    },
  ],
  [
    'per hospital, DRG group and month: 住院次均费用 and growth, 平均住院日, 结算率, 拒付率, 基金结余率 and fund paid equal the files',
    async (pool, { groupTruths }) => {
      const byKey = new Map(groupTruths.map((t) => [keyOf(t), t]));
      const { rows } = await pool.query(
        `select *, to_char(month, 'YYYY-MM') as ym, coalesce(drg_code, '') as grp from marts.fct_fund_drg_indicators`,
      );
      expect(rows.map((r) => `${r.hospital_code}|${r.ym}|${r.grp}`).sort()).toEqual([...byKey.keys()].sort());
      const found = new Map(rows.map((r) => [`${r.hospital_code}|${r.ym}|${r.grp}`, r]));
      for (const t of groupTruths) {
        const want = expectedStays(t, byKey);
        expect(actual(found.get(keyOf(t)), Object.keys(want)), keyOf(t)).toEqual(want);
      }
      expect(rows.some((r) => r.avg_inpatient_charge_yoy_growth !== null)).toBe(true);
      expect(rows.some((r) => r.refusal_rate !== null && Number(r.refusal_rate) > 0)).toBe(true);
    },
  ],
  [
    'per hospital and month, fund paid by fund type and refusals by reason code equal the files',
    async (pool, { truths }) => {
      const { rows: types } = await pool.query(`
        select hospital_code, to_char(month, 'YYYY-MM') as ym, fund_type_code, sum(fund_paid_amount) as paid
          from marts.fct_fund_payments_by_type group by 1, 2, 3`);
      const paid = Object.fromEntries(
        types.map((r) => [`${r.hospital_code}|${r.ym}|${r.fund_type_code}`, toCents(r.paid)]),
      );
      const paidTruth = Object.fromEntries(
        truths.flatMap((t) => [...t.fundByType].map(([type, c]) => [`${t.hospital}|${t.month}|${type}`, c])),
      );
      expect(paid).toEqual(paidTruth);
      expect(new Set(types.map((r) => r.fund_type_code)).size).toBeGreaterThan(1);

      const { rows: reasons } = await pool.query(`
        select hospital_code, to_char(month, 'YYYY-MM') as ym, coalesce(refuse_reason_code, '') as reason,
               sum(refused_amount) as refused, sum(deducted_amount) as deducted, sum(settlement_count) as cases
          from marts.fct_fund_refusals_by_reason group by 1, 2, 3`);
      const refused = Object.fromEntries(
        reasons.map((r) => [
          `${r.hospital_code}|${r.ym}|${r.reason}`,
          { refusedCents: toCents(r.refused), deductedCents: toCents(r.deducted), cases: Number(r.cases) },
        ]),
      );
      const refusedTruth = Object.fromEntries(
        truths.flatMap((t) =>
          [...t.refusalsByReason].map(([reason, v]) => [`${t.hospital}|${t.month}|${reason}`, v]),
        ),
      );
      expect(refused).toEqual(refusedTruth);
      // Reason codes as the payer returns them, deductions without one.
      expect(reasons.filter((r) => r.reason !== '').length).toBeGreaterThan(0);
      expect(reasons.some((r) => r.reason === '')).toBe(true);
      // A hospital-month's contributions add up to its 拒付率 (each rounded to 4 decimals).
      const { rows: sums } = await pool.query(`
        select f.fund_indicator_id, f.refusal_rate, sum(r.refusal_rate_contribution) as contributions, count(*) as n
          from marts.fct_fund_indicators f
          join marts.fct_fund_refusals_by_reason r
            on r.hospital_code = f.hospital_code and r.month = f.month and r.department_code is not distinct from f.department_code
         where f.aggregation_level = 'department'
         group by 1, 2`);
      expect(sums.length).toBeGreaterThan(0);
      for (const r of sums)
        expect(
          Math.abs(Number(r.contributions) - Number(r.refusal_rate)),
          r.fund_indicator_id,
        ).toBeLessThanOrEqual(0.00005 * (Number(r.n) + 1));
    },
  ],
  [
    'the department rows of a hospital and month add up to its hospital row',
    async (pool, { truths }) => {
      const additive = [
        'outpatient_visits',
        'outpatient_charges',
        'inpatient_charges',
        'discharges',
        'discharged_total_charges',
        'discharged_bed_days',
        'medical_charges',
        'drug_charges',
        'herbal_pieces_charges',
        'material_charges',
        'material_cost',
        'declared_case_count',
        'settled_case_count',
        'declared_amount',
        'settled_amount',
        'refused_amount',
        'deducted_amount',
        'fund_paid_amount',
        'fund_standard_amount',
        'fund_actual_amount',
      ];
      const { rows } = await pool.query(`
        with departments as (
          select hospital_code, month, count(*) as departments, ${additive.map((c) => `sum(${c}) as ${c}`).join(', ')}
            from marts.fct_fund_indicators where aggregation_level = 'department' group by 1, 2
        )
        select h.fund_indicator_id, d.departments,
               ${additive.map((c) => `h.${c} = d.${c}`).join(' and ')} as adds_up
          from marts.fct_fund_indicators h
          join departments d on d.hospital_code = h.hospital_code and d.month = h.month
         where h.aggregation_level = 'hospital'`);
      expect(rows.length).toBe(truths.length);
      expect(rows.filter((r) => !r.adds_up).map((r) => r.fund_indicator_id)).toEqual([]);
      expect(rows.some((r) => Number(r.departments) > 1)).toBe(true);
    },
  ],
];

describe('fund indicators on the small demo', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;
  let t: Truths;

  beforeAll(async () => {
    w = await demoWarehouse();
    pool = createPool(w.url, 2);
    const { hospitalMonths, groupMonths, drugPurchases } = fundTruth(w.generatedDir, projectPaths.seeds);
    t = { truths: hospitalMonths, groupTruths: groupMonths, drugPurchases, dir: w.generatedDir };
  }, 900_000);

  afterAll(async () => {
    await pool?.end();
    await w?.drop();
  });

  for (const [name, check] of checks) it(name, () => check(pool, t));
});

describe.runIf(full)('fund indicators on the full demo', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;

  beforeAll(async () => {
    w = await demoWarehouse('full');
    pool = createPool(w.url, 2);
  }, demoHookTimeout('full'));

  afterAll(async () => {
    await pool?.end();
    await w?.drop();
  });

  it('every indicator of every hospital, month (and DRG group) equals the files', async () => {
    const { hospitalMonths, groupMonths, drugPurchases } = fundTruth(w.generatedDir, projectPaths.seeds);
    const t = { truths: hospitalMonths, groupTruths: groupMonths, drugPurchases, dir: w.generatedDir };
    for (const [, check] of checks) await check(pool, t);
  }, 1_800_000);
});
