import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { extractIncrement, type DatabaseSource } from '../../pipelines/ingest/database-source.ts';
import { ingestInbox } from '../../pipelines/ingest/ingest-inbox.ts';
import { ingestStage } from '../../pipelines/run-pipeline.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { departments } from '../../pipelines/sources/his/departments.ts';
import { outpatientVisits } from '../../pipelines/sources/his/outpatient-visits.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

const H1 = 'H32090200001';
const H2 = 'H32090200002';
const H3 = 'H32090200003';

describe('a source PostgreSQL database read incrementally by watermark', () => {
  let warehouse: TestDatabase;
  let his: TestDatabase;
  let pool: pg.Pool;
  let hisPool: pg.Pool;
  let spec: DatabaseSource;
  let inbox: string;

  beforeAll(async () => {
    warehouse = await createTestDatabase();
    his = await createTestDatabase({ migrate: false });
    pool = createPool(warehouse.url, 2);
    hisPool = createPool(his.url, 1);
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    // The department dictionary arrives as a file, as usual.
    inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-db-'));
    await mkdir(`${inbox}/${H1}/his`, { recursive: true });
    await writeFile(
      `${inbox}/${H1}/his/departments.csv`,
      'dept_code,dept_name,dept_class,std_dept_code\nD01,心内科,临床服务类,A03.04\n',
    );
    await ingestInbox(pool, { inbox, sources: [departments], logger: silentLogger });
    // The HIS exposes a read-only view with Chinese column names and an update time.
    await hisPool.query(
      `create table his_visits (mzh text, brid text, xb text, csrq date, jzsj timestamp, ksdm text, xz text, gxsj timestamp)`,
    );
    await hisPool.query(`create view v_outpatient as select mzh as "门诊号", brid as "患者ID", xb as "性别", csrq as "出生日期",
      jzsj as "就诊时间", ksdm as "就诊科室", xz as "险种", gxsj as updated_at from his_visits`);
    await hisPool.query(`insert into his_visits values
      ('O1', 'P1', '1', '1980-01-01', '2025-01-03 09:00', 'D01', '310', '2025-01-03 09:05'),
      ('O2', 'P2', '2', '1981-01-01', '2025-01-03 10:00', 'DX', '310', '2025-01-03 10:05')`);
    spec = {
      source: outpatientVisits,
      hospitalCode: H1,
      connectionString: his.url,
      relation: 'v_outpatient',
      watermarkColumn: 'updated_at',
    };
  });
  afterAll(async () => {
    await pool?.end();
    await hisPool?.end();
    await warehouse?.drop();
    await his?.drop();
    await rm(inbox, { recursive: true, force: true });
  });

  it('loads each increment once, as its own batch, with the same rules as files', async () => {
    const first = await extractIncrement(pool, spec, { logger: silentLogger });
    expect(first.batch).toMatchObject({ outcome: 'loaded', rowsRead: 2, rowsLoaded: 1, rowsQuarantined: 1 });
    expect(first.to).toBe('2025-01-03 10:05:00');

    const nothing = await extractIncrement(pool, spec, { logger: silentLogger });
    expect(nothing.batch).toBeUndefined();

    await hisPool.query(
      `insert into his_visits values ('O3', 'P3', '1', '1990-01-01', '2025-01-04 09:00', 'D01', '390', '2025-01-04 09:05')`,
    );
    const second = await extractIncrement(pool, spec, { logger: silentLogger });
    // O2 (10:05) is in the overlap window re-read behind the watermark: counted as a duplicate, not loaded again.
    expect(second.batch).toMatchObject({ outcome: 'loaded', rowsRead: 2, rowsLoaded: 1, rowsDuplicate: 1 });
    const { rows } = await pool.query(`select visit_id from raw_his.outpatient_visits order by visit_id`);
    expect(rows.map((r) => r.visit_id)).toEqual(['O1', 'O3']);
    const wm = await pool.query(`select watermark from ops.watermarks`);
    expect(wm.rows).toEqual([{ watermark: '2025-01-04 09:05:00' }]);
  });

  it('loads rows with tied stamps and rows committed late with an earlier stamp exactly once', async () => {
    const H4 = 'H32090200004';
    await mkdir(`${inbox}/${H4}/his`, { recursive: true });
    await writeFile(
      `${inbox}/${H4}/his/departments.csv`,
      'dept_code,dept_name,dept_class,std_dept_code\nD01,心内科,临床服务类,A03.04\n',
    );
    await ingestInbox(pool, { inbox, sources: [departments], logger: silentLogger });
    await hisPool.query(`create table his_late (like his_visits)`);
    await hisPool.query(`create view v_late as select mzh as "门诊号", brid as "患者ID", xb as "性别", csrq as "出生日期",
      jzsj as "就诊时间", ksdm as "就诊科室", xz as "险种", gxsj as updated_at from his_late`);
    const row = (id: string, stamp: string) =>
      `('${id}', 'P${id}', '1', '1980-01-01', '2025-03-01 09:00', 'D01', '310', '${stamp}')`;
    const late = { ...spec, hospitalCode: H4, relation: 'v_late' };
    const extract = () => extractIncrement(pool, late, { logger: silentLogger });

    await hisPool.query(
      `insert into his_late values ${row('A', '2025-03-01 10:00:00')}, ${row('B', '2025-03-01 10:00:00')}`,
    );
    expect((await extract()).batch).toMatchObject({ rowsRead: 2, rowsLoaded: 2 });

    // A long transaction stamps its row 09:58 but commits only after the next extraction.
    const slow = new pg.Client({ connectionString: his.url });
    await slow.connect();
    try {
      await slow.query('begin');
      await slow.query(`insert into his_late values ${row('D', '2025-03-01 09:58:00')}`);
      // Written in the same second as A and B (a tie), and a later one.
      await hisPool.query(
        `insert into his_late values ${row('C', '2025-03-01 10:00:00')}, ${row('E', '2025-03-01 10:05:00')}`,
      );
      expect((await extract()).batch).toMatchObject({ rowsRead: 4, rowsLoaded: 2, rowsDuplicate: 2 });
      await slow.query('commit');
    } finally {
      await slow.end();
    }
    expect((await extract()).batch).toMatchObject({ rowsRead: 5, rowsLoaded: 1, rowsDuplicate: 4 });
    const nothing = await extract();
    expect(nothing.batch).toBeUndefined();
    expect(nothing.to).toBe('2025-03-01 10:05:00');

    const { rows } = await pool.query(
      `select visit_id, count(*)::int as n from raw_his.outpatient_visits r join ops.batches b using (batch_id)
       where b.hospital_code = $1 and b.status = 'loaded' group by 1 order by 1`,
      [H4],
    );
    expect(rows).toEqual(['A', 'B', 'C', 'D', 'E'].map((visit_id) => ({ visit_id, n: 1 })));
    const unreconciled = await pool.query(
      `select count(*)::int as n from ops.batches where hospital_code = $1
         and rows_read <> rows_loaded + rows_quarantined + rows_duplicate`,
      [H4],
    );
    expect(unreconciled.rows[0].n).toBe(0);
  });

  it('is pulled by the ingest stage when configured, after the inbox, dictionaries first', async () => {
    // H2's HIS exposes its department dictionary and its visits as views; its visits use D01,
    // which only the department view defines, so the visit loads only if departments come first.
    await hisPool.query(`create table his_depts_h2 (ksdm text, ksmc text, bzks text, gxsj timestamp)`);
    await hisPool.query(`create view his_departments_v as select ksdm as "科室编码", ksmc as "科室名称",
      bzks as "标准科室编码", gxsj as updated_at from his_depts_h2`);
    await hisPool.query(`insert into his_depts_h2 values ('D01', '心内科', 'A03.04', '2025-01-01 08:00')`);
    await hisPool.query(`create table his_visits_h2 (like his_visits)`);
    await hisPool.query(`create view his_outpatient_visits_v as select mzh as "门诊号", brid as "患者ID", xb as "性别",
      csrq as "出生日期", jzsj as "就诊时间", ksdm as "就诊科室", xz as "险种", gxsj as updated_at from his_visits_h2`);
    await hisPool.query(`insert into his_visits_h2 values
      ('Q1', 'P1', '1', '1980-01-01', '2025-02-03 09:00', 'D01', '310', '2025-02-03 09:05')`);
    // The inbox holds a file of another hospital: its batch must survive the unreachable database.
    const stageInbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-db-stage-'));
    await mkdir(`${stageInbox}/${H3}/his`, { recursive: true });
    await writeFile(
      `${stageInbox}/${H3}/his/departments.csv`,
      'dept_code,dept_name,dept_class,std_dept_code\nD01,心内科,临床服务类,A03.04\n',
    );
    const his2 = { hospitalCode: H2, connectionString: his.url, watermarkColumn: 'updated_at' };
    const unreachable = 'postgres://hdw_reader:s3cret-pw@127.0.0.1:1/his';
    // Configured the way a site does it, records before dictionaries: the stage puts them in load order.
    const config = loadConfig(
      {
        HDW_INBOX: stageInbox,
        HDW_INBOX_QUIET_SECONDS: '0',
        HDW_DATABASE_SOURCES: JSON.stringify([
          { ...his2, source: 'his.outpatient_visits', relation: 'his_outpatient_visits_v' },
          {
            source: 'his.charge_items',
            hospitalCode: H2,
            connectionString: unreachable,
            relation: 'his_charge_items_v',
            watermarkColumn: 'updated_at',
          },
          { ...his2, source: 'his.departments', relation: 'select * from his_departments_v' },
        ]),
      },
      stageInbox,
    );
    const logged: string[] = [];
    const logger = pino(
      { level: 'info', base: undefined },
      { write: (line: string) => void logged.push(line) },
    );
    const ctx = { pool, config, logger };
    try {
      const first = await ingestStage(ctx);
      // the inbox's work is kept
      expect(first.rejected).toEqual([]);
      const fromInbox = first.batches.find((b) => b.delivery.hospitalCode === H3);
      expect(fromInbox).toMatchObject({ outcome: 'loaded', rowsLoaded: 1 });
      await access(`${stageInbox}/_processed/${H3}/his/departments.csv`);
      // each configured database, in load order; the unreachable one reported with its URL masked
      const byId = new Map(first.databaseSources.map((d, i) => [d.source, { ...d, position: i }]));
      expect(byId.get('his.departments')!.position).toBeLessThan(byId.get('his.outpatient_visits')!.position);
      expect(byId.get('his.departments')).toMatchObject({ outcome: 'loaded', hospitalCode: H2 });
      expect(byId.get('his.outpatient_visits')).toMatchObject({
        outcome: 'loaded',
        to: '2025-02-03 09:05:00',
      });
      expect(byId.get('his.charge_items')).toMatchObject({
        outcome: 'failed',
        connection: 'postgres://hdw_reader:***@127.0.0.1:1/his',
      });
      expect(byId.get('his.charge_items')!.error).toBeTruthy();
      // their batches are in the summary with the inbox's
      const visits = first.batches.find(
        (b) => b.delivery.hospitalCode === H2 && b.delivery.source.entity === 'outpatient_visits',
      );
      expect(visits).toMatchObject({ outcome: 'loaded', rowsRead: 1, rowsLoaded: 1, rowsQuarantined: 0 });
      expect(first.batches.filter((b) => b.delivery.hospitalCode === H2)).toHaveLength(2);
      const landed = await pool.query(
        `select visit_id from raw_his.outpatient_visits r join ops.batches b using (batch_id) where b.hospital_code = $1`,
        [H2],
      );
      expect(landed.rows).toEqual([{ visit_id: 'Q1' }]);
      // the job is recorded as failed, saying which source, without the password
      const job = await pool.query(
        `select status, detail from ops.job_runs where job = 'ingest' order by run_id desc limit 1`,
      );
      expect(job.rows[0]).toMatchObject({ status: 'failed', detail: { batches: 3, databaseSources: 3 } });
      expect(job.rows[0].detail.databaseSourcesFailed).toEqual([
        expect.stringContaining(`his.charge_items ${H2} (postgres://hdw_reader:***@127.0.0.1:1/his)`),
      ]);
      const failure = logged.map((line) => JSON.parse(line)).find((entry) => entry.level === 50);
      expect(failure).toMatchObject({
        source: 'his.charge_items',
        hospitalCode: H2,
        connection: 'postgres://hdw_reader:***@127.0.0.1:1/his',
      });
      expect(logged.join('\n')).not.toContain('s3cret-pw');
      expect(JSON.stringify(first)).not.toContain('s3cret-pw');

      // Nothing new: no batch, the watermarks stay.
      const batchesBefore = await pool.query(`select count(*)::int as n from ops.batches`);
      const again = await ingestStage(ctx);
      expect(again.batches).toEqual([]);
      expect(again.databaseSources.map((d) => [d.source, d.outcome]).sort()).toEqual([
        ['his.charge_items', 'failed'],
        ['his.departments', 'no-new-rows'],
        ['his.outpatient_visits', 'no-new-rows'],
      ]);
      const batchesAfter = await pool.query(`select count(*)::int as n from ops.batches`);
      expect(batchesAfter.rows[0].n).toBe(batchesBefore.rows[0].n);
      const wm = await pool.query(
        `select source, watermark from ops.watermarks where hospital_code = $1 order by source`,
        [H2],
      );
      expect(wm.rows).toEqual([
        { source: 'his.departments', watermark: '2025-01-01 08:00:00' },
        { source: 'his.outpatient_visits', watermark: '2025-02-03 09:05:00' },
      ]);
    } finally {
      await rm(stageInbox, { recursive: true, force: true });
    }
  });

  it('stops the ingest stage on a source id that is not declared, listing the declared ones', async () => {
    const config = loadConfig(
      {
        HDW_INBOX: inbox,
        HDW_DATABASE_SOURCES: JSON.stringify([
          { ...spec, source: 'his.outpatient_visit', connectionString: his.url },
        ]),
      },
      inbox,
    );
    const attempt = ingestStage({ pool, config, logger: silentLogger });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      /HDW_DATABASE_SOURCES\[0\]\.source "his\.outpatient_visit" is not a declared source \(declared: .*his\.outpatient_visits/,
    );
  });
});
