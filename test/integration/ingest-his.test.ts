import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { ingestStage, seedStage } from '../../pipelines/run-pipeline.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

const H1 = 'H32090200001';
const H3 = 'H32092500021';

const files: Record<string, string> = {
  [`${H1}/his/departments.csv`]:
    'dept_code,dept_name,dept_class,std_dept_code\nD01,心内科,临床服务类,' + 'STD\n',
  [`${H1}/his/charge_items.csv`]:
    'item_code,item_name,category_code,insurance_code,unit_price,unit\nI1,床位费,01,X1,50.00,日\nI2,阿司匹林,09,X2,10.5000,盒\n',
  [`${H1}/his/inpatient_visits_2025-01.csv`]: [
    'visit_id,patient_id,gender,birth_date,admit_time,discharge_time,admit_dept_code,discharge_dept_code,discharge_way,insurance_type,total_amount',
    'V1,P1,1,1960-01-01,2025-01-01 08:00:00,2025-01-05 10:00:00,D01,D01,1,310,200.00',
    'V2,P2,2,1970-01-01,2025-01-10 08:00:00,2025-01-08 10:00:00,D01,D01,1,310,0', // line 3: discharge before admission
    'V3,,2,1970-01-01,2025-01-10 08:00:00,2025-01-12 10:00:00,D01,D01,1,310,0', // line 4: missing patient id
    'V1,P1,1,1960-01-01,2025-01-01 08:00:00,2025-01-05 10:00:00,D01,D01,1,310,200.00', // line 5: duplicate of 2
    'V4,P4,1,1980-02-30,2025-01-10 08:00:00,2025-01-12 10:00:00,D01,D01,1,310,0', // line 6: invalid date
    '',
  ].join('\n'),
  [`${H1}/his/charge_lines_2025-01.csv`]: [
    'line_id,visit_type,visit_id,charge_time,item_code,item_name,category_code,quantity,unit_price,amount,order_dept_code,exec_dept_code',
    'L1,I,V1,2025-01-02 09:00:00,I1,床位费,01,4,50.00,200.00,D01,D01',
    'L2,I,V2,2025-01-09 09:00:00,I2,阿司匹林,09,2,10.5,21.00,D01,D01', // clean: its visit is quarantined, not missing
    'L3,I,V9,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01', // orphan
    'L4,I,V1,2025-01-02 09:00:00,I9,未知,01,1,50.00,50.00,D01,D01', // unknown item
    'L5,I,V1,2025-01-02 09:00:00,I1,床位费,01,2,50.00,120.00,D01,D01', // amount mismatch
    'L6,I,V1,2025-01-02 09:00:00,I2,阿司匹林,09,1,15.00,15.00,D01,D01', // price spike: warning, loads
    'L7,I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,DX,D01', // unknown department
    'L8,I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01', // too few columns
    'L1,I,V1,2025-01-02 09:00:00,I1,床位费,01,4,50.00,200.00,D01,D01', // duplicate of line 2
    '',
  ].join('\n'),
  // A stay in bed at the 01-31 cut-off and its procedures so far.
  [`${H1}/his/inpatient_census_2025-01-31.csv`]: [
    'snapshot_time,visit_id,patient_id,gender,birth_date,admit_time,admit_dept_code,current_dept_code,insurance_type',
    '2025-01-31 23:59:59,V10,P10,2,1970-06-01,2025-01-28 09:00:00,D01,D01,310',
    '',
  ].join('\n'),
  [`${H1}/his/inpatient_census_procedures_2025-01-31.csv`]: [
    'visit_id,oprn_seq,oprn_code,oprn_name,main_flag,oprn_time',
    'V10,1,51.2300,腹腔镜下胆囊切除术,1,2025-01-29 10:00:00',
    'V10,2,51.2300,腹腔镜下胆囊切除术,0,2025-02-02 10:00:00', // line 3: after the cut-off
    'V10,3,51.2300,腹腔镜下胆囊切除术,0,2025-01-27 10:00:00', // line 4: before admission
    'V99,1,51.2300,腹腔镜下胆囊切除术,1,2025-01-29 10:00:00', // line 5: not in the census
    'V10,4,XX.9999,未知,0,2025-01-30 10:00:00', // line 6: unknown code
    '',
  ].join('\n'),
};

const gbkFiles: Record<string, string> = {
  [`${H3}/his/departments.csv`]: '科室编码,科室名称,科室类别,标准科室编码\nK1,内科,临床服务类,STD\n',
  [`${H3}/his/outpatient_visits_2025-01.csv`]:
    '门诊号,患者ID,性别,出生日期,就诊时间,就诊科室,险种\nO1,P9,1,1990-01-01,2025-01-03 10:00:00,K1,390\n',
};

describe('HIS ingestion', () => {
  let t: TestDatabase;
  let inbox: string;
  let pool: pg.Pool;
  const ctx = () => ({
    pool,
    config: loadConfig({ HDW_INBOX: inbox, HDW_DATA_DIR: inbox, HDW_INBOX_QUIET_SECONDS: '0' }),
    logger: silentLogger,
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-inbox-'));
    for (const [file, text] of Object.entries(files)) await put(inbox, file, Buffer.from(text, 'utf8'));
    for (const [file, text] of Object.entries(gbkFiles)) await put(inbox, file, iconv.encode(text, 'gbk'));
    await seedStage(ctx());
    // the fixture maps every department to a standard code the seed may not have: add it
    await pool.query(
      `insert into ref.standard_departments values ('STD', '测试科', '临床服务类') on conflict do nothing`,
    );
  });
  afterAll(async () => {
    await pool.end();
    await t.drop();
    await rm(inbox, { recursive: true, force: true });
  });

  it('loads, quarantines or counts every row, and finds each defect with the rule meant for it', async () => {
    const summary = await ingestStage(ctx());
    expect(summary.rejected).toEqual([]);
    for (const b of summary.batches)
      expect(b.rowsRead).toBe(b.rowsLoaded + b.rowsQuarantined + b.rowsDuplicate);

    const visits = summary.batches.find((b) => b.delivery.source.entity === 'inpatient_visits')!;
    expect(visits).toMatchObject({ rowsRead: 5, rowsLoaded: 1, rowsQuarantined: 3, rowsDuplicate: 1 });
    const lines = summary.batches.find((b) => b.delivery.source.entity === 'charge_lines')!;
    expect(lines).toMatchObject({
      rowsRead: 9,
      rowsLoaded: 3,
      rowsQuarantined: 5,
      rowsDuplicate: 1,
      rowsWarned: 1,
    });

    const { rows } = await pool.query(
      `select source, source_line, rule_ids from ops.quarantine order by source, source_line`,
    );
    const byLine = Object.fromEntries(rows.map((r) => [`${r.source}:${r.source_line}`, r.rule_ids]));
    expect(byLine).toEqual({
      'his.inpatient_visits:3': ['discharge_before_admission'],
      'his.inpatient_visits:4': ['required_field_missing'],
      'his.inpatient_visits:6': ['invalid_value'],
      'his.charge_lines:4': ['orphan_charge_line'],
      'his.charge_lines:5': ['unknown_item_code'],
      'his.charge_lines:6': ['amount_mismatch'],
      'his.charge_lines:8': ['unknown_department_code'],
      'his.charge_lines:9': ['column_count_mismatch'],
      'his.inpatient_census_procedures:3': ['census_procedure_time_out_of_stay'],
      'his.inpatient_census_procedures:4': ['census_procedure_time_out_of_stay'],
      'his.inpatient_census_procedures:5': ['orphan_census_procedure'],
      'his.inpatient_census_procedures:6': ['unknown_procedure_code'],
    });
    const census = await pool.query(
      `select visit_id, oprn_seq, oprn_code, snapshot_date::text from raw_his.inpatient_census_procedures`,
    );
    expect(census.rows).toEqual([{ visit_id: 'V10', oprn_seq: 1, oprn_code: '51.2300', snapshot_date: '2025-01-31' }]);
    const warnings = await pool.query(
      `select source_line, rule_id from ops.exceptions where severity = 'warning' order by source, source_line`,
    );
    expect(warnings.rows).toEqual(
      expect.arrayContaining([
        { source_line: 7, rule_id: 'unit_price_deviation' },
        { source_line: 10, rule_id: 'duplicate_row' },
        { source_line: 5, rule_id: 'duplicate_row' },
      ]),
    );
    const payload = await pool.query(
      `select payload from ops.quarantine where source_line = 6 and source = 'his.charge_lines'`,
    );
    expect(payload.rows[0].payload).toMatchObject({ line_id: 'L5', amount: '120.00' });
    const loaded = await pool.query(
      `select line_id, amount::text from raw_his.charge_lines order by line_id`,
    );
    expect(loaded.rows).toEqual([
      { line_id: 'L1', amount: '200.00' },
      { line_id: 'L2', amount: '21.00' },
      { line_id: 'L6', amount: '15.00' },
    ]);
  });

  it('reads GBK files with Chinese headers', async () => {
    const { rows } = await pool.query(
      `select b.encoding, v.visit_id, v.dept_code from raw_his.outpatient_visits v join ops.batches b using (batch_id)`,
    );
    expect(rows).toEqual([{ encoding: 'gb18030', visit_id: 'O1', dept_code: 'K1' }]);
    const dept = await pool.query(`select dept_name from raw_his.departments where hospital_code = $1`, [H3]);
    expect(dept.rows[0].dept_name).toBe('内科');
  });

  it('skips content already loaded, and replaces a period when a corrected delivery arrives', async () => {
    const again = await ingestStage(ctx());
    expect(again.batches.every((b) => b.outcome === 'skipped')).toBe(true);
    const before = await pool.query(`select count(*)::int as n from raw_his.charge_lines`);

    await put(
      inbox,
      `${H1}/his/charge_lines_2025-01.csv`,
      Buffer.from(
        files[`${H1}/his/charge_lines_2025-01.csv`]!.replace(
          'L5,I,V1,2025-01-02 09:00:00,I1,床位费,01,2,50.00,120.00',
          'L5,I,V1,2025-01-02 09:00:00,I1,床位费,01,2,50.00,100.00',
        ),
      ),
    );
    const corrected = await ingestStage(ctx());
    const replaced = corrected.batches.find((b) => b.outcome === 'replaced')!;
    expect(replaced.delivery.source.entity).toBe('charge_lines');
    expect(replaced.rowsLoaded).toBe(4);
    const after = await pool.query(`select count(*)::int as n from raw_his.charge_lines`);
    expect(after.rows[0].n).toBe(before.rows[0].n + 1);
    const active = await pool.query(
      `select count(*)::int as n from ops.batches where source = 'his.charge_lines' and status = 'loaded'`,
    );
    expect(active.rows[0].n).toBe(1);
    const quarantine = await pool.query(
      `select count(*)::int as n from ops.quarantine where source = 'his.charge_lines' and status = 'quarantined'`,
    );
    expect(quarantine.rows[0].n).toBe(4);
  });

  it('rejects a file missing a required column with a clear message, loading nothing of it', async () => {
    await put(inbox, `${H1}/his/charge_lines_2025-02.csv`, Buffer.from('line_id,visit_type\nL1,I\n'));
    const summary = await ingestStage(ctx());
    expect(summary.rejected).toEqual([
      {
        file: `${H1}/his/charge_lines_2025-02.csv`,
        reason: expect.stringMatching(/missing required column\(s\) visit_id \(就诊号\)/),
      },
    ]);
    const batches = await pool.query(`select count(*)::int as n from ops.batches where period = '2025-02'`);
    expect(batches.rows[0].n).toBe(0);
  });
});

async function put(inbox: string, file: string, bytes: Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(inbox, file)), { recursive: true });
  await writeFile(path.join(inbox, file), bytes);
}
