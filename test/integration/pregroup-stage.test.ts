import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nationalRuleSetFile } from '../../core/drg-grouper/rule-set.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { ensureRawTables } from '../../pipelines/ingest/load-batch.ts';
import { pregroupCases } from '../../pipelines/pregroup/pregroup-cases.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

// The stage on hand-made raw rows: V1 has a front page (K25.501 principal, K25.000 secondary:
// GU15, as the unit test works it out); V2 only a settlement list (its TCM diagnosis, 诊断类别 2,
// is not read); V3 a front page without diagnoses (信息校验不通过).
let t: TestDatabase;
let pool: pg.Pool;
const options = { ruleSet: nationalRuleSetFile, logger: silentLogger };

beforeAll(async () => {
  t = await createTestDatabase();
  pool = createPool(t.url, 2);
  await ensureRawTables(pool, allSources);
  const lineage = `1, 'f.csv', 2, 'H1'`;
  await pool.query(`
    insert into raw_emr.front_pages (batch_id, source_file, source_line, hospital_code, medcasno, visit_id, gender, birth_date,
      age, admit_time, discharge_time, discharge_dept_code, total_fee)
    values (${lineage}, 'M1', 'V1', '2', '1960-03-15', 64, '2025-03-14 08:00', '2025-03-20 08:00', 'D1', 1000),
           (${lineage}, 'M3', 'V3', '1', '1970-01-01', 55, '2025-03-14 08:00', '2025-03-20 08:00', 'D1', 1000);
    insert into raw_emr.front_page_diagnoses (batch_id, source_file, source_line, hospital_code, visit_id, diag_seq, diag_code, main_flag)
    values (${lineage}, 'V1', 1, 'K25.000', '0'), (${lineage}, 'V1', 2, 'K25.501', '1');
    insert into raw_insurance.settlements (batch_id, source_file, source_line, hospital_code, setl_id, mdtrt_id, gend, brdy, age,
      adm_time, medfee_sumamt, fund_pay_sumamt)
    values (${lineage}, 'S2', 'V2', '2', '1960-03-15', 64, '2025-03-14 08:00', 1000, 500);
    insert into raw_insurance.settlement_diagnoses (batch_id, source_file, source_line, hospital_code, setl_id, mdtrt_id, diag_type,
      diag_code, maindiag_flag)
    values (1, 'd.csv', 2, 'H1', 'S2', 'V2', '2', 'BNW010', '1'),
           (1, 'd.csv', 3, 'H1', 'S2', 'V2', '1', 'K25.501', '1'),
           (1, 'd.csv', 4, 'H1', 'S2', 'V2', '1', 'K25.000', '0');`);
});

afterAll(async () => {
  await pool?.end();
  await t?.drop();
});

const stored = async () =>
  (
    await pool.query<{ visit_id: string; record_source: string; drg_code: string; status: string; reasons: string }>(
      `select visit_id, record_source, drg_code, status, reasons from ops.case_pregroups order by visit_id`,
    )
  ).rows;

describe('pre-group stage', () => {
  it('groups every front page, and the settlement list of a stay without one', async () => {
    const first = await pregroupCases(pool, { ...options, batchRows: 2 });
    expect(first).toMatchObject({ stays: 3, grouped: 3, removed: 0 });
    expect(first.byStatus).toEqual({ 分组成功: 2, 信息校验不通过: 1 });
    expect(first.ruleSetVersion).toMatch(/@[0-9a-f]{12}$/);
    const rows = await stored();
    expect(rows.map((r) => [r.visit_id, r.record_source, r.drg_code, r.status])).toEqual([
      ['V1', 'front_page', 'GU15', '分组成功'],
      ['V2', 'settlement_list', 'GU15', '分组成功'],
      ['V3', 'front_page', '0000', '信息校验不通过'],
    ]);
    expect(rows[2]!.reasons).toContain('诊断信息为空');
  });

  it('is incremental: an unchanged stay is not grouped again, a changed one is', async () => {
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 3, grouped: 0 });
    await pool.query(`update raw_emr.front_page_diagnoses set diag_code = 'K25.100' where visit_id = 'V1' and diag_seq = 1`);
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 3, grouped: 1 });
    expect((await stored())[0]!.reasons).toContain('K25.100');
  });

  it('removes the pre-group of a stay no longer delivered', async () => {
    await pool.query(`delete from raw_emr.front_pages where visit_id = 'V3'`);
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 2, grouped: 0, removed: 1 });
    expect((await stored()).map((r) => r.visit_id)).toEqual(['V1', 'V2']);
  });

  it('groups the stays in bed of the latest census from their diagnoses and procedures so far, until discharged', async () => {
    // Two snapshots: V4 and V5 in bed on 03-30; on 03-31 V4 is still there (a diagnosis added, the
    // principal now K25.501 with K25.000; the 03-30 snapshot's procedure no longer listed) and V5
    // has left; V6 is admitted; V7's cholecystectomy is done, so it groups as surgical. V1 is
    // listed too but has its front page: discharge wins.
    await pool.query(`
      insert into raw_his.inpatient_census (batch_id, source_file, source_line, hospital_code, snapshot_time, snapshot_date,
        visit_id, patient_id, gender, birth_date, admit_time, current_dept_code)
      values (7, 'c1.csv', 2, 'H1', '2025-03-30 23:59:59', '2025-03-30', 'V4', 'P4', '2', '1960-03-15', '2025-03-28 09:00', 'D1'),
             (7, 'c1.csv', 3, 'H1', '2025-03-30 23:59:59', '2025-03-30', 'V5', 'P5', '1', '1950-01-01', '2025-03-29 09:00', 'D1'),
             (8, 'c2.csv', 2, 'H1', '2025-03-31 23:59:59', '2025-03-31', 'V4', 'P4', '2', '1960-03-15', '2025-03-28 09:00', 'D1'),
             (8, 'c2.csv', 3, 'H1', '2025-03-31 23:59:59', '2025-03-31', 'V6', 'P6', '1', '1950-01-01', '2025-03-31 09:00', 'D1'),
             (8, 'c2.csv', 4, 'H1', '2025-03-31 23:59:59', '2025-03-31', 'V1', 'P1', '2', '1960-03-15', '2025-03-14 08:00', 'D1'),
             (8, 'c2.csv', 5, 'H1', '2025-03-31 23:59:59', '2025-03-31', 'V7', 'P7', '2', '1970-06-01', '2025-03-29 09:00', 'D1');
      insert into raw_his.inpatient_census_diagnoses (batch_id, source_file, source_line, hospital_code, snapshot_date,
        visit_id, diag_seq, diag_code, main_flag)
      values (9, 'd1.csv', 2, 'H1', '2025-03-30', 'V4', 1, 'K25.501', '1'),
             (9, 'd1.csv', 3, 'H1', '2025-03-30', 'V5', 1, 'K25.501', '1'),
             (10, 'd2.csv', 2, 'H1', '2025-03-31', 'V4', 1, 'K25.501', '1'),
             (10, 'd2.csv', 3, 'H1', '2025-03-31', 'V4', 2, 'K25.000', '0'),
             (10, 'd2.csv', 4, 'H1', '2025-03-31', 'V7', 1, 'K80.100x001', '1');
      insert into raw_his.inpatient_census_procedures (batch_id, source_file, source_line, hospital_code, snapshot_date,
        visit_id, oprn_seq, oprn_code, main_flag, oprn_time)
      values (12, 'o1.csv', 2, 'H1', '2025-03-30', 'V4', 1, '51.2300', '1', '2025-03-30 10:00'),
             (13, 'o2.csv', 2, 'H1', '2025-03-31', 'V7', 1, '51.2300', '1', '2025-03-30 10:00');`);
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 5, grouped: 3, removed: 0 });
    const rows = await stored();
    expect(rows.map((r) => [r.visit_id, r.record_source, r.drg_code, r.status])).toEqual([
      ['V1', 'front_page', 'GU15', '分组成功'],
      ['V2', 'settlement_list', 'GU15', '分组成功'],
      ['V4', 'in_stay', 'GU15', '分组成功'],
      ['V6', 'in_stay', '0000', '信息校验不通过'],
      ['V7', 'in_stay', 'HC29', '分组成功'],
    ]);
    // Unchanged: nothing regrouped. V4's discharge delivered (its HIS visit): it is no longer in bed.
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 5, grouped: 0 });
    await pool.query(`
      insert into raw_his.inpatient_visits (batch_id, source_file, source_line, hospital_code, visit_id, patient_id,
        admit_time, discharge_time, discharge_dept_code)
      values (11, 'v.csv', 2, 'H1', 'V4', 'P4', '2025-03-28 09:00', '2025-04-02 10:00', 'D1');`);
    expect(await pregroupCases(pool, options)).toMatchObject({ stays: 4, grouped: 0, removed: 1 });
    expect((await stored()).map((r) => r.visit_id)).toEqual(['V1', 'V2', 'V6', 'V7']);
  });
});
