import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { createGrouper, GROUP_STATUS } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { pregroupRecord } from '../../pipelines/pregroup/pregroup-record.ts';
import { buildStage, loadProject } from '../../pipelines/run-pipeline.ts';
import { demoHookTimeout, demoSizes } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { inStayTruth, type InStayTruthStay } from '../support/in-stay-truth.ts';

/**
 * In-stay estimates (issue 17): the demo's stays still in bed at its cut-off, checked against the
 * delivered files and the ground truth, never by re-running the mart's SQL: every stay of the
 * latest census not discharged has one row; its charges to date are the sum of its delivered
 * charge lines to the cent; its expected group is what the national rules make of the diagnoses
 * delivered so far; days in bed and the warning class follow from the files and the seed. The small
 * demo always; `HDW_FULL=1` the full demo as well.
 */
const grouper = createGrouper(readRuleSet());

interface Row {
  hospital_code: string;
  visit_id: string;
  snapshot_date: string;
  days_in_bed: number;
  expected_drg_code: string | null;
  group_status: string | null;
  payment_standard: string | null;
  charges_to_date: string;
  charge_line_count: string;
  charge_to_standard_ratio: string | null;
  warning_code: string;
  warning_label: string;
  patient_key: string | null;
}

for (const size of demoSizes)
  describe(`in-stay estimates on the ${size} demo`, () => {
    let w: DemoWarehouse;
    let pool: pg.Pool;
    let files: InStayTruthStay[] = [];
    let rows: Row[] = [];
    const key = (hospital: string, visit: string) => `${hospital}|${visit}`;

    beforeAll(async () => {
      w = await demoWarehouse(size);
      pool = new pg.Pool({ connectionString: w.url, max: 2 });
      files = inStayTruth(w.generatedDir, projectPaths.seeds);
      rows = (
        await pool.query<Row>(
          `select hospital_code, visit_id, snapshot_date::text, days_in_bed, expected_drg_code, group_status,
                  payment_standard, charges_to_date, charge_line_count, charge_to_standard_ratio, warning_code,
                  warning_label, patient_key
           from marts.fct_inpatient_stay_estimates`,
        )
      ).rows;
    }, demoHookTimeout(size));

    afterAll(async () => {
      await pool?.end();
      await w?.drop();
    });

    it('has one row for every stay in bed at the latest census, and no other', () => {
      expect(files.length).toBeGreaterThan(0);
      const listed = rows.map((r) => key(r.hospital_code, r.visit_id)).sort();
      expect(listed).toEqual(files.map((s) => key(s.hospital, s.visitId)).sort());
      // The generator's open stays are all there (its census is clean), with their snapshot and days in bed.
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong = files
        .filter((s) => {
          const r = byKey.get(key(s.hospital, s.visitId))!;
          return (
            !s.truth || r.snapshot_date !== s.snapshotDate || String(r.days_in_bed) !== s.truth.days_in_bed
          );
        })
        .map(
          (s) =>
            `${s.hospital} ${s.visitId}: ${JSON.stringify(byKey.get(key(s.hospital, s.visitId)))} vs ${JSON.stringify(s.truth)}`,
        );
      expect(wrong.slice(0, 10)).toEqual([]);
      // Patients only as salted keys.
      expect(rows.every((r) => r.patient_key === null || /^[0-9a-f]{64}$/.test(r.patient_key))).toBe(true);
    });

    it('charges to date are the stay’s delivered charge lines to the cent (and the generator’s figure)', () => {
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong: string[] = [];
      let total = 0;
      for (const s of files) {
        const r = byKey.get(key(s.hospital, s.visitId));
        const cents = Math.round(Number(r?.charges_to_date) * 100);
        total += s.chargesToDateCents;
        if (cents !== s.chargesToDateCents || Number(r?.charge_line_count) !== s.chargeLines)
          wrong.push(
            `${s.hospital} ${s.visitId}: mart ${r?.charges_to_date} (${r?.charge_line_count} lines), files ${s.chargesToDateCents / 100} (${s.chargeLines})`,
          );
        if (s.truth && Math.round(Number(s.truth.charges_to_date) * 100) !== s.chargesToDateCents)
          wrong.push(
            `${s.hospital} ${s.visitId}: files ${s.chargesToDateCents / 100}, ground truth ${s.truth.charges_to_date}`,
          );
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(total).toBeGreaterThan(0);
    });

    it('the expected group is the national rules’ group of the diagnoses delivered so far', () => {
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong: string[] = [];
      const statuses: Record<string, number> = {};
      let plannedAgree = 0;
      for (const s of files) {
        const g = grouper.group(pregroupRecord(s.input), { reasons: false });
        const own = g.status === GROUP_STATUS.grouped ? g.drg : null;
        statuses[g.status] = (statuses[g.status] ?? 0) + 1;
        if (own !== null && own === s.truth?.planned_drg_code) plannedAgree++;
        const r = byKey.get(key(s.hospital, s.visitId));
        if (!r || r.expected_drg_code !== own || r.group_status !== g.status)
          wrong.push(
            `${s.hospital} ${s.visitId}: mart ${r?.expected_drg_code} ${r?.group_status}, files ${own} ${g.status}`,
          );
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      console.info(
        `[${size}] ${files.length} stays in bed: ${JSON.stringify(statuses)}; expected group equals the group planned for discharge in ${plannedAgree}`,
      );
    });

    it('the warning class follows the ratio of charges to the standard through the seed’s bands', async () => {
      const { rows: bands } = await pool.query<{
        warning_code: string;
        min_ratio: string | null;
        max_ratio: string | null;
      }>('select warning_code, min_ratio, max_ratio from ref.drg_in_stay_warnings');
      const classOf = (ratio: number | null): string | undefined =>
        bands
          .filter((b) =>
            ratio === null
              ? b.min_ratio === null && b.max_ratio === null
              : (b.min_ratio !== null || b.max_ratio !== null) &&
                (b.min_ratio === null || ratio >= Number(b.min_ratio)) &&
                (b.max_ratio === null || ratio < Number(b.max_ratio)),
          )
          .sort((a, b) => Number(b.min_ratio ?? -Infinity) - Number(a.min_ratio ?? -Infinity))[0]?.warning_code;
      const wrong: string[] = [];
      const counts: Record<string, number> = {};
      for (const r of rows) {
        const standard = r.payment_standard === null ? 0 : Number(r.payment_standard);
        const ratio =
          standard > 0 ? Math.round((Number(r.charges_to_date) / standard) * 10_000) / 10_000 : null;
        if (ratio !== null && Math.abs(Number(r.charge_to_standard_ratio) - ratio) > 0.0001)
          wrong.push(`${r.visit_id}: ratio ${r.charge_to_standard_ratio} vs ${ratio}`);
        if (r.warning_code !== classOf(ratio))
          wrong.push(`${r.visit_id}: ${r.warning_code} vs ${classOf(ratio)} (${ratio})`);
        counts[r.warning_label] = (counts[r.warning_label] ?? 0) + 1;
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(rows.filter((r) => r.payment_standard !== null).length).toBeGreaterThan(0);
      console.info(`[${size}] warning classes: ${JSON.stringify(counts)}`);
    });

    it.runIf(size === 'small')('passes its data tests and the mart’s hand-worked unit test', async () => {
      const ctx = { pool, config: loadConfig({ DATABASE_URL: w.url }), logger: silentLogger };
      const build = await buildStage(ctx, await loadProject(), {
        select:
          'stg_his__inpatient_census stg_his__inpatient_census_diagnoses int_inpatient_stays__open fct_inpatient_stay_estimates',
      });
      expect(build.blockedBy).toEqual([]);
      expect(build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.test}`)).toEqual([]);
      expect(build.tests.filter((t) => /unit/i.test(t.test)).length).toBeGreaterThanOrEqual(1);
    });
  });
