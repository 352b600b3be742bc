import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels, testModels } from '../../core/engine/build-models.ts';
import type { CompiledProject } from '../../core/engine/compile-models.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { ensureRawTables } from '../../pipelines/ingest/load-batch.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const hospitals = ['H32090200001', 'H32092100011'];
let t: TestDatabase;
let pool: pg.Pool;
let project: CompiledProject;

async function newBatch(source: string, hospital: string, period: string): Promise<number> {
  const { rows } = await pool.query<{ batch_id: number }>(
    `insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate)
     values ($1, $2, $3, 'fixture.csv', md5(random()::text), 'utf-8', 'loaded', 0, 0, 0, 0) returning batch_id`,
    [source, hospital, period],
  );
  return rows[0]!.batch_id;
}

/** `n` charge lines of one hospital and month, priced at `price`, into `batch`. */
async function chargeLines(
  batch: number,
  hospital: string,
  month: number,
  n: number,
  price: number,
): Promise<void> {
  await pool.query(
    `insert into raw_his.charge_lines (batch_id, source_file, source_line, hospital_code, line_id, visit_type, visit_id, charge_time,
       item_code, item_name, category_code, quantity, unit_price, amount, order_dept_code, exec_dept_code)
     select $1, 'fixture.csv', g, $2, 'L' || $3 || '-' || g, case when g % 2 = 0 then 'I' else 'O' end, 'V' || g,
            timestamp '2024-01-01' + make_interval(months => $3::int, hours => g), 'I' || (g % 5), '项目', lpad((g % 14 + 1)::text, 2, '0'),
            1 + g % 3, $5::numeric, (1 + g % 3) * $5::numeric, case when g % 3 = 0 then 'D1' else 'D2' end, null
       from generate_series(1, $4) g`,
    [batch, hospital, month, n, price],
  );
}

async function snapshot(relation: string, key: string): Promise<unknown[]> {
  return (await pool.query(`select * from ${relation} order by ${key}`)).rows;
}

const build = (fullRefresh = false) =>
  buildModels(pool, project, { logger: silentLogger, fullRefresh, threads: 4 });

beforeAll(async () => {
  t = await createTestDatabase();
  pool = new pg.Pool({ connectionString: t.url, max: 6 });
  await ensureRawTables(pool, allSources);
  await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
  for (const hospital of hospitals) {
    const batch = await newBatch('his.departments', hospital, '2024-01');
    await pool.query(
      `insert into raw_his.departments (batch_id, source_file, source_line, hospital_code, dept_code, dept_name, dept_class, std_dept_code)
       values ($1, 'd.csv', 2, $2, 'D1', '内一科', '临床', 'A03'), ($1, 'd.csv', 3, $2, 'D2', '呼吸科', '临床', 'A03.01')`,
      [batch, hospital],
    );
  }
  project = await loadProject();
});

afterAll(async () => {
  await pool?.end();
  await t?.drop();
});

describe('incremental model int_charge_lines__standardised', () => {
  it('built incrementally across several batches equals the same model built with --full-refresh, row for row', async () => {
    const merged: number[] = [];
    let late = 0;
    for (let month = 0; month < 4; month++) {
      for (const hospital of hospitals)
        await chargeLines(
          await newBatch('his.charge_lines', hospital, `2024-0${month + 1}`),
          hospital,
          month,
          120,
          2.5,
        );
      if (month === 2) late = await newBatch('his.charge_lines', 'H32092100011', '2023-12'); // committed after a later batch was built
      const results = await build();
      expect(results.filter((r) => r.status !== 'success')).toEqual([]);
      merged.push(results.find((r) => r.model === 'int_charge_lines__standardised')!.rows!);
    }
    // the first build creates the table; later ones merge only the batches within the look-back
    expect(merged[0]).toBe(240);
    expect(merged[3]!).toBeLessThan(4 * 240);

    // a late batch, older than the newest built one but within the look-back, is picked up
    await chargeLines(late, 'H32092100011', 11, 30, 4);
    // a corrected delivery replaces month 1 of the first hospital: fewer lines, new prices
    const { rows: old } = await pool.query(
      `select batch_id from ops.batches where source = 'his.charge_lines' and hospital_code = $1 and period = '2024-01'`,
      [hospitals[0]],
    );
    await pool.query(`delete from raw_his.charge_lines where batch_id = $1`, [old[0].batch_id]);
    await pool.query(`update ops.batches set status = 'replaced' where batch_id = $1`, [old[0].batch_id]);
    await chargeLines(await newBatch('his.charge_lines', hospitals[0]!, '2024-01'), hospitals[0]!, 0, 90, 3);
    expect((await build()).every((r) => r.status === 'success')).toBe(true);

    const incremental = await snapshot(
      'intermediate.int_charge_lines__standardised',
      'hospital_code, charge_line_id',
    );
    const mart = await snapshot('marts.fct_department_charges_monthly', 'department_charge_month_id');
    expect(incremental).toHaveLength(2 * 4 * 120 - 120 + 90 + 30);

    expect((await build(true)).every((r) => r.status === 'success')).toBe(true);
    expect(
      await snapshot('intermediate.int_charge_lines__standardised', 'hospital_code, charge_line_id'),
    ).toEqual(incremental);
    expect(await snapshot('marts.fct_department_charges_monthly', 'department_charge_month_id')).toEqual(
      mart,
    );
  });

  it("passes the project's data tests, unit tests and custom SQL tests on the built models", async () => {
    const results = await testModels(pool, project, { logger: silentLogger });
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.map((r) => r.test)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^unit\(/), 'assert_mart_charges_equal_charge_lines']),
    );
  });
});
