import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrouper, GROUP_STATUS } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import { projectPaths } from '../../core/paths.ts';
import { pregroupRecord } from '../../pipelines/pregroup/pregroup-record.ts';
import { demoHookTimeout, demoSizes } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { inStayTruth } from '../support/in-stay-truth.ts';
import { pregroupTruth, type PregroupTruthStay } from '../support/pregroup-truth.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * The pipeline's pre-group stage (预分组) on the demo, against the delivered files: every stay with
 * a front page (else a settlement list) is grouped from it; our own group is the national rules'
 * group of the record the files give; fct_inpatient_cases sets it beside the payer's; and
 * fct_drg_group_disagreements lists exactly the stays whose payer group differs from ours, computed
 * here from the files (the payer's settlement group and the grouper on the file's record), never
 * from the marts' SQL. The small demo always; `HDW_FULL=1` the full demo as well.
 */
const grouper = createGrouper(readRuleSet());

interface Expected extends PregroupTruthStay {
  readonly drg: string;
  readonly status: string;
  /** Our own group when the grouper placed the stay, else undefined. */
  readonly own: string | undefined;
}

for (const size of demoSizes)
  describe(`pre-grouping on the ${size} demo`, () => {
    let w: DemoWarehouse;
    let pool: pg.Pool;
    let expected: Expected[] = [];
    const key = (hospital: string, visit: string) => `${hospital}|${visit}`;

    beforeAll(async () => {
      w = await demoWarehouse(size);
      pool = createPool(w.url, 2);
      // Stays still in bed at the cut-off are grouped too, from the census's diagnoses so far.
      const inStay: PregroupTruthStay[] = inStayTruth(w.generatedDir, projectPaths.seeds).map((s) => ({
        hospital: s.hospital,
        visitId: s.visitId,
        input: s.input,
        payerDrg: undefined,
        trueDrg: undefined,
        codedDrg: undefined,
        upcoded: false,
        codingDefect: false,
      }));
      expected = [...pregroupTruth(w.generatedDir, projectPaths.seeds), ...inStay].map((stay) => {
        const r = grouper.group(pregroupRecord(stay.input), { reasons: false });
        return { ...stay, drg: r.drg, status: r.status, own: r.status === GROUP_STATUS.grouped ? r.drg : undefined };
      });
    }, demoHookTimeout(size));

    afterAll(async () => {
      await pool?.end();
      await w?.drop();
    });

    it('the run pre-grouped every stay with a front page, else with its settlement list, and every stay in bed', async () => {
      const run = w.firstRun.pregroup;
      expect(run, JSON.stringify(run)).not.toHaveProperty('error');
      const { rows } = await pool.query<{ hospital_code: string; visit_id: string; record_source: string }>(
        `select hospital_code, visit_id, record_source from ops.case_pregroups`,
      );
      const stored = rows.map((r) => `${key(r.hospital_code, r.visit_id)} ${r.record_source}`).sort();
      const files = expected.map((s) => `${key(s.hospital, s.visitId)} ${s.input.recordSource}`).sort();
      expect(stored.length).toBe(files.length);
      expect(stored).toEqual(files);
      expect(run).toMatchObject({ stays: files.length, grouped: files.length });
      const bySource = (source: string) => expected.filter((s) => s.input.recordSource === source).length;
      console.info(
        `[${size}] pre-grouped ${files.length} stays (${bySource('front_page')} front pages, ` +
          `${bySource('settlement_list')} settlement lists, ${bySource('in_stay')} stays in bed): ${JSON.stringify((run as { byStatus: object }).byStatus)}`,
      );
    });

    it('each pre-group is the national rules’ group of the stay’s record as the files give it, with its reasons', async () => {
      const { rows } = await pool.query<{
        hospital_code: string;
        visit_id: string;
        drg_code: string | null;
        status: string;
        reasons: string;
      }>(`select hospital_code, visit_id, drg_code, status, reasons from ops.case_pregroups`);
      const stored = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const differing = expected
        .filter((s) => {
          const r = stored.get(key(s.hospital, s.visitId));
          return !r || r.drg_code !== s.drg || r.status !== s.status;
        })
        .map((s) => `${s.hospital} ${s.visitId}: files ${s.drg} ${s.status}, stored ${JSON.stringify(stored.get(key(s.hospital, s.visitId)))}`);
      expect(differing.slice(0, 10)).toEqual([]);
      expect(rows.filter((r) => r.reasons.trim() === '').length).toBe(0);
      // What the generator says each stay truly is, against the national rules on its coding.
      const withTruth = expected.filter((s) => s.trueDrg !== undefined);
      const equalTruth = withTruth.filter((s) => s.own === s.trueDrg).length;
      console.info(
        `[${size}] own group equals the generator's true group in ${equalTruth} of ${withTruth.length} stays`,
      );
    });

    it('fct_inpatient_cases sets the own group, its standard and margin beside the payer’s, and whether they agree', async () => {
      const { rows } = await pool.query<{
        hospital_code: string;
        visit_id: string;
        own_drg_code: string | null;
        own_group_status: string | null;
        groups_agree: boolean | null;
        own_payment_standard: string | null;
        own_predicted_margin: string | null;
        total_charges: string | null;
      }>(
        `select hospital_code, visit_id, own_drg_code, own_group_status, groups_agree, own_payment_standard,
                own_predicted_margin, total_charges
         from marts.fct_inpatient_cases`,
      );
      const byKey = new Map(rows.map((r) => [key(r.hospital_code, r.visit_id), r]));
      const wrong: string[] = [];
      for (const s of expected.filter((x) => x.input.recordSource !== 'in_stay')) {
        const c = byKey.get(key(s.hospital, s.visitId));
        const agree = s.payerDrg === undefined ? null : s.own === s.payerDrg;
        if (!c || c.own_drg_code !== (s.own ?? null) || c.own_group_status !== s.status || c.groups_agree !== agree)
          wrong.push(`${s.hospital} ${s.visitId}: ${JSON.stringify(c)} vs own ${s.own} ${s.status} agree ${agree}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      // The predicted margin is the own standard less the charges, wherever both are known.
      const margins = rows.filter((r) => r.own_payment_standard !== null && r.total_charges !== null);
      expect(margins.length).toBeGreaterThan(0);
      for (const r of margins)
        expect(Math.round(Number(r.own_predicted_margin) * 100)).toBe(
          Math.round(Number(r.own_payment_standard) * 100) - Math.round(Number(r.total_charges) * 100),
        );
      const withPayer = expected.filter((s) => s.payerDrg !== undefined);
      const agreeing = withPayer.filter((s) => s.own === s.payerDrg).length;
      console.info(
        `[${size}] payer DRG groups: ${withPayer.length}; own group agrees in ${agreeing}, differs in ${withPayer.length - agreeing}; ` +
          `own standard known for ${margins.length} cases`,
      );
    });

    it('the disagreement mart lists exactly the stays whose payer group differs from ours, with both sides and the reasons', async () => {
      const { rows } = await pool.query<{
        hospital_code: string;
        visit_id: string;
        payer_drg_code: string;
        own_drg_code: string | null;
        group_reasons: string | null;
        margin_difference: string | null;
        own_payment_standard: string | null;
        payer_payment_standard: string | null;
        total_charges: string | null;
      }>(`select * from marts.fct_drg_group_disagreements`);
      const listed = rows.map((r) => `${key(r.hospital_code, r.visit_id)} ${r.payer_drg_code} → ${r.own_drg_code ?? '-'}`).sort();
      const files = expected
        .filter((s) => s.payerDrg !== undefined && s.own !== s.payerDrg)
        .map((s) => `${key(s.hospital, s.visitId)} ${s.payerDrg} → ${s.own ?? '-'}`)
        .sort();
      expect(files.length).toBeGreaterThan(0);
      expect(listed).toEqual(files);
      expect(rows.filter((r) => !r.group_reasons).length).toBe(0);
      // With the charges known, the margin difference is the difference of the two standards.
      for (const r of rows.filter((x) => x.margin_difference !== null && x.total_charges !== null))
        expect(Math.round(Number(r.margin_difference) * 100)).toBe(
          Math.round(Number(r.own_payment_standard) * 100) - Math.round(Number(r.payer_payment_standard) * 100),
        );
      console.info(`[${size}] disagreement mart: ${rows.length} stays`);
    });

    it('our own group is the generator’s true group: the national rules place each stay where the generator meant it', () => {
      // The generator codes every stay so that the national CHS-DRG 1.1 rules place it in its true
      // group (_ground_truth/cases.csv true_drg_code), except a planted 高套编码: its coding carries a
      // complication the stay does not have, so the rules place it in coded_drg_code, the group it
      // was pushed into, while true_drg_code is the group of its truthful coding. So the comparison
      // is own = true_drg_code for every stay, and own = coded_drg_code ≠ true_drg_code for an
      // upcoded one. Stays whose record lost a coded row to a planted data defect (quarantined, so
      // the grouper never sees the code) are not judged; they are few.
      const withTruth = expected.filter((s) => s.trueDrg !== undefined);
      const judged = withTruth.filter((s) => !s.codingDefect);
      const upcoded = judged.filter((s) => s.upcoded);
      const wrong = judged
        .filter((s) => (s.upcoded ? s.own !== s.codedDrg || s.codedDrg === s.trueDrg : s.own !== s.trueDrg))
        .map((s) => `${s.hospital} ${s.visitId}: own ${s.own ?? s.status}, true ${s.trueDrg}, coded ${s.codedDrg}${s.upcoded ? ' (upcoded)' : ''}`);
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(wrong.length).toBe(0);
      // The truthful stays are coded into their true group, and the upcoded ones were planted.
      expect(judged.filter((s) => !s.upcoded && s.codedDrg !== s.trueDrg)).toEqual([]);
      expect(upcoded.length).toBeGreaterThan(0);
      expect(withTruth.length - judged.length).toBeLessThan(0.05 * withTruth.length);
      console.info(
        `[${size}] own group = true group in ${judged.length - upcoded.length} truthfully coded stays, = the upcoded group in ` +
          `${upcoded.length} planted 高套编码; ${withTruth.length - judged.length} stays with a planted coding defect not judged`,
      );
    });
  });
