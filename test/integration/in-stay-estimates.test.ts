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
import { demoFileReader } from '../support/drg-truth.ts';
import { inStayTruth, type InStayTruthStay } from '../support/in-stay-truth.ts';

/**
 * In-stay estimates (issue 17): the demo's stays still in bed at its cut-off, checked against the
 * delivered files and the ground truth, never by re-running the mart's SQL: every stay of the
 * latest census not discharged has one row; its charges to date are the sum of its delivered
 * charge lines to the cent; its expected group is what the national rules make of the diagnoses
 * and procedures delivered so far, and the group planned for it when those are already its whole
 * planned coding; days in bed and the warning class follow from the files and the seed; a stay
 * without an estimate (无法预估) is rare and says why, the reason the files give. The small demo
 * always; `HDW_FULL=1` the full demo as well.
 */
const grouper = createGrouper(readRuleSet());

interface Row {
  hospital_code: string;
  visit_id: string;
  snapshot_date: string;
  days_in_bed: number;
  expected_drg_code: string | null;
  group_status: string | null;
  procedure_count: number;
  principal_procedure_code: string | null;
  payment_standard: string | null;
  charges_to_date: string;
  charge_line_count: string;
  charge_to_standard_ratio: string | null;
  warning_code: string;
  warning_label: string;
  unpriced_reason_code: string | null;
  unpriced_reason: string | null;
  patient_key: string | null;
}

/** The codes of a coded list, as a sorted multiset (the order of secondary codes does not group). */
const codeSet = (codes: readonly (string | null | undefined)[]) =>
  codes
    .filter((c): c is string => !!c)
    .sort()
    .join('|');

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
                  procedure_count, principal_procedure_code,
                  payment_standard, charges_to_date, charge_line_count, charge_to_standard_ratio, warning_code,
                  warning_label, unpriced_reason_code, unpriced_reason, patient_key
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

    it('the expected group is the national rules’ group of the diagnoses and procedures delivered so far', () => {
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
        const main = s.input.procedures.find((p) => p[1])?.[0] ?? s.input.procedures[0]?.[0] ?? null;
        if (!r || r.expected_drg_code !== own || r.group_status !== g.status)
          wrong.push(
            `${s.hospital} ${s.visitId}: mart ${r?.expected_drg_code} ${r?.group_status}, files ${own} ${g.status}`,
          );
        if (r && (r.procedure_count !== s.input.procedures.length || r.principal_procedure_code !== main))
          wrong.push(
            `${s.hospital} ${s.visitId}: mart ${r.procedure_count} procedures (${r.principal_procedure_code}), files ${s.input.procedures.length} (${main})`,
          );
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      console.info(
        `[${size}] ${files.length} stays in bed: ${JSON.stringify(statuses)}; expected group equals the group planned for discharge in ${plannedAgree}`,
      );
    });

    it('a stay whose diagnoses and procedures so far are its whole planned coding gets the group planned for it', () => {
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong: string[] = [];
      let determined = 0;
      let surgical = 0;
      let pending = 0;
      for (const s of files) {
        const t = s.truth;
        if (!t) continue;
        // What the files deliver so far against what the generator plans to code at discharge.
        const complete =
          codeSet(s.input.diagnoses.map((d) => d[0])) === codeSet(t.planned_diagnoses?.split('|') ?? []) &&
          codeSet(s.input.procedures.map((p) => p[0])) === codeSet(t.planned_procedures?.split('|') ?? []);
        if (!complete) {
          pending++;
          continue;
        }
        determined++;
        if (s.input.procedures.length > 0) surgical++;
        const r = byKey.get(key(s.hospital, s.visitId));
        if (r?.expected_drg_code !== t.planned_drg_code)
          wrong.push(`${s.hospital} ${s.visitId}: mart ${r?.expected_drg_code} ${r?.group_status}, planned ${t.planned_drg_code}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      // Most stays are fully coded by the cut-off, stays with an operation done among them.
      expect(determined).toBeGreaterThan(files.length / 2);
      expect(surgical).toBeGreaterThan(0);
      console.info(
        `[${size}] ${determined} of ${files.length} stays in bed fully coded so far (${surgical} with procedures), all in their planned group; ${pending} still awaiting a diagnosis or procedure`,
      );
    });

    it('无法预估 is rare, and each such stay states the reason its files give', () => {
      const { manifest, readPublisher, seed } = demoFileReader(w.generatedDir, projectPaths.seeds);
      const payerOf = new Map(manifest.hospitals.map((h) => [h.code, h.payer]));
      const labels = new Map(seed('drg', 'drg_in_stay_unpriced_reasons').map((r) => [r.reason_code, r.reason_label]));
      const unpricedCode = seed('drg', 'drg_in_stay_warnings').find((b) => !b.min_ratio && !b.max_ratio)?.warning_code;
      const published = (payer: string, table: string, year: string) =>
        readPublisher(payer, table).filter((r) => r.year === year);
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong: string[] = [];
      const reasons: Record<string, number> = {};
      let atDrgPayer = 0;
      let unpricedAtDrgPayer = 0;
      for (const s of files) {
        const r = byKey.get(key(s.hospital, s.visitId));
        const g = grouper.group(pregroupRecord(s.input), { reasons: false });
        const payer = payerOf.get(s.hospital) ?? '';
        const year = s.snapshotDate.slice(0, 4);
        const drgTable = published(payer, 'drg_groups', year);
        // The reason the files give, in the mart's order: grouping first, then the payer's table.
        const expected =
          g.status !== GROUP_STATUS.grouped
            ? 'not_grouped'
            : drgTable.length === 0
              ? published(payer, 'dip_catalogue', year).length > 0
                ? 'dip_payer'
                : 'no_drg_table'
              : drgTable.some((d) => d.drg_code === g.drg)
                ? null
                : 'group_not_in_table';
        if (
          r?.unpriced_reason_code !== expected ||
          (expected !== null) !== (r?.warning_code === unpricedCode) ||
          (r?.unpriced_reason ?? null) !== (expected === null ? null : labels.get(expected))
        )
          wrong.push(
            `${s.hospital} ${s.visitId}: mart ${r?.warning_code} ${r?.unpriced_reason_code} ${r?.unpriced_reason}, files ${expected}`,
          );
        if (expected !== null) reasons[expected] = (reasons[expected] ?? 0) + 1;
        if (drgTable.length > 0) {
          atDrgPayer++;
          if (expected !== null) unpricedAtDrgPayer++;
          // A stay fully coded so far is in its planned group, which the payer's table prices.
          const t = s.truth;
          if (
            expected !== null &&
            t &&
            codeSet(s.input.diagnoses.map((d) => d[0])) === codeSet(t.planned_diagnoses?.split('|') ?? []) &&
            codeSet(s.input.procedures.map((p) => p[0])) === codeSet(t.planned_procedures?.split('|') ?? [])
          )
            wrong.push(`${s.hospital} ${s.visitId}: fully coded so far and still ${expected}`);
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      // Where the payer pays by DRG, a stay goes unestimated only while a complication is not yet
      // recorded or an operation not yet done sends it to a group the payer's table lacks.
      expect(atDrgPayer).toBeGreaterThan(0);
      // (2 of 41 on the small demo; up to 2 of 21 on other seeds, so a margin above that.)
      expect(unpricedAtDrgPayer / atDrgPayer).toBeLessThanOrEqual(0.15);
      console.info(
        `[${size}] 无法预估: ${Object.values(reasons).reduce((a, b) => a + b, 0)} of ${files.length} stays ${JSON.stringify(reasons)}; ${unpricedAtDrgPayer} of ${atDrgPayer} at DRG payers`,
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
          'stg_his__inpatient_census stg_his__inpatient_census_diagnoses stg_his__inpatient_census_procedures int_inpatient_stays__open fct_inpatient_stay_estimates',
      });
      expect(build.blockedBy).toEqual([]);
      expect(build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.test}`)).toEqual([]);
      expect(build.tests.filter((t) => /unit/i.test(t.test)).length).toBeGreaterThanOrEqual(1);
    });
  });
