/**
 * The model engine against plain SQL: generates a 200-model project (staging views, intermediate
 * tables and views, mart tables) over a generated raw table, times compilation, builds it with the
 * engine — a whole write-audit-publish run: models built into the audit schemas, their tests run
 * there, all published in one transaction — then runs the very statements and test queries the
 * engine issued, in the same order, on a fresh database.
 */
import path from 'node:path';
import pg from 'pg';
import { buildModels } from '../../core/engine/build-models.ts';
import { compileProject } from '../../core/engine/compile-models.ts';
import { createDb } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { writeFixtureModel, writeFixtureSources } from '../data/engine-fixtures/fixture-project.ts';
import type { BenchContext } from './run.ts';

const RAW_ROWS = 400_000;

async function freshDatabase(adminUrl: string, name: string): Promise<pg.Pool> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 6 });
  // The engine records runs and model state in ops: the warehouse's own migrations create them.
  await migrateToLatest(createDb(pool), silentLogger);
  await pool.query(`create schema raw_bench;
    create table raw_bench.charges as
      select g as id, 'H' || (g % 3) as hospital_code, 'D' || (g % 37) as dept_code, date '2024-01-01' + (g % 365) as charged_on,
             round((random() * 500)::numeric, 2) as amount
        from generate_series(1, ${RAW_ROWS}) g;
    analyze raw_bench.charges`);
  return pool;
}

async function writeProject(modelsDir: string): Promise<void> {
  await writeFixtureSources(modelsDir, 'bench', ['charges']);
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    writes.push(
      writeFixtureModel(modelsDir, 'staging/bench', {
        name: `stg_bench__s${i}`,
        sql: `select * from \${source("bench", "charges")} where id % 20 = ${i}`,
        returns: ['hospital_code', 'dept_code', 'charged_on', 'amount'],
      }),
    );
  }
  for (let j = 0; j < 100; j++) {
    writes.push(
      writeFixtureModel(modelsDir, 'intermediate/bench', {
        name: `int_bench__m${j}`,
        materialized: 'table',
        primaryKey: ['hospital_code', 'dept_code', 'month'],
        sql: `select hospital_code, dept_code, date_trunc('month', charged_on)::date as month, sum(amount) as amount, count(*) as n
              from \${ref("stg_bench__s${j % 20}")} where id % 5 = ${j % 5} group by 1, 2, 3`,
        returns: ['amount', 'n'],
      }),
    );
  }
  for (let k = 0; k < 60; k++) {
    writes.push(
      writeFixtureModel(modelsDir, 'intermediate/bench', {
        name: `int_bench__v${k}`,
        primaryKey: ['hospital_code', 'dept_code', 'month'],
        sql: `select * from \${ref("int_bench__m${k}")} where amount > ${k}`,
        returns: ['amount', 'n'],
      }),
    );
  }
  for (let f = 0; f < 20; f++) {
    const parts = [0, 1, 2]
      .map((x) => `select * from \${ref("int_bench__v${(f * 3 + x) % 60}")}`)
      .join(' union all ');
    writes.push(
      writeFixtureModel(modelsDir, 'marts/bench', {
        name: `fct_bench__f${f}`,
        materialized: 'table',
        primaryKey: 'hospital_code',
        sql: `select hospital_code, sum(amount) as amount, sum(n) as n from (${parts}) u group by hospital_code`,
        returns: ['amount', 'n'],
      }),
    );
  }
  await Promise.all(writes);
}

export default async function engineBench(ctx: BenchContext): Promise<void> {
  const modelsDir = path.join(ctx.workDir, 'models');
  await writeProject(modelsDir);
  await compileProject(modelsDir, []); // warm the module loader, as a second compile in a long-running process would be
  const compileStarted = performance.now();
  const project = await compileProject(modelsDir, []);
  ctx.report('compile_ms_200_models', Math.round(performance.now() - compileStarted));
  ctx.report('models', project.models.length);
  ctx.report('raw_rows', RAW_ROWS);

  // Engine and direct runs alternate, twice each, and the faster of each counts: the machine is shared.
  const enginePool = await freshDatabase(ctx.pgAdminUrl, 'bench_engine');
  const directPool = await freshDatabase(ctx.pgAdminUrl, 'bench_direct');
  const schemas = [...new Set(project.models.map((m) => m.schema))];
  let statements: { model: string; text: string }[] = [];
  let engineMs = Infinity;
  let directMs = Infinity;
  for (let round = 0; round < 2; round++) {
    await enginePool.query(`drop schema if exists ${schemas.join(', ')} cascade`);
    const recorded: { model: string; text: string }[] = [];
    const engineStarted = performance.now();
    // The whole write-audit-publish run: build into the audit schemas, test there, publish together.
    const run = await buildModels(enginePool, project, {
      logger: silentLogger,
      threads: 1,
      onStatement: (model, text) => recorded.push({ model, text }),
    });
    engineMs = Math.min(engineMs, performance.now() - engineStarted);
    if (run.publication !== 'published') throw new Error(`engine run blocked: ${run.blockedBy.join('; ')}`);
    const failed = run.models.filter((r) => r.status !== 'success');
    if (failed.length > 0)
      throw new Error(`engine build failed: ${failed.map((f) => `${f.model}: ${f.message}`).join('; ')}`);
    statements = recorded;

    await directPool.query(`drop schema if exists ${schemas.join(', ')} cascade`);
    const client = await directPool.connect();
    const directStarted = performance.now();
    for (const schema of schemas) await client.query(`create schema if not exists ${schema}`);
    // one transaction per model, as the engine does, so the comparison is like for like
    for (const [i, { model, text }] of statements.entries()) {
      if (i === 0 || statements[i - 1]!.model !== model) await client.query('begin');
      await client.query(text);
      if (i === statements.length - 1 || statements[i + 1]!.model !== model) await client.query('commit');
    }
    directMs = Math.min(directMs, performance.now() - directStarted);
    client.release();
  }
  await directPool.end();
  await enginePool.query(`drop schema if exists ${schemas.join(', ')} cascade`);
  const parallelStarted = performance.now();
  await buildModels(enginePool, project, { logger: silentLogger, threads: 4 });
  const parallelMs = performance.now() - parallelStarted;
  await enginePool.end();

  ctx.report('statements', statements.length);
  ctx.report('engine_ms', Math.round(engineMs));
  ctx.report('direct_ms', Math.round(directMs));
  ctx.report('engine_vs_direct_ratio', (engineMs / directMs).toFixed(3));
  ctx.report('engine_threads_4_ms', Math.round(parallelMs));
}
