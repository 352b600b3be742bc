import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';
import { noProgress, type ProgressReporter } from '../logging/progress.ts';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import type { ColumnTest } from './model-definition.ts';

export interface ModelRunResult {
  readonly model: string;
  readonly status: 'success' | 'error' | 'skipped';
  readonly rows?: number;
  readonly durationMs: number;
  readonly message?: string;
}

export interface TestResult {
  readonly model: string;
  readonly test: string;
  readonly status: 'pass' | 'fail' | 'error';
  readonly failures: number;
  /** Up to five failing rows, for the message. */
  readonly sample: readonly Record<string, unknown>[];
  readonly message?: string;
}

interface RunOptions {
  readonly logger: Logger;
  /** Models whose tests are not run (e.g. they failed to build in this run). */
  readonly skip?: ReadonlySet<string>;
  readonly progress?: ProgressReporter;
  readonly jobRunId?: number;
}

/**
 * Builds every model in dependency order. A view is replaced in place; a table is built beside
 * the old one and swapped in one transaction, so readers never see it half built. A model that
 * fails skips the models built on it; the others carry on. Each run is recorded in ops.model_runs.
 */
export async function buildModels(pool: pg.Pool, project: CompiledProject, options: RunOptions): Promise<ModelRunResult[]> {
  const results: ModelRunResult[] = [];
  const failed = new Set<string>();
  const progress = options.progress ?? noProgress;
  for (const [index, model] of project.models.entries()) {
    const name = model.definition.name;
    progress.update('建模 (build models)', index, project.models.length);
    const broken = model.refs.find((ref) => failed.has(ref));
    let result: ModelRunResult;
    if (broken) {
      failed.add(name);
      result = { model: name, status: 'skipped', durationMs: 0, message: `skipped: ${broken} failed` };
    } else {
      const started = Date.now();
      try {
        const rows = await materialize(pool, model);
        result = { model: name, status: 'success', rows, durationMs: Date.now() - started };
      } catch (error) {
        failed.add(name);
        result = { model: name, status: 'error', durationMs: Date.now() - started, message: (error as Error).message };
        options.logger.error({ model: name, file: model.file }, `model failed: ${(error as Error).message}`);
      }
    }
    options.logger.info({ model: name, status: result.status, rows: result.rows, ms: result.durationMs }, `model ${name}: ${result.status}`);
    await recordRun(pool, options.jobRunId, name, 'build', result.status, result.rows ?? null, result.durationMs, result.message ?? null);
    results.push(result);
  }
  progress.finish('建模 (build models)');
  return results;
}

async function materialize(pool: pg.Pool, model: CompiledModel): Promise<number | undefined> {
  const { relation, definition } = model;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`create schema if not exists ${model.schema}`);
    let rows: number | undefined;
    if (definition.materialized === 'view') {
      await client.query(`drop view if exists ${relation} cascade`);
      await client.query(`create view ${relation} as\n${model.sql}`);
    } else {
      const staging = `${model.schema}.${definition.name}__hdw_new`;
      await client.query(`drop table if exists ${staging}`);
      const created = await client.query(`create table ${staging} as\n${model.sql}`);
      rows = created.rowCount ?? undefined;
      await client.query(`drop table if exists ${relation} cascade`);
      await client.query(`alter table ${staging} rename to ${definition.name}`);
      await client.query(`analyze ${relation}`);
    }
    const kind = definition.materialized === 'view' ? 'view' : 'table';
    await client.query(`comment on ${kind} ${relation} is ${client.escapeLiteral(`${definition.description}\n粒度: ${definition.grain}`)}`);
    for (const [column, spec] of Object.entries(definition.columns)) {
      await client.query(`comment on column ${relation}.${column} is ${client.escapeLiteral(spec.description)}`);
    }
    await client.query('commit');
    return rows;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs each model's tests: its primary key unique and not null, and the tests declared on its
 * columns. A failing test names the model, the test and a sample of failing rows.
 */
export async function testModels(pool: pg.Pool, project: CompiledProject, options: RunOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const relations = new Map([
    ...project.seeds.map((seed): [string, string] => [seed, `ref.${seed}`]),
    ...project.models.map((m): [string, string] => [m.definition.name, m.relation]),
  ]);
  for (const model of project.models.filter((m) => !options.skip?.has(m.definition.name))) {
    for (const test of testsOf(model, relations)) {
      const started = Date.now();
      let result: TestResult;
      try {
        const { rows } = await pool.query(`select * from (${test.failing}) failing limit 6`);
        const count = rows.length < 6 ? rows.length : Number((await pool.query(`select count(*) as n from (${test.failing}) f`)).rows[0].n);
        result = { model: model.definition.name, test: test.name, status: count === 0 ? 'pass' : 'fail', failures: count, sample: rows.slice(0, 5) };
      } catch (error) {
        result = { model: model.definition.name, test: test.name, status: 'error', failures: 0, sample: [], message: (error as Error).message };
      }
      if (result.status !== 'pass') {
        options.logger.error({ model: result.model, test: result.test, failures: result.failures, message: result.message }, `test failed: ${result.model} ${result.test}`);
      }
      await recordRun(pool, options.jobRunId, `${model.definition.name}.${test.name}`, 'test', result.status === 'pass' ? 'pass' : 'fail', result.failures, Date.now() - started, result.message ?? null);
      results.push(result);
    }
  }
  return results;
}

function testsOf(model: CompiledModel, relations: Map<string, string>): { name: string; failing: string }[] {
  const { relation, definition } = model;
  const key = Array.isArray(definition.primaryKey) ? definition.primaryKey : [definition.primaryKey as string];
  const tests = [
    {
      name: `primary_key(${key.join(', ')})`,
      failing: `select ${key.join(', ')}, count(*) as n from ${relation} group by ${key.join(', ')}
                having count(*) > 1 or ${key.map((k) => `${k} is null`).join(' or ')}`,
    },
  ];
  for (const [column, spec] of Object.entries(definition.columns)) {
    for (const test of spec.tests ?? []) tests.push(columnTest(relation, column, test, relations));
  }
  return tests;
}

function columnTest(relation: string, column: string, test: ColumnTest, relations: Map<string, string>): { name: string; failing: string } {
  if (test === 'not_null') return { name: `not_null(${column})`, failing: `select * from ${relation} where ${column} is null` };
  if (test === 'unique') {
    return { name: `unique(${column})`, failing: `select ${column}, count(*) as n from ${relation} where ${column} is not null group by ${column} having count(*) > 1` };
  }
  if ('accepted_values' in test) {
    const list = test.accepted_values.map((v) => (typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v))).join(', ');
    return { name: `accepted_values(${column})`, failing: `select * from ${relation} where ${column} is not null and ${column} not in (${list})` };
  }
  const target = relations.get(test.relationships.to) ?? test.relationships.to;
  return {
    name: `relationships(${column} → ${test.relationships.to}.${test.relationships.field})`,
    failing: `select c.* from ${relation} c where c.${column} is not null
              and not exists (select 1 from ${target} p where p.${test.relationships.field} = c.${column})`,
  };
}

async function recordRun(
  pool: pg.Pool,
  jobRunId: number | undefined,
  model: string,
  kind: 'build' | 'test',
  status: string,
  rows: number | null,
  durationMs: number,
  message: string | null,
): Promise<void> {
  await pool.query(
    `insert into ops.model_runs (job_run_id, model, kind, status, rows, duration_ms, message) values ($1, $2, $3, $4, $5, $6, $7)`,
    [jobRunId ?? null, model, kind, status, rows, durationMs, message],
  );
}
