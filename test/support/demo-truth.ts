import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { CALIBRATION_VOLUMES } from '../../pipelines/demo/calibration.ts';

/** Economics of one hospital over the whole demo, computed from its delivered files. */
export interface HospitalEconomics {
  readonly hospital: string;
  readonly level: string;
  /** Cost in the ERP ledger files (planted negative amounts counted by their size), yuan. */
  readonly ledgerCost: number;
  readonly ledgerPersonnel: number;
  readonly ledgerDepreciation: number;
  /** Cost and revenue in _ground_truth/hospital_months.csv, yuan. */
  readonly truthCost: number;
  readonly revenue: number;
}

type Row = Record<string, string>;

/** Reads a delivered CSV file (UTF-8 with or without BOM, or GBK). */
export function readCsv(file: string, gbk: boolean): Row[] {
  const bytes = readFileSync(file);
  const text = gbk ? iconv.decode(bytes, 'gbk') : bytes.toString('utf8').replace(/^\uFEFF/, '');
  return parse(text, { columns: true }) as Row[];
}

/** Reads a ground-truth file of a generated demo. */
export function truth(dir: string, name: string): Row[] {
  return readCsv(path.join(dir, '_ground_truth', name), false);
}

/**
 * Cost, personnel and depreciation per hospital from the ERP ledgers, revenue from the ground
 * truth: what a test needs to check the demo's economics without the warehouse.
 */
export function hospitalEconomics(dir: string): HospitalEconomics[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8')) as {
    hospitals: { code: string; level: string; encoding: string; header_language: string }[];
  };
  const months = truth(dir, 'hospital_months.csv');
  return manifest.hospitals.map((h) => {
    let ledgerCost = 0;
    let ledgerPersonnel = 0;
    let ledgerDepreciation = 0;
    const erp = path.join(dir, h.code, 'erp');
    for (const name of readdirSync(erp).filter((n) => n.startsWith('cost_ledger_'))) {
      for (const r of readCsv(path.join(erp, name), h.encoding === 'GBK')) {
        const item = r.cost_item_code ?? r['成本项目编码'] ?? '';
        const amount = Math.abs(Number(r.amount ?? r['金额']));
        ledgerCost += amount;
        if (item === '01') ledgerPersonnel += amount;
        if (item === '04') ledgerDepreciation += amount;
      }
    }
    const mine = months.filter((m) => m.hospital_code === h.code);
    return {
      hospital: h.code,
      level: h.level,
      ledgerCost,
      ledgerPersonnel,
      ledgerDepreciation,
      truthCost: mine.reduce((s, m) => s + Number(m.cost_total), 0),
      revenue: mine.reduce((s, m) => s + Number(m.revenue), 0),
    };
  });
}

/** The payer scenarios every demo plants (`scenarios.csv`), each with its key. */
export const PLANTED_SCENARIOS = [
  'high_outlier',
  'low_outlier',
  'low_risk_death',
  'split_admission',
  'upcoding',
  'low_standard_admission',
  'duplicate_charge',
  'over_priced_charge',
  'cost_overrun',
  'drg_cost_over_standard_week',
  'drug_price_move',
  'settlement_pending',
  'settlement_partly_refused',
] as const;

/** Scenarios whose key is an inpatient visit id (the others: a charge line, an item, a group-week). */
export const VISIT_SCENARIOS: ReadonlySet<string> = new Set([
  'high_outlier',
  'low_outlier',
  'low_risk_death',
  'split_admission',
  'upcoding',
  'low_standard_admission',
  'cost_overrun',
  'settlement_pending',
  'settlement_partly_refused',
]);

/** Longest run of consecutive weeks (Mondays 7 days apart) among `mondays`. */
export function longestWeekRun(mondays: readonly string[]): number {
  const days = [...new Set(mondays)]
    .map((d) => Date.parse(`${d}T00:00:00Z`) / 86_400_000)
    .sort((a, b) => a - b);
  let best = 0;
  let run = 0;
  days.forEach((d, i) => {
    run = i > 0 && d - (days[i - 1] ?? 0) === 7 ? run + 1 : 1;
    best = Math.max(best, run);
  });
  return best;
}

/** Problems found in the demo's economics and planted scenarios (empty when all hold). */
export function demoTruthProblems(
  dir: string,
  options: { readonly minDischarges: number; readonly requireOverrunWeeks: number },
): string[] {
  const problems: string[] = [];
  const months = truth(dir, 'hospital_months.csv');
  for (const e of hospitalEconomics(dir)) {
    const discharges = months
      .filter((m) => m.hospital_code === e.hospital)
      .reduce((s, m) => s + Number(m.discharges), 0);
    if (Math.abs(e.ledgerCost - e.truthCost) > 0.01 * e.truthCost)
      problems.push(`${e.hospital} ledger ${e.ledgerCost} ≠ truth ${e.truthCost}`);
    if (discharges < options.minDischarges) continue;
    const ratio = e.ledgerCost / e.revenue;
    const personnel = e.ledgerPersonnel / e.ledgerCost;
    if (ratio < 0.85 || ratio > 1.1) problems.push(`${e.hospital} cost/revenue ${ratio.toFixed(3)} (${discharges} discharges)`);
    if (personnel < 0.28 || personnel > 0.45)
      problems.push(`${e.hospital} personnel share ${personnel.toFixed(3)}`);
  }
  const cases = new Map(truth(dir, 'cases.csv').map((c) => [`${c.hospital_code}/${c.visit_id}`, c]));
  const scenarios = truth(dir, 'scenarios.csv');
  for (const kind of PLANTED_SCENARIOS)
    if (!scenarios.some((s) => s.scenario === kind && s.key)) problems.push(`no ${kind} planted`);
  for (const s of scenarios) {
    if (!VISIT_SCENARIOS.has(s.scenario ?? '')) continue;
    const c = cases.get(`${s.hospital_code}/${s.key ?? ''}`);
    if (!c) {
      problems.push(`${s.scenario} ${s.hospital_code}/${s.key}: no such stay`);
      continue;
    }
    if (s.scenario === 'upcoding' && !(Number(c.coded_rw) > Number(c.true_rw)))
      problems.push(`upcoding ${s.key} not to a heavier group`);
    if (s.scenario === 'low_risk_death' && c.died !== '1') problems.push(`low_risk_death ${s.key} survived`);
    if (s.scenario === 'high_outlier' && c.outlier !== 'high') problems.push(`high_outlier ${s.key} is not`);
    if (s.scenario === 'low_outlier' && c.outlier !== 'low') problems.push(`low_outlier ${s.key} is not`);
    if (s.scenario === 'split_admission') {
      const first = cases.get(`${s.hospital_code}/${(s.detail ?? '').replace('前次住院 ', '')}`);
      const admit = Date.parse(c.discharge_date ?? '') / 86_400_000 - Number(c.los);
      const gap = first ? admit - Date.parse(first.discharge_date ?? '') / 86_400_000 : NaN;
      if (!first || first.true_drg_code !== c.true_drg_code || !(gap >= 1 && gap <= 15))
        problems.push(`split_admission ${s.key}: gap ${gap}`);
    }
  }
  const selfPay = [...cases.values()].filter((c) => c.insurance_type === '999');
  if (selfPay.length === 0 || selfPay.some((c) => !c.coded_drg_code))
    problems.push('self-pay stays without a group');
  const weeks = scenarios
    .filter((s) => s.scenario === 'drg_cost_over_standard_week')
    .map((s) => (s.key ?? '').split(':')[1] ?? '');
  if (longestWeekRun(weeks) < options.requireOverrunWeeks)
    problems.push(`cost over standard for ${longestWeekRun(weeks)} consecutive weeks only`);
  return problems;
}

/**
 * Whether what the payers publish agrees with the stays and follows the generated cost, from the
 * files alone: every stay's true and coded RW (`cases.csv`) is the city's published RW of its
 * group and year; a DRG stay's standard is RW × the published 费率 × level coefficient, a DIP
 * stay's 分值 is its 病种's published score and its standard 分值 × the published provisional
 * 点值 × the county's level coefficient (seeds/policy/dip_level_coefficients.csv), to the cent;
 * each budget is total points × 点值 to the cent; and for every group (city DRG stays) and 病种
 * (all stays) with at least `minStays` stays in a year, the year's mean estimated cost over the
 * overall mean is what was published (RW, 分值 / 100) within `tolerance` or four standard errors,
 * whichever is wider. The payers calibrate on a sample of the region ({@link
 * CALIBRATION_VOLUMES}: a cell of n demo stays had about n × 4,000 / the year's stays in the
 * sample), so both the sample's mean and the demo's scatter: the standard error of their ratio is
 * the cell's coefficient of variation × √(1/n + 1/n_sample).
 */
export function paymentPolicyProblems(
  dir: string,
  options: { readonly minStays: number; readonly tolerance: number },
): string[] {
  const problems: string[] = [];
  const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8')) as {
    hospitals: { code: string; level_code: string; payment: string; payer: string }[];
  };
  const hospitals = new Map(manifest.hospitals.map((h) => [h.code, h]));
  const dipCoef = new Map(
    readCsv(path.join(import.meta.dirname, '../../seeds/policy/dip_level_coefficients.csv'), false).map(
      (r) => [`${r.publisher_code}/${r.hospital_level}`, Number(r.level_coefficient)],
    ),
  );
  const cases = truth(dir, 'cases.csv');
  const publisher = (p: string, name: string): Row[] => readCsv(path.join(dir, p, 'insurance', name), false);
  const off = (a: number, b: number, by: number): boolean => !(Math.abs(a - b) <= by);
  for (const year of [...new Set(cases.map((c) => (c.period ?? '').slice(0, 4)))].sort()) {
    const rw = new Map(publisher('P320900', `drg_groups_${year}.csv`).map((g) => [g.drg_code, Number(g.rw)]));
    const rates = new Map(
      publisher('P320900', `drg_base_rates_${year}.csv`).map((r) => [
        `${r.insutype}/${r.hospital_level}`,
        Number(r.base_rate) * Number(r.level_coef),
      ]),
    );
    const catalogue = publisher('P320925', `dip_catalogue_${year}.csv`);
    const score = new Map(catalogue.map((d) => [`${d.dip_code}|${d.diag_code}`, Number(d.score)]));
    const dipOf = new Map(catalogue.map((d) => [`${d.diag_code}|${d.oprn_code}`, d]));
    const [budget] = publisher('P320925', `dip_budget_${year}.csv`);
    if (
      !budget ||
      off(Number(budget.budget), Number(budget.total_points) * Number(budget.point_value), 0.0051)
    )
      problems.push(`${year} DIP budget is not total points × 点值`);
    const provisional = Number(budget?.provisional_point_value);

    const yearCases = cases.filter((c) => c.period?.startsWith(year));
    for (const c of yearCases) {
      const h = hospitals.get(c.hospital_code ?? '');
      const tag = `${year} ${c.hospital_code}/${c.visit_id}`;
      if (off(Number(c.coded_rw), rw.get(c.coded_drg_code ?? '') ?? NaN, 0.00005))
        problems.push(`${tag}: coded_rw ${c.coded_rw} is not the published RW of ${c.coded_drg_code}`);
      if (off(Number(c.true_rw), rw.get(c.true_drg_code ?? '') ?? NaN, 0.00005))
        problems.push(`${tag}: true_rw ${c.true_rw} is not the published RW of ${c.true_drg_code}`);
      if (c.payment_method === 'DRG') {
        const expected = Number(c.coded_rw) * (rates.get(`${c.insurance_type}/${h?.level_code}`) ?? NaN);
        if (off(Number(c.payment_standard), expected, 0.0051))
          problems.push(
            `${tag}: DRG standard ${c.payment_standard}, published policy gives ${expected.toFixed(2)}`,
          );
      } else if (c.payment_method === 'DIP' && c.dip_code) {
        const s = score.get(`${c.dip_code}|${c.main_diag_code}`) ?? NaN;
        if (off(Number(c.dip_score), s, 0.0051)) problems.push(`${tag}: 分值 ${c.dip_score}, published ${s}`);
        const expected = s * provisional * (dipCoef.get(`${h?.payer}/${h?.level_code}`) ?? 1);
        if (off(Number(c.payment_standard), expected, 0.0051))
          problems.push(
            `${tag}: DIP standard ${c.payment_standard}, published policy gives ${expected.toFixed(2)}`,
          );
      }
    }

    // Calibration: the year's mean cost per group / 病种 against what was published.
    const sampleShare = CALIBRATION_VOLUMES.inpatient / Math.max(1, yearCases.length);
    const spread = (
      stays: readonly Row[],
      keyOf: (c: Row) => string | undefined,
      published: (key: string) => number,
      what: string,
    ): void => {
      const all = stays.reduce((s, c) => s + Number(c.est_cost), 0) / Math.max(1, stays.length);
      const by = new Map<string, number[]>();
      for (const c of stays) {
        const key = keyOf(c);
        if (!key) continue;
        const costs = by.get(key);
        if (costs) costs.push(Number(c.est_cost));
        else by.set(key, [Number(c.est_cost)]);
      }
      for (const [key, costs] of by) {
        const n = costs.length;
        if (n < options.minStays) continue;
        const mean = costs.reduce((a, b) => a + b, 0) / n;
        const cv = Math.sqrt(costs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) / mean;
        const se = cv * Math.sqrt(1 / n + 1 / Math.max(1, n * sampleShare));
        const ratio = mean / all / published(key);
        if (off(ratio, 1, Math.max(options.tolerance, 4 * se)))
          problems.push(
            `${year} ${what} ${key}: mean cost ${ratio.toFixed(3)} × what was published (${n} stays, standard error ${se.toFixed(3)})`,
          );
      }
    };
    spread(
      yearCases.filter((c) => hospitals.get(c.hospital_code ?? '')?.payment === 'DRG'),
      (c) => c.coded_drg_code,
      (k) => rw.get(k) ?? NaN,
      'RW',
    );
    const dipKey = (c: Row): string | undefined => {
      const d = dipOf.get(`${c.main_diag_code}|${c.main_oprn_code}`) ?? dipOf.get(`${c.main_diag_code}|`);
      return d ? `${d.dip_code}|${d.diag_code}` : undefined;
    };
    spread(yearCases, dipKey, (k) => (score.get(k) ?? NaN) / 100, '分值');
  }
  return problems;
}
