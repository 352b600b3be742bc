import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../core/engine/build-models.ts';
import { checkProjectColumns } from '../../core/engine/model-columns.ts';
import { compileProject } from '../../core/engine/compile-models.ts';
import { writeRunResults } from '../../core/engine/run-results.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  writeFixtureModel,
  writeFixtureProject,
  writeFixtureSources,
} from '../data/engine-fixtures/fixture-project.ts';
import { createPool } from '../../core/db/database.ts';

let t: TestDatabase;
let pool: pg.Pool;
let dir: string;
let models: string;

beforeAll(async () => {
  t = await createTestDatabase();
  pool = createPool(t.url, 8);
  dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-engine-build-'));
  models = path.join(dir, 'models');
  await pool.query(
    `create schema raw_app; create table raw_app.events as select g as id, (g % 3)::text as grp, g * 1.5 as amount from generate_series(1, 300) g`,
  );
  await writeFixtureProject(models, 'fixture', { max_id: 100, pause_seconds: 0 });
  await writeFixtureSources(models, 'app', ['events']);
  await writeFixtureModel(models, 'staging', {
    name: 'stg_app__events',
    sql: 'select * from ${source("app", "events")} where id <= ${v("max_id")}',
    returns: ['grp', 'amount'],
  });
  await writeFixtureModel(models, 'intermediate', {
    name: 'int_events__even',
    materialized: 'ephemeral',
    sql: 'select * from ${ref("stg_app__events")} where id % 2 = 0',
    returns: ['grp', 'amount'],
  });
  await writeFixtureModel(models, 'intermediate', {
    name: 'int_events__slow',
    materialized: 'table',
    sql: 'with pause as (select pg_sleep(${v("pause_seconds")})) select e.* from ${ref("stg_app__events")} e, pause',
    returns: ['grp', 'amount'],
  });
  await writeFixtureModel(models, 'marts', {
    name: 'fct_even_groups',
    materialized: 'table',
    primaryKey: 'grp',
    tags: ['even'],
    sql: 'select grp, count(*) as n from ${ref("int_events__even")} group by grp',
    returns: ['n'],
  });
  await writeFixtureModel(models, 'intermediate', {
    name: 'int_broken',
    materialized: 'table',
    sql: 'select 1 / 0 as id',
  });
  await writeFixtureModel(models, 'marts', {
    name: 'fct_on_broken',
    materialized: 'table',
    sql: 'select * from ${ref("int_broken")}',
  });
  await writeFixtureModel(models, 'marts', {
    name: 'dim_after_broken',
    materialized: 'view',
    sql: 'select * from ${ref("fct_on_broken")}',
  });
  await writeFixtureModel(models, 'marts', {
    name: 'fct_slow_copy',
    materialized: 'table',
    sql: 'select * from ${ref("int_events__slow")}',
    returns: ['grp', 'amount'],
  });
});

afterAll(async () => {
  await pool?.end();
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('model engine: build', () => {
  it('builds views, tables and ephemeral models; a failed model skips its dependents and the rest carry on', async () => {
    const project = await compileProject(models, []);
    const started = new Date();
    const run = await buildModels(pool, project, { logger: silentLogger, threads: 4 });
    const results = run.models;
    const status = Object.fromEntries(results.map((r) => [r.model, r.status]));
    expect(status).toEqual({
      stg_app__events: 'success',
      int_events__slow: 'success',
      fct_even_groups: 'success',
      fct_slow_copy: 'success',
      int_broken: 'error',
      fct_on_broken: 'skipped',
      dim_after_broken: 'skipped',
    });
    expect(results.find((r) => r.model === 'int_broken')!.message).toMatch(/division by zero/);
    expect(results.find((r) => r.model === 'dim_after_broken')!.message).toMatch(/fct_on_broken/);
    // a model that did not build blocks publication: nothing of the run is published
    expect(run.publication).toBe('blocked');
    expect(run.blockedBy).toEqual(
      expect.arrayContaining([expect.stringMatching(/^int_broken: .*division by zero/)]),
    );
    expect((await pool.query(`select to_regclass('marts.fct_even_groups') as r`)).rows[0].r).toBeNull();
    // the audit schema keeps what was built, for the owner to inspect
    expect((await pool.query(`select sum(n)::int as n from marts__audit.fct_even_groups`)).rows[0].n).toBe(
      50,
    );
    const good = await buildModels(pool, project, {
      logger: silentLogger,
      select: 'stg_app__events int_events__slow fct_even_groups fct_slow_copy',
    });
    expect(good.publication).toBe('published');
    // the ephemeral model is inlined, never built
    const { rows } = await pool.query(`select sum(n)::int as n from marts.fct_even_groups`);
    expect(rows[0].n).toBe(50);
    expect((await pool.query(`select to_regnamespace('marts__audit') as r`)).rows[0].r).toBeNull();
    expect(
      (await pool.query(`select to_regclass('intermediate.int_events__even') as r`)).rows[0].r,
    ).toBeNull();

    const runs = await pool.query(
      `select model, status, rows from ops.model_runs where kind = 'build' order by model`,
    );
    expect(runs.rows).toContainEqual({ model: 'int_events__slow', status: 'success', rows: 100 });
    expect(runs.rows).toContainEqual(expect.objectContaining({ model: 'fct_on_broken', status: 'skipped' }));

    const file = await writeRunResults(
      project,
      { command: 'build', startedAt: started, models: results },
      path.join(dir, 'target'),
    );
    const runResults = JSON.parse(await readFile(file, 'utf8'));
    expect(runResults.metadata.dbt_schema_version).toMatch(/run-results/);
    expect(runResults.results).toContainEqual(
      expect.objectContaining({ unique_id: 'model.fixture.int_broken', status: 'error' }),
    );
    expect(runResults.results).toHaveLength(7);
  });

  it('swaps a rebuilt table atomically: a reader during a slow rebuild sees the old table, then the new one, never an empty or missing one', async () => {
    await pool.query(
      `create view public.bi_user_view as select grp, count(*) as n from intermediate.int_events__slow group by grp`,
    );
    await pool.query(`create role hdw_fixture_reader`).catch(() => undefined);
    await pool.query(`grant select on intermediate.int_events__slow to hdw_fixture_reader`);
    const slow = await compileProject(models, [], { vars: { max_id: 150, pause_seconds: 1.5 } });
    const reader = new pg.Client({ connectionString: t.url });
    await reader.connect();
    const seen: (number | string)[] = [];
    let building = true;
    const polling = (async () => {
      while (building) {
        try {
          seen.push(
            (await reader.query(`select count(*)::int as n from intermediate.int_events__slow`)).rows[0].n,
          );
        } catch (error) {
          seen.push(`error: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const { models: results } = await buildModels(pool, slow, {
      logger: silentLogger,
      select: '+int_events__slow',
    });
    await new Promise((r) => setTimeout(r, 100));
    building = false;
    await polling;
    await reader.end();
    expect(results.map((r) => [r.model, r.status, r.rows])).toEqual([
      ['stg_app__events', 'success', undefined],
      ['int_events__slow', 'success', 150],
    ]);
    expect(seen.length).toBeGreaterThan(20);
    expect(new Set(seen)).toEqual(new Set([100, 150]));
    expect(seen[0]).toBe(100);
    // what hung off the old table is still there
    expect((await pool.query(`select sum(n)::int as n from public.bi_user_view`)).rows[0].n).toBe(150);
    const grants = await pool.query(
      `select has_table_privilege('hdw_fixture_reader', 'intermediate.int_events__slow', 'select') as ok`,
    );
    expect(grants.rows[0].ok).toBe(true);
    // a downstream table not selected keeps its old rows until it is built
    expect((await pool.query(`select count(*)::int as n from marts.fct_slow_copy`)).rows[0].n).toBe(100);
  });

  it('builds independent models side by side with --threads', async () => {
    const slow = await compileProject(models, [], { vars: { max_id: 100, pause_seconds: 1 } });
    const started = Date.now();
    const { models: results } = await buildModels(pool, slow, {
      logger: silentLogger,
      select: 'int_events__slow fct_even_groups stg_app__events',
      threads: 4,
    });
    expect(results.every((r) => r.status === 'success')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails a model whose declared columns differ from what its SQL returns, naming model and column, at compile --check and at build', async () => {
    const other = path.join(dir, 'contract-models');
    await writeFixtureSources(other, 'app', ['events']);
    await writeFixtureModel(other, 'staging', {
      name: 'stg_app__events',
      sql: 'select id, grp from ${source("app", "events")}',
      returns: ['grp', 'amount'],
    });
    await writeFixtureModel(other, 'marts', {
      name: 'fct_groups',
      materialized: 'table',
      primaryKey: 'grp',
      sql: 'select grp, count(*) as n, sum(id) as total from ${ref("stg_app__events")} group by grp',
      returns: ['n'],
      columns: { n: { description: 'n', type: 'integer' } },
    });
    const project = await compileProject(other, []);
    const described = await checkProjectColumns(pool, project.models).then(
      () => 'no error',
      (error: Error) => error.message,
    );
    expect(described).toMatch(/model stg_app__events: declared column amount is not returned by its SQL/);
    const run = await buildModels(pool, project, { logger: silentLogger });
    expect(run.publication).toBe('blocked');
    expect(run.models.find((m) => m.model === 'stg_app__events')!.message).toMatch(
      /model stg_app__events: declared column amount is not returned/,
    );
    // the mart alone (reading the published staging view of the first fixture project)
    const mart = await buildModels(pool, project, { logger: silentLogger, select: 'fct_groups' });
    expect(mart.models[0]!.message).toMatch(
      /^model fct_groups: .*column total is returned by its SQL but not declared/,
    );
    expect(mart.models[0]!.message).toMatch(/column n is bigint, declared integer/);
  });

  it("applies a model's planner settings to its own build only, and refuses a setting outside the list", async () => {
    const other = path.join(dir, 'planner-models');
    const probe = (name: string, extra?: string) =>
      writeFixtureModel(other, 'marts', {
        name,
        materialized: 'table',
        sql: "select g as id, current_setting('work_mem') as wm, current_setting('enable_mergejoin') as mj from generate_series(1, 1000) g",
        returns: ['wm', 'mj'],
        ...(extra ? { extra } : {}),
      });
    await probe(
      'fct_planner_probe',
      "plannerSettings: { work_mem: '3MB', enable_mergejoin: 'off', default_statistics_target: '10' }",
    );
    await probe('fct_planner_default');
    const run = await buildModels(pool, await compileProject(other, []), { logger: silentLogger, threads: 1 });
    expect(run.publication).toBe('published');
    const settings = async (table: string) =>
      (await pool.query(`select wm, mj from marts.${table}`)).rows[0] as { wm: string; mj: string };
    expect(await settings('fct_planner_probe')).toEqual({ wm: '3MB', mj: 'off' });
    const server = (await pool.query(`select current_setting('work_mem') as wm`)).rows[0].wm as string;
    expect(await settings('fct_planner_default')).toEqual({ wm: server, mj: 'on' });
    // the build's analyze sampled with the model's statistics target: a histogram of 11 bounds, not 101
    const bounds = async (table: string) =>
      (
        await pool.query(`select cardinality(histogram_bounds::text::int[]) as n from pg_stats
          where schemaname = 'marts' and tablename = $1 and attname = 'id'`, [table])
      ).rows[0].n as number;
    expect(await bounds('fct_planner_probe')).toBe(11);
    expect(await bounds('fct_planner_default')).toBe(101);

    const refused = path.join(dir, 'planner-models-refused');
    await writeFixtureModel(refused, 'marts', {
      name: 'fct_planner_refused',
      materialized: 'table',
      sql: 'select 1 as id',
      extra: "plannerSettings: { statement_timeout: '0' }",
    });
    await expect(compileProject(refused, [])).rejects.toMatchObject({
      problems: [expect.objectContaining({ message: expect.stringMatching(/statement_timeout is not a setting a model may change/) })],
    });
  });

  it("keeps a model's extended statistics and indexes with its published table across rebuilds, and refuses undeclared columns", async () => {
    const other = path.join(dir, 'statistics-models');
    await writeFixtureModel(other, 'marts', {
      name: 'fct_statistics_probe',
      materialized: 'table',
      sql: 'select g as id, g % 3 as a, g % 5 as b from generate_series(1, 300) g',
      returns: ['a', 'b'],
      extra: "statistics: [['a', 'b']], indexes: [['b', 'a']]",
    });
    const project = await compileProject(other, []);
    const objects = async () =>
      (
        await pool.query(`select s.stxnamespace::regnamespace::text as schema, s.stxname as name,
            s.stxrelid::regclass::text as relation, d.stxdndistinct is not null as analysed
          from pg_statistic_ext s left join pg_statistic_ext_data d on d.stxoid = s.oid
          where s.stxrelid = 'marts.fct_statistics_probe'::regclass`)
      ).rows;
    for (let round = 0; round < 2; round++) {
      const run = await buildModels(pool, project, { logger: silentLogger });
      expect(run.publication).toBe('published');
      expect(await objects()).toEqual([
        { schema: 'marts', name: 'fct_statistics_probe__ndistinct_1', relation: 'marts.fct_statistics_probe', analysed: true },
      ]);
      const { rows } = await pool.query(
        `select indexname, indexdef from pg_indexes where schemaname = 'marts' and tablename = 'fct_statistics_probe'`,
      );
      expect(rows).toEqual([
        {
          indexname: 'fct_statistics_probe__index_1',
          indexdef: expect.stringMatching(/USING btree \(b, a\)$/),
        },
      ]);
      // rebuilt whole by each run and analysed in its build: autovacuum has nothing to do on it
      const options = await pool.query(`select reloptions from pg_class where oid = 'marts.fct_statistics_probe'::regclass`);
      expect(options.rows[0].reloptions).toEqual(['autovacuum_enabled=false']);
    }

    const refused = path.join(dir, 'statistics-models-refused');
    await writeFixtureModel(refused, 'marts', {
      name: 'fct_statistics_refused',
      materialized: 'table',
      sql: 'select 1 as id, 2 as a',
      returns: ['a'],
      extra: "statistics: [['a', 'missing']]",
    });
    await expect(compileProject(refused, [])).rejects.toMatchObject({
      problems: [expect.objectContaining({ message: expect.stringMatching(/statistics name undeclared columns \(missing\)/) })],
    });
  });

  it('publishes despite a failing warn test (reported as warn), and blocks on a failing error test', async () => {
    const other = path.join(dir, 'severity-models');
    await writeFixtureModel(other, 'marts', {
      name: 'fct_severity',
      materialized: 'table',
      sql: 'select g as id, g - 2 as amount from generate_series(1, 3) g',
      returns: ['amount'],
      columns: { amount: { tests: [{ test: { expression: 'amount >= 0' }, severity: 'warn' }] } },
    });
    const warned = await buildModels(pool, await compileProject(other, []), { logger: silentLogger });
    expect(warned.publication).toBe('published');
    expect(warned.tests.find((t) => t.test.startsWith('expression(amount'))).toMatchObject({
      status: 'warn',
      severity: 'warn',
      failures: 1,
    });
    expect((await pool.query(`select count(*)::int as n from marts.fct_severity`)).rows[0].n).toBe(3);

    const again = path.join(dir, 'severity-models-2'); // modules are cached by path
    await writeFixtureModel(again, 'marts', {
      name: 'fct_severity',
      materialized: 'table',
      sql: 'select g as id, g - 3 as amount from generate_series(1, 4) g',
      returns: ['amount'],
      columns: { amount: { tests: [{ expression: 'amount >= 0' }] } },
    });
    const blocked = await buildModels(pool, await compileProject(again, []), { logger: silentLogger });
    expect(blocked.publication).toBe('blocked');
    expect(blocked.blockedBy).toEqual(['fct_severity expression(amount: amount >= 0): 2 failing rows']);
    expect((await pool.query(`select count(*)::int as n from marts.fct_severity`)).rows[0].n).toBe(3);
  });

  it("checks a table's row-condition tests in one scan, and still names each failing test with its rows or its error", async () => {
    const scanned = path.join(dir, 'scanned-models');
    await writeFixtureModel(scanned, 'marts', {
      name: 'fct_scanned',
      materialized: 'table',
      sql: "select g as id, g - 3 as amount, case when g > 1 then 'a' end as code from generate_series(1, 4) g",
      returns: ['amount'],
      columns: {
        amount: { tests: ['not_null', { expression: 'amount >= 0' }] },
        code: { tests: [{ accepted_values: ['a'] }, { expression: 'no_such_column > 0' }] },
      },
    });
    const queries: string[] = [];
    const run = await buildModels(pool, await compileProject(scanned, []), {
      logger: silentLogger,
      onStatement: (model, text) => model === '(test)' && queries.push(text),
    });
    // id not null, amount not null and >= 0, code accepted and the broken expression: one count of
    // each over the table, then the failing and the broken ones on their own; id unique on its own
    expect(queries.filter((q) => q.includes('count(*) filter'))).toHaveLength(1);
    expect(run.tests.map((t) => [t.test, t.status, t.failures])).toEqual([
      ['unique(id)', 'pass', 0],
      ['not_null(id)', 'pass', 0],
      ['not_null(amount)', 'pass', 0],
      ['expression(amount: amount >= 0)', 'fail', 2],
      ['accepted_values(code)', 'pass', 0],
      ['expression(code: no_such_column > 0)', 'error', 0],
    ]);
    expect(run.tests[3]!.sample.map((r) => r.amount)).toEqual([-2, -1]);
    expect(run.tests[5]!.message).toMatch(/no_such_column/);
    expect(run.publication).toBe('blocked');
  });

  it('publishes a mart whose column was renamed although a semantic view read the old one; a BI user’s view is still carried over', async () => {
    const first = path.join(dir, 'rename-models-1'); // modules are cached by path
    await writeFixtureModel(first, 'marts', {
      name: 'fct_renamed',
      materialized: 'table',
      sql: 'select g as id, g * 2 as amount from generate_series(1, 3) g',
      returns: ['amount'],
    });
    expect(
      (await buildModels(pool, await compileProject(first, []), { logger: silentLogger })).publication,
    ).toBe('published');
    await pool.query(`create schema if not exists semantic`);
    await pool.query(
      `create view semantic.renamed_amounts as select sum(amount) as total from marts.fct_renamed`,
    );
    await pool.query(`create view public.bi_renamed_ids as select id from marts.fct_renamed`);

    const second = path.join(dir, 'rename-models-2');
    await writeFixtureModel(second, 'marts', {
      name: 'fct_renamed',
      materialized: 'table',
      sql: 'select g as id, g * 2 as charge_amount from generate_series(1, 4) g',
      returns: ['charge_amount'],
    });
    const renamed = await buildModels(pool, await compileProject(second, []), { logger: silentLogger });
    expect(renamed.publication).toBe('published');
    expect(renamed.models.map((m) => m.status)).toEqual(['success']);
    // warehouse security makes the semantic views again after each build; the stale one is left to it
    expect(
      (await pool.query(`select to_regclass('semantic.renamed_amounts') as rel`)).rows[0].rel,
    ).toBeNull();
    expect((await pool.query(`select count(*)::int as n from public.bi_renamed_ids`)).rows[0].n).toBe(4);
  });
});
