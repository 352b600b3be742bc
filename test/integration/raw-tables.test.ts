import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRawTables } from '../../pipelines/ingest/batch-table.ts';
import { departments } from '../../pipelines/sources/his/departments.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

describe('raw tables from before they were partitioned by batch', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('keep their rows, as the partition of the batches they hold, and take new batches beside them', async () => {
    await pool.query(`create table raw_his.departments (batch_id bigint not null, source_file text not null,
      source_line integer not null, hospital_code text not null, dept_code text, dept_name text, dept_class text,
      std_dept_code text)`);
    await pool.query(`insert into raw_his.departments values
      (1, 'a.csv', 2, 'H32090200001', 'D1', '内科', '临床', 'A03'), (2, 'b.csv', 2, 'H32090200001', 'D2', '外科', '临床', 'A04')`);

    await ensureRawTables(pool, [departments]);
    await ensureRawTables(pool, [departments]); // again: nothing to convert

    const kind = await pool.query(`select relkind from pg_class where oid = 'raw_his.departments'::regclass`);
    expect(kind.rows[0].relkind).toBe('p');
    const rows = await pool.query(`select batch_id::int, dept_code from raw_his.departments order by 1`);
    expect(rows.rows).toEqual([
      { batch_id: 1, dept_code: 'D1' },
      { batch_id: 2, dept_code: 'D2' },
    ]);
    // A new batch routes to the default partition (no batch partition yet) rather than failing.
    await pool.query(`insert into raw_his.departments (batch_id, source_file, source_line, hospital_code, dept_code)
      values (3, 'c.csv', 2, 'H32090200001', 'D3')`);
    const where = await pool.query(
      `select tableoid::regclass::text as rel from raw_his.departments where batch_id = 3`,
    );
    expect(where.rows[0].rel).toBe('raw_his.departments__unbatched');
    const legacy = await pool.query(
      `select tableoid::regclass::text as rel from raw_his.departments where batch_id = 1`,
    );
    expect(legacy.rows[0].rel).toBe('raw_his.departments__legacy');
  });
});
