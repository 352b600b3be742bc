/**
 * `hdw simulate` (issue 13, item 5) on the small demo: a scenario given as the command's options is
 * validated by the seed's schema, stored, fct_payment_simulation rebuilt and published, and its
 * figures (per hospital and year, in marts.fct_payment_simulation, in the command's printout and
 * through the Cube view payment_simulation) equal a computation done here from the case rows of
 * marts.fct_inpatient_cases with exact decimals, to the cent. `--list` and `--remove` round it off.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../cube/security/token.ts';
import { scenarioRow, simulateCommand } from '../../ops/commands/simulate.ts';
import { serveCube, type CubeApi } from '../support/cube-api.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { createPool } from '../../core/db/database.ts';

const SECRET = 'payment-simulate-secret-long-enough-for-hs256';

// ---------------------------------------------------------------------------------------------
// Exact decimals: a value is a fraction n/d of BigInts, so no float rounding decides a cent.

type Q = readonly [bigint, bigint];
const q = (text: string | number): Q => {
  const [whole, fraction = ''] = String(text).split('.');
  return [BigInt(`${whole}${fraction}`), 10n ** BigInt(fraction.length)];
};
const mul = (a: Q, b: Q): Q => [a[0] * b[0], a[1] * b[1]];
const div = (a: Q, b: Q): Q => (b[0] < 0n ? [-a[0] * b[1], a[1] * -b[0]] : [a[0] * b[1], a[1] * b[0]]);
const add = (a: Q, b: Q): Q => [a[0] * b[1] + b[0] * a[1], a[1] * b[1]];
const gt = (a: Q, b: Q) => a[0] * b[1] > b[0] * a[1];
/** Cents, rounded half away from zero (PostgreSQL's round(numeric, 2)). */
const cents = (a: Q): bigint => {
  const n = a[0] * 100n;
  const magnitude = (2n * (n < 0n ? -n : n) + a[1]) / (2n * a[1]);
  return n < 0n ? -magnitude : magnitude;
};
const toCents = (value: unknown): bigint => cents(q(String(value)));

interface CaseRow {
  year: number;
  hospital_code: string;
  hospital_level: string;
  drg_code: string;
  drg_weight: string;
  level_coefficient: string | null;
  base_rate: string | null;
  payment_standard: string;
  total_charges: string;
  outlier_class: string;
  low_outlier_ratio: string | null;
  high_outlier_ratio: string | null;
}

interface Expected {
  cases: number;
  current: bigint;
  simulated: bigint;
  charges: bigint;
  currentHigh: number;
  simulatedHigh: number;
  currentLow: number;
  simulatedLow: number;
}

/** The rule of the scenario applied case by case (domain.md §2: standard = RW × 费率 × 级别系数). */
function expectedByHospital(
  cases: readonly CaseRow[],
  s: {
    factor: string;
    shift: string;
    level?: string;
    coefficient?: string;
    drg?: string;
    weight?: string;
    high?: string;
  },
): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const c of cases) {
    // SQL's nulls: a missing coefficient or base rate leaves the new standard null (not summed,
    // no outlier); the payer's RW is never null for a grouped case (a test of fct_inpatient_cases).
    const weight = q(c.drg_weight);
    const coefficient = c.level_coefficient === null ? null : q(c.level_coefficient);
    const newWeight = add(q(c.drg_code === s.drg ? s.weight! : c.drg_weight), q(s.shift));
    const newCoefficient = c.hospital_level === s.level ? q(s.coefficient!) : coefficient;
    const high = s.high ?? c.high_outlier_ratio;
    // The payer's standard scaled by new/current RW, the base-rate factor and new/current coefficient.
    const standard =
      weight[0] > 0n && coefficient !== null && coefficient[0] > 0n
        ? mul(
            mul(mul(q(c.payment_standard), div(newWeight, weight)), q(s.factor)),
            div(newCoefficient!, coefficient),
          )
        : newCoefficient === null || c.base_rate === null
          ? null
          : mul(mul(mul(newWeight, q(c.base_rate)), q(s.factor)), newCoefficient);
    const newCents = standard === null ? 0n : cents(standard);
    const newStandard: Q | null = standard === null ? null : [newCents, 100n];
    const key = `${c.year}|${c.hospital_code}`;
    const e = out.get(key) ?? {
      cases: 0,
      current: 0n,
      simulated: 0n,
      charges: 0n,
      currentHigh: 0,
      simulatedHigh: 0,
      currentLow: 0,
      simulatedLow: 0,
    };
    e.cases += 1;
    e.current += toCents(c.payment_standard);
    e.simulated += newCents;
    e.charges += toCents(c.total_charges);
    if (c.outlier_class === 'high') e.currentHigh += 1;
    if (c.outlier_class === 'low') e.currentLow += 1;
    // Outliers judged again: above the new high multiple, below the case's low multiple.
    if (newStandard !== null && high !== null && gt(q(c.total_charges), mul(q(high), newStandard)))
      e.simulatedHigh += 1;
    if (
      newStandard !== null &&
      c.low_outlier_ratio !== null &&
      gt(mul(q(c.low_outlier_ratio), newStandard), q(c.total_charges))
    )
      e.simulatedLow += 1;
    out.set(key, e);
  }
  return out;
}

let demo: DemoWarehouse;
let pool: pg.Pool;
let workDir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  demo = await demoWarehouse();
  pool = createPool(demo.url, 3);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-simulate-'));
  // The command reads its configuration from the environment, as `hdw simulate` does.
  Object.assign(process.env, {
    DATABASE_URL: demo.url,
    HDW_INBOX: path.join(workDir, 'inbox'),
    HDW_DATA_DIR: path.join(workDir, 'data'),
    HDW_LOG_LEVEL: 'silent',
  });
}, 900_000);

afterAll(async () => {
  process.env = savedEnv;
  await pool?.end();
  await demo?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The cases a simulation covers: DRG-paid, grouped, with a payment standard (the mart's scope). */
async function scopeCases(): Promise<CaseRow[]> {
  const { rows } = await pool.query<CaseRow>(
    `select year, hospital_code, hospital_level, drg_code, drg_weight::text, level_coefficient::text,
       base_rate::text, payment_standard::text, total_charges::text, outlier_class,
       low_outlier_ratio::text, high_outlier_ratio::text
     from marts.fct_inpatient_cases where is_grouped and payment_method = 'DRG' and payment_standard > 0`,
  );
  return rows;
}

const run = async (code: string | undefined, opts: Parameters<typeof simulateCommand>[1]) => {
  let text = '';
  await simulateCommand(code, opts, (t) => (text += t));
  return text;
};

describe('hdw simulate', () => {
  it('validates a scenario with the seed schema before storing anything', async () => {
    expect(() => scenarioRow('x', { baseRateFactor: 'abc' })).toThrow(/base_rate_factor/);
    expect(() => scenarioRow('x', { level: '2' })).toThrow(/--level and --level-coefficient go together/);
    expect(() => scenarioRow('x', {})).toThrow(/changes nothing/);
    expect(() => scenarioRow('a|b', { cmiShift: '0.1' })).toThrow(/scenario code/);
    expect(() => scenarioRow('x', { baseRateFactor: '0' })).toThrow(/greater than 0/);
    expect(scenarioRow('x', { cmiShift: '0.1' })).toMatchObject({
      scenario_code: 'x',
      scenario_name: '每例权重 +0.1',
      base_rate_factor: '1',
      weight_delta: '0.1',
      hospital_level: null,
    });
    await expect(run('cmi_plus_0_1', { cmiShift: '0.2' })).rejects.toThrow(/已在种子/);
  });

  it('answers the seed example: CMI +0.1 through the command equals the seed scenario and the case-by-case computation', async () => {
    const printed = await run('cmi_up', { cmiShift: '0.1', name: 'CMI 提高 0.1' });
    const expected = expectedByHospital(await scopeCases(), { factor: '1', shift: '0.1' });
    const { rows } = await pool.query<{ scenario_code: string; current: string; simulated: string }>(
      `select scenario_code, sum(current_payment)::text as current, sum(simulated_payment)::text as simulated
       from marts.fct_payment_simulation where scenario_code in ('cmi_up', 'cmi_plus_0_1') group by 1 order by 1`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.simulated).toBe(rows[1]!.simulated);
    const total = (key: 'current' | 'simulated') => [...expected.values()].reduce((a, e) => a + e[key], 0n);
    expect(toCents(rows[0]!.current)).toBe(total('current'));
    expect(toCents(rows[0]!.simulated)).toBe(total('simulated'));
    // The answer to "CMI up by 0.1": payment up by Σ standard × 0.1 / RW over Σ standard.
    const change = Number(total('simulated') - total('current')) / Number(total('current'));
    console.log(
      `CMI +0.1: payment ${rows[0]!.current} → ${rows[0]!.simulated} (${(change * 100).toFixed(2)} %)`,
    );
    expect(change).toBeGreaterThan(0.05);
    expect(printed).toContain('支付模拟方案 cmi_up：CMI 提高 0.1');
    // Each year's 合计 line carries the year's rate, as the printout rounds it.
    for (const year of new Set([...expected.keys()].map((k) => k.split('|')[0]))) {
      const ofYear = [...expected].filter(([k]) => k.startsWith(`${year}|`)).map(([, e]) => e);
      const [cur, sim] = [0, 1].map((i) =>
        ofYear.reduce((a, e) => a + (i === 0 ? e.current : e.simulated), 0n),
      );
      expect(printed).toContain(`${(((Number(sim) - Number(cur)) / Number(cur)) * 100).toFixed(2)}%`);
    }
  });

  it('a scenario changing every rule: mart, printout and Cube equal the case-by-case computation to the cent', async () => {
    const cases = await scopeCases();
    expect(cases.length).toBeGreaterThan(100);
    // The group with most cases gets a new RW; level 2 a new coefficient.
    const counts = new Map<string, number>();
    for (const c of cases) counts.set(c.drg_code, (counts.get(c.drg_code) ?? 0) + 1);
    const drg = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const scenario = {
      factor: '0.97',
      shift: '0.05',
      level: '2',
      coefficient: '0.85',
      drg,
      weight: '1.2345',
      high: '2.5',
    };
    const printed = await run('mix', {
      baseRateFactor: scenario.factor,
      cmiShift: scenario.shift,
      level: scenario.level,
      levelCoefficient: scenario.coefficient,
      drg,
      drgWeight: scenario.weight,
      highOutlierRatio: scenario.high,
    });
    const expected = expectedByHospital(cases, scenario);
    expect(expected.size).toBeGreaterThan(4);

    const { rows: mart } = await pool.query(
      `select year, hospital_code, min(hospital_name) as hospital_name, sum(case_count)::int as cases,
         sum(current_payment)::text as current, sum(simulated_payment)::text as simulated,
         sum(current_margin)::text as current_margin, sum(simulated_margin)::text as simulated_margin,
         sum(current_high_outliers)::int as current_high, sum(simulated_high_outliers)::int as simulated_high,
         sum(current_low_outliers)::int as current_low, sum(simulated_low_outliers)::int as simulated_low,
         min(scenario_name) as name
       from marts.fct_payment_simulation where scenario_code = 'mix' group by 1, 2`,
    );
    expect(mart.map((r) => `${r.year}|${r.hospital_code}`).sort()).toEqual([...expected.keys()].sort());
    for (const r of mart) {
      const e = expected.get(`${r.year}|${r.hospital_code}`)!;
      const label = `${r.year} ${r.hospital_code}`;
      expect(r.cases, label).toBe(e.cases);
      expect(toCents(r.current), label).toBe(e.current);
      expect(toCents(r.simulated), label).toBe(e.simulated);
      expect(toCents(r.current_margin), label).toBe(e.current - e.charges);
      expect(toCents(r.simulated_margin), label).toBe(e.simulated - e.charges);
      expect([r.current_high, r.simulated_high, r.current_low, r.simulated_low], label).toEqual([
        e.currentHigh,
        e.simulatedHigh,
        e.currentLow,
        e.simulatedLow,
      ]);
      // The printout's line for the hospital: its simulated payment, as printed (thousands separated).
      const yuan = (Number(e.simulated) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2 });
      expect(printed, label).toContain(`${r.hospital_name}\t${e.cases}\t`);
      expect(printed, label).toContain(yuan);
    }
    expect(mart[0]!.name).toBe(
      `费率 ×0.97；每例权重 +0.05；二级医院级别系数 0.85；病组 ${drg} 权重 1.2345；高倍率界值 2.5`,
    );
    const total = [...expected.values()].reduce((a, e) => a + e.simulated, 0n);
    console.log(
      `mix: ${expected.size} hospital-years, simulated payment ${Number(total) / 100} (current ${
        Number([...expected.values()].reduce((a, e) => a + e.current, 0n)) / 100
      })`,
    );

    // Through Cube, as a manager would ask it: per hospital and year.
    const api: CubeApi = await serveCube({ databaseUrl: demo.url, jwtSecret: SECRET });
    try {
      const token = await signToken({ role: 'analyst', alliance_id: 'YH01' }, SECRET, 600);
      const v = 'payment_simulation';
      let body: { data?: Record<string, unknown>[]; error?: string } = {};
      for (const until = Date.now() + 180_000; Date.now() < until;) {
        const response = await fetch(`${api.base}/cubejs-api/v1/load`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify({
            query: {
              measures: [`${v}.simulated_payment`, `${v}.simulated_margin`, `${v}.simulated_high_outliers`],
              dimensions: [`${v}.year`, `${v}.hospital_code`],
              filters: [{ member: `${v}.scenario_code`, operator: 'equals', values: ['mix'] }],
              limit: 50_000,
            },
          }),
        });
        body = (await response.json()) as typeof body;
        if (body.error !== 'Continue wait') break;
      }
      expect(body.error).toBeUndefined();
      const cube = body.data!;
      expect(cube).toHaveLength(expected.size);
      for (const r of cube) {
        const e = expected.get(`${r[`${v}.year`]}|${r[`${v}.hospital_code`]}`)!;
        expect(toCents(r[`${v}.simulated_payment`])).toBe(e.simulated);
        expect(toCents(r[`${v}.simulated_margin`])).toBe(e.simulated - e.charges);
        expect(Number(r[`${v}.simulated_high_outliers`])).toBe(e.simulatedHigh);
      }
    } finally {
      await api.close();
    }
  });

  it('lists the scenarios and removes one of its own, never a seed one', async () => {
    const list = await run(undefined, { list: true });
    expect(list).toMatch(/cmi_plus_0_1\t.*\t种子\t支付变化 /);
    expect(list).toMatch(/mix\t.*\thdw simulate\t支付变化 /);
    await run(undefined, { remove: 'mix' });
    const { rows } = await pool.query(
      `select count(*)::int as n from marts.fct_payment_simulation where scenario_code = 'mix'`,
    );
    expect(rows[0].n).toBe(0);
    await expect(run(undefined, { remove: 'cmi_plus_0_1' })).rejects.toThrow(/来自种子/);
    await expect(run(undefined, { remove: 'nothing_here' })).rejects.toThrow(/没有方案/);
  });

  it('does not keep a scenario the mart cannot be built with', async () => {
    // An RW so large that the payment overflows numeric(18, 2): the rebuild fails, nothing is kept.
    await expect(
      run('overflow', { drg: 'ZZ99', drgWeight: '1', cmiShift: '1000000000000000' }),
    ).rejects.toThrow(/fct_payment_simulation was not rebuilt/);
    const { rows } = await pool.query(
      `select (select count(*)::int from ops.payment_scenarios where scenario_code = 'overflow') as stored,
         (select count(*)::int from marts.fct_payment_simulation where scenario_code = 'overflow') as built`,
    );
    expect(rows[0]).toEqual({ stored: 0, built: 0 });
  });
});
