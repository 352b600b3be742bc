import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { extractIncrement, type DatabaseSource } from '../../pipelines/ingest/database-source.ts';
import { ingestInbox } from '../../pipelines/ingest/ingest-inbox.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { departments } from '../../pipelines/sources/his/departments.ts';
import { outpatientVisits } from '../../pipelines/sources/his/outpatient-visits.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const H1 = 'H32090200001';

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
    pool = new pg.Pool({ connectionString: warehouse.url, max: 2 });
    hisPool = new pg.Pool({ connectionString: his.url, max: 1 });
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
    expect(second.batch).toMatchObject({ outcome: 'loaded', rowsRead: 1, rowsLoaded: 1 });
    const { rows } = await pool.query(`select visit_id from raw_his.outpatient_visits order by visit_id`);
    expect(rows.map((r) => r.visit_id)).toEqual(['O1', 'O3']);
    const wm = await pool.query(`select watermark from ops.watermarks`);
    expect(wm.rows).toEqual([{ watermark: '2025-01-04 09:05:00' }]);
  });
});
