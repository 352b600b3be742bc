import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { projectPaths } from '../../core/paths.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { buildStage, loadProject } from '../../pipelines/run-pipeline.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { demoHookTimeout } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { truth } from '../support/demo-truth.ts';
import { drgTruth } from '../support/drg-truth.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * The DRG/DIP marts against figures computed from the generated files alone (settlements, the
 * hospitals' grouping files, front pages, the payers' tables and regional reference, the ground
 * truth): per hospital and year, to the cent and ratios to 4 decimals; every planted outlier and
 * low-risk death with its class. The small demo always; `HDW_FULL=1` the full demo as well.
 */
const full = process.env.HDW_FULL === '1';

/** numerator / denominator (non-negative integers) rounded half up to 4 decimals, exactly. */
function roundHalfUp4(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator * 10_000 + denominator) / (2 * denominator)) / 10_000;
}

async function expectMartsMatchTruth(pool: pg.Pool, generatedDir: string): Promise<void> {
  const { totals, cases } = drgTruth(generatedDir, projectPaths.seeds);
  const { rows } = await pool.query(
    `select * from marts.fct_drg_performance_rollups where aggregation_level = 'hospital' and period_grain = 'year'`,
  );
  expect(rows.length).toBe(totals.length);
  for (const t of totals) {
    const m = rows.find((r) => r.hospital_code === t.hospital && r.year === t.year);
    const label = `${t.hospital} ${t.year}`;
    expect(m, label).toBeDefined();
    expect(
      {
        cases: Number(m.case_count),
        excluded: Number(m.excluded_count),
        grouped: Number(m.grouped_count),
        totalWeight: Number(m.total_weight),
        cmi: Number(m.cmi),
        groupingRate: Number(m.grouping_rate),
        groups: Number(m.drg_group_count),
        highOutliers: Number(m.high_outlier_count),
        lowOutliers: Number(m.low_outlier_count),
        lowRiskDeaths: Number(m.low_risk_deaths),
        marginCents: Math.round(Number(m.margin_payer_view) * 100),
        fundCents: Math.round(Number(m.fund_paid_amount) * 100),
        icuCases: Number(m.icu_case_count),
        icuHundredths: Math.round(Number(m.icu_hours) * 100),
        ventHundredths: Math.round(Number(m.ventilation_hours) * 100),
        doctorGroups: Number(m.doctor_group_count),
        surgicalCases: Number(m.surgical_case_count),
        level34Cases: Number(m.level_3_4_surgery_count),
        level34Share: m.level_3_4_surgery_share === null ? null : Number(m.level_3_4_surgery_share),
      },
      label,
    ).toEqual({
      cases: t.cases,
      excluded: t.excluded,
      grouped: t.grouped,
      totalWeight: t.totalWeight,
      // Rounded half up on the exact quotient, as PostgreSQL's numeric round does (a float's
      // toFixed rounds 0.62485 down).
      cmi: roundHalfUp4(Math.round(t.totalWeight * 10_000), t.grouped * 10_000),
      groupingRate: roundHalfUp4(t.grouped, t.cases - t.excluded),
      groups: t.groups,
      highOutliers: t.highOutliers,
      lowOutliers: t.lowOutliers,
      lowRiskDeaths: t.lowRiskDeaths,
      marginCents: t.marginCents,
      fundCents: t.fundCents,
      icuCases: t.icuCases,
      icuHundredths: t.icuHundredths,
      ventHundredths: t.ventHundredths,
      doctorGroups: t.doctorGroups,
      surgicalCases: t.surgicalCases,
      level34Cases: t.level34Cases,
      level34Share: t.surgicalCases === 0 ? null : Number((t.level34Cases / t.surgicalCases).toFixed(4)),
    });
  }
  // Every judged stay names where its outlier thresholds came from, as the payer's files say.
  const { rows: sources } = await pool.query(
    `select hospital_code, visit_id, outlier_threshold_source from marts.fct_inpatient_cases where outlier_class is not null`,
  );
  const sourceOf = new Map(
    sources.map((r) => [`${r.hospital_code}|${r.visit_id}`, r.outlier_threshold_source]),
  );
  const judged = cases.filter((c) => c.thresholdSource !== undefined);
  expect(sourceOf.size).toBe(judged.length);
  for (const c of judged)
    expect(sourceOf.get(`${c.hospital}|${c.visitId}`), c.visitId).toBe(c.thresholdSource);
  // The demo plants ICU time, ventilation and doctors: the figures above are not all zero.
  expect(totals.reduce((a, t) => a + t.icuCases, 0)).toBeGreaterThan(0);
  expect(totals.reduce((a, t) => a + t.ventHundredths, 0)).toBeGreaterThan(0);
  expect(Math.min(...totals.map((t) => t.doctorGroups))).toBeGreaterThan(1);
  expect(totals.reduce((a, t) => a + t.level34Cases, 0)).toBeGreaterThan(0);

  // Every planted outlier and low-risk death is in the mart.
  const planted = truth(generatedDir, 'scenarios.csv').filter((s) =>
    ['high_outlier', 'low_outlier', 'low_risk_death'].includes(s.scenario ?? ''),
  );
  expect(planted.length).toBeGreaterThan(0);
  const { rows: martCases } = await pool.query(
    `select hospital_code, visit_id, outlier_class, risk_class, is_death from marts.fct_inpatient_cases
      where (hospital_code, visit_id) in (select * from unnest($1::text[], $2::text[]))`,
    [planted.map((s) => s.hospital_code), planted.map((s) => s.key)],
  );
  const byKey = new Map(martCases.map((r) => [`${r.hospital_code}|${r.visit_id}`, r]));
  const byTruth = new Map(cases.map((c) => [`${c.hospital}|${c.visitId}`, c]));
  // A planted outlier has the class its delivered files give: a charge planted on the same stay
  // (over-priced, duplicated) or a loaded price defect can lift its total across the threshold.
  // Nearly all keep the class they were planted with.
  let kept = 0;
  const outliers = planted.filter((s) => s.scenario !== 'low_risk_death');
  for (const s of planted) {
    const key = `${s.hospital_code}|${s.key}`;
    const m = byKey.get(key);
    expect(m, `${s.scenario} ${key}`).toBeDefined();
    if (s.scenario !== 'low_risk_death') {
      expect(m.outlier_class, key).toBe(byTruth.get(key)?.outlier ?? null);
      if (m.outlier_class === (s.scenario === 'high_outlier' ? 'high' : 'low')) kept += 1;
    }
    if (s.scenario === 'low_risk_death') {
      expect(m.is_death, key).toBe(true);
      // The region's class, as computed from the payer's regional reference (see drg-truth.ts).
      expect(m.risk_class, key).toBe(byTruth.get(key)?.riskClass ?? null);
    }
  }
  expect(
    kept / outliers.length,
    `${kept} of ${outliers.length} planted outliers keep their class`,
  ).toBeGreaterThan(0.95);
}

describe('DRG marts on the small demo', () => {
  let w: Awaited<ReturnType<typeof demoWarehouse>>;
  let pool: pg.Pool;

  beforeAll(async () => {
    w = await demoWarehouse();
    pool = createPool(w.url, 4);
  }, 900_000);

  afterAll(async () => {
    await pool?.end();
    await w?.drop();
  });

  it('per hospital and year: CMI, 总权重, 组数, 入组率, outliers (and threshold sources), low-risk deaths, margin, fund paid, ICU and ventilation hours, doctor groups and 三四级手术占比 equal the files', async () => {
    await expectMartsMatchTruth(pool, w.generatedDir);
  });

  it('no raw attending doctor code or name, nor its unsalted hash, reaches any mart or semantic (Cube view) column', async () => {
    const { doctors } = drgTruth(w.generatedDir, projectPaths.seeds);
    expect(doctors.codes.length).toBeGreaterThan(10);
    expect(doctors.names.length).toBeGreaterThan(10);
    // Nor the key one could compute without the warehouse's salt (SHA-256 of hospital | code).
    const { rows: hospitals } = await pool.query(
      `select distinct hospital_code from marts.fct_inpatient_cases`,
    );
    const unsalted = hospitals.flatMap(({ hospital_code }) =>
      doctors.codes.map((code) => createHash('sha256').update(`${hospital_code}|${code}`).digest('hex')),
    );
    const raw = [...doctors.codes, ...doctors.names, ...unsalted];
    const { rows: columns } = await pool.query(`
      select table_schema, table_name, column_name from information_schema.columns
       where table_schema in ('marts', 'semantic') and data_type in ('text', 'character varying')
       order by 1, 2, 3`);
    expect(columns.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const c of columns) {
      const rel = `"${c.table_schema}"."${c.table_name}"`;
      const { rows } = await pool.query(
        `select count(*)::int as n from ${rel} where "${c.column_name}" = any($1::text[])`,
        [raw],
      );
      if (rows[0].n > 0) leaks.push(`${c.table_schema}.${c.table_name}.${c.column_name}`);
    }
    expect(leaks).toEqual([]);
    // The doctor group reaches the case fact as a key only, for every stay whose front page names one.
    const { rows } = await pool.query(`
      select count(*) filter (where doctor_group_key ~ '^[0-9a-f]{64}$')::int as hashed,
             count(doctor_group_key)::int as keyed
        from marts.fct_inpatient_cases`);
    expect(rows[0].keyed).toBeGreaterThan(0);
    expect(rows[0].hashed).toBe(rows[0].keyed);
  });

  it('roll-ups add up: the department rows of a hospital-year sum to its hospital row', async () => {
    const { rows } = await pool.query(`
      select h.hospital_code, h.period_start, h.case_count, h.total_weight, h.margin_payer_view,
             sum(d.case_count) as dept_cases, sum(d.total_weight) as dept_weight, sum(d.margin_payer_view) as dept_margin
        from marts.fct_drg_performance_rollups h
        join marts.fct_drg_performance_rollups d
          on d.hospital_code = h.hospital_code and d.period_start = h.period_start
         and d.period_grain = h.period_grain and d.aggregation_level = 'department'
       where h.aggregation_level = 'hospital' and h.period_grain = 'quarter'
       group by 1, 2, 3, 4, 5`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(Number(r.dept_cases)).toBe(Number(r.case_count));
      expect(Number(r.dept_weight)).toBeCloseTo(Number(r.total_weight), 4);
      expect(Number(r.dept_margin)).toBeCloseTo(Number(r.margin_payer_view), 2);
    }
  });

  it('answers "CMI up by 0.1 → payment up by x %" from the simulation mart', async () => {
    const { rows } = await pool.query(`
      select s.hospital_code, sum(s.current_payment) as current, sum(s.simulated_payment) as simulated,
             sum(s.case_count) as cases
        from marts.fct_payment_simulation s
       where s.scenario_code = 'cmi_plus_0_1'
       group by 1`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      // Every case gains 0.1 RW, so payment gains 0.1 × cases × (payment per RW) — between 0 and
      // the whole payment for any CMI above 0.1.
      const rise = Number(r.simulated) / Number(r.current) - 1;
      expect(rise).toBeGreaterThan(0);
      expect(rise).toBeLessThan(1);
    }
  });

  it('a changed threshold or label in the seeds changes the marts on the next ordinary build', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-drg-seeds-'));
    try {
      const seeds = await findSeeds(projectPaths.seeds);
      const edited = await Promise.all(
        seeds.map(async (s) => {
          if (s.name !== 'drg_case_rules' && s.name !== 'drg_value_quadrants') return s;
          const csv = path.join(dir, `${s.name}.csv`);
          let text = await readFile(s.csv, 'utf8');
          // Stays over 5 days are now excluded; 优势 is now 明星.
          if (s.name === 'drg_case_rules') text = text.replace('*,60,', '*,5,');
          else text = text.replace('优势', '明星');
          await writeFile(csv, text);
          return { ...s, csv };
        }),
      );
      await loadSeeds(pool, edited, silentLogger);
      const ctx = { pool, config: loadConfig({ DATABASE_URL: w.url }), logger: silentLogger };
      const build = await buildStage(ctx, await loadProject(), { select: 'int_inpatient_cases__grouped+' });
      expect(build.blockedBy).toEqual([]);
      const { rows } = await pool.query(`
        select (select count(*) from marts.fct_inpatient_cases where is_excluded) as excluded,
               (select count(*) from marts.fct_inpatient_cases where length_of_stay_days > 5) as long_stays,
               (select count(*) from marts.fct_drg_value_quadrant where quadrant_label = '明星') as stars,
               (select count(*) from marts.fct_drg_value_quadrant where quadrant_label = '优势') as old_label`);
      expect(Number(rows[0].excluded)).toBeGreaterThan(0);
      expect(Number(rows[0].excluded)).toBeGreaterThanOrEqual(Number(rows[0].long_stays));
      expect(Number(rows[0].stars)).toBeGreaterThan(0);
      expect(Number(rows[0].old_label)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(full)('DRG marts on the full demo', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;

  beforeAll(async () => {
    w = await demoWarehouse('full');
    pool = createPool(w.url, 4);
  }, demoHookTimeout('full'));

  afterAll(async () => {
    await pool?.end();
    await w?.drop();
  });

  it('per hospital and year the marts equal the files, every planted case with its class', async () => {
    await expectMartsMatchTruth(pool, w.generatedDir);
  }, 600_000);
});
