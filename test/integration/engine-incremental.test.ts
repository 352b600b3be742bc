import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels, testModels, type BuildRun } from '../../core/engine/build-models.ts';
import type { CompiledProject } from '../../core/engine/compile-models.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { ensureRawTables } from '../../pipelines/ingest/load-batch.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { findSeeds, loadSeeds, type SeedFile } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

const hospitals = ['H32090200001', 'H32092100011'];
let t: TestDatabase;
let pool: pg.Pool;
let project: CompiledProject;
let seeds: SeedFile[];

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

const incrementalRows = () =>
  snapshot('intermediate.int_charge_lines__standardised', 'hospital_code, charge_line_id');
const martRows = () => snapshot('marts.fct_department_charges_monthly', 'department_charge_month_id');

/** An ordinary build, then a --full-refresh one: both must give the same rows. Returns the ordinary run. */
async function expectOrdinaryEqualsFullRefresh(): Promise<BuildRun> {
  const run = await build();
  expect(run.models.filter((r) => r.status !== 'success')).toEqual([]);
  expect(run.blockedBy).toEqual([]);
  expect(run.publication).toBe('published');
  const [incremental, mart] = [await incrementalRows(), await martRows()];
  expect((await build(true)).publication).toBe('published');
  expect(await incrementalRows()).toEqual(incremental);
  expect(await martRows()).toEqual(mart);
  return run;
}

const int = (run: BuildRun) => run.models.find((r) => r.model === 'int_charge_lines__standardised')!;

beforeAll(async () => {
  t = await createTestDatabase();
  pool = createPool(t.url, 6);
  await ensureRawTables(pool, allSources);
  seeds = await findSeeds(projectPaths.seeds);
  await loadSeeds(pool, seeds, silentLogger);
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
  it('re-merges only the batches that changed, and equals a --full-refresh build row for row', async () => {
    const merged: number[] = [];
    for (let month = 0; month < 4; month++) {
      for (const hospital of hospitals)
        await chargeLines(
          await newBatch('his.charge_lines', hospital, `2024-0${month + 1}`),
          hospital,
          month,
          120,
          2.5,
        );
      const run = await build();
      expect(run.models.filter((r) => r.status !== 'success')).toEqual([]);
      merged.push(int(run).rows!);
    }
    // the first build creates the table; later ones merge only the two new batches
    expect(merged).toEqual([240, 240, 240, 240]);
    expect((await build()).models.find((r) => r.model === 'int_charge_lines__standardised')!.rows).toBe(0);

    // a late batch for an old period, loaded after newer ones
    await chargeLines(
      await newBatch('his.charge_lines', 'H32092100011', '2023-12'),
      'H32092100011',
      11,
      30,
      4,
    );
    // a corrected delivery replaces the oldest month of the first hospital (older than any look-back)
    const { rows: old } = await pool.query(
      `select batch_id from ops.batches where source = 'his.charge_lines' and hospital_code = $1 and period = '2024-01'`,
      [hospitals[0]],
    );
    await pool.query(`delete from raw_his.charge_lines where batch_id = $1`, [old[0].batch_id]);
    await pool.query(`update ops.batches set status = 'replaced' where batch_id = $1`, [old[0].batch_id]);
    await chargeLines(await newBatch('his.charge_lines', hospitals[0]!, '2024-01'), hospitals[0]!, 0, 90, 3);
    const run = await expectOrdinaryEqualsFullRefresh();
    expect(int(run)).toMatchObject({ materialized: 'incremental', rows: 90 + 30 });
    expect(await incrementalRows()).toHaveLength(2 * 4 * 120 - 120 + 90 + 30);
  });

  it('picks up rows a replay released into an old batch (same batch id, new ledger figures)', async () => {
    const { rows } = await pool.query<{ batch_id: number }>(
      `select batch_id from ops.batches where source = 'his.charge_lines' and status = 'loaded' order by batch_id limit 1`,
    );
    const batch = rows[0]!.batch_id;
    await pool.query(
      `insert into raw_his.charge_lines (batch_id, source_file, source_line, hospital_code, line_id, visit_type, visit_id, charge_time,
         item_code, item_name, category_code, quantity, unit_price, amount, order_dept_code, exec_dept_code)
       select batch_id, 'fixture.csv', 9000, hospital_code, 'REPLAYED-1', 'I', 'V1', timestamp '2024-01-20', 'I1', '项目', '01', 1, 8, 8, 'D1', null
         from ops.batches where batch_id = $1`,
      [batch],
    );
    await pool.query(
      `update ops.batches set rows_read = rows_read + 1, rows_loaded = rows_loaded + 1 where batch_id = $1`,
      [batch],
    );
    const run = await expectOrdinaryEqualsFullRefresh();
    expect(int(run).materialized).toBe('incremental');
    expect(
      (await incrementalRows()).some(
        (r) => (r as { charge_line_id: string }).charge_line_id === 'REPLAYED-1',
      ),
    ).toBe(true);
  });

  it('rebuilds fully, and says why, when a dictionary delivery or a seed remaps rows already merged', async () => {
    // a corrected department dictionary replaces the first: D2 now maps to another standard department
    const { rows: old } = await pool.query(
      `select batch_id from ops.batches where source = 'his.departments' and hospital_code = $1 and status = 'loaded'`,
      [hospitals[0]],
    );
    await pool.query(`delete from raw_his.departments where batch_id = $1`, [old[0].batch_id]);
    await pool.query(`update ops.batches set status = 'replaced' where batch_id = $1`, [old[0].batch_id]);
    const dict = await newBatch('his.departments', hospitals[0]!, '2024-01');
    await pool.query(
      `insert into raw_his.departments (batch_id, source_file, source_line, hospital_code, dept_code, dept_name, dept_class, std_dept_code)
       values ($1, 'd.csv', 2, $2, 'D1', '内一科', '临床', 'A03'), ($1, 'd.csv', 3, $2, 'D2', '呼吸科', '临床', 'A03')`,
      [dict, hospitals[0]],
    );
    const before = await martRows();
    let run = await expectOrdinaryEqualsFullRefresh();
    expect(await martRows()).not.toEqual(before);
    expect(int(run).rebuiltFully).toBe('his.departments changed');

    // a seed change: 材料费 (13) becomes a drug category
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-seed-'));
    const original = seeds.find((s) => s.name === 'charge_categories')!;
    const csv = (await readFile(original.csv, 'utf8')).replace(/^13,([^,]*),false,/m, '13,$1,true,');
    const changed = path.join(dir, 'charge_categories.csv');
    await writeFile(changed, csv);
    const drugBefore = Number(
      (await pool.query(`select count(*) from intermediate.int_charge_lines__standardised where is_drug`))
        .rows[0].count,
    );
    await loadSeeds(
      pool,
      seeds.map((s) => (s.name === 'charge_categories' ? { ...s, csv: changed } : s)),
      silentLogger,
    );
    run = await expectOrdinaryEqualsFullRefresh();
    expect(int(run).rebuiltFully).toBe('ref.charge_categories changed');
    const drugAfter = Number(
      (await pool.query(`select count(*) from intermediate.int_charge_lines__standardised where is_drug`))
        .rows[0].count,
    );
    expect(drugAfter).toBeGreaterThan(drugBefore);
    // loading the same seeds again is no change: the next build merges nothing
    await loadSeeds(
      pool,
      seeds.map((s) => (s.name === 'charge_categories' ? { ...s, csv: changed } : s)),
      silentLogger,
    );
    expect(int(await build())).toMatchObject({ materialized: 'incremental', rows: 0 });
    await loadSeeds(pool, seeds, silentLogger);
    await rm(dir, { recursive: true, force: true });
  });

  it("passes the project's data tests, unit tests and custom SQL tests on the built models", async () => {
    expect((await build()).publication).toBe('published');
    const results = await testModels(pool, project, { logger: silentLogger });
    // Warn-severity findings (a fixture batch retired without a replacement) do not fail the project.
    expect(results.filter((r) => r.status !== 'pass' && r.status !== 'warn')).toEqual([]);
    expect(results.map((r) => r.test)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^unit\(/), 'assert_mart_charges_equal_charge_lines']),
    );
  });
});
