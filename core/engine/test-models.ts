import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';
import type { CompiledProject, CompiledUnitTest } from './compile-models.ts';
import type { Severity } from './model-definition.ts';
import { testCasesOf, type ModelTestCase } from './model-tests.ts';
import { recordModelRuns } from './model-runs.ts';
import { runInDependencyOrder } from './scheduler.ts';

export interface TestResult {
  readonly model: string;
  readonly test: string;
  /** Unique test id (dbt style), as in the manifest. */
  readonly id?: string;
  /** `warn`: a failing test of severity warn (recorded, does not block publication). */
  readonly status: 'pass' | 'fail' | 'error' | 'warn';
  /** `error` blocks publication when the test fails; `warn` does not. */
  readonly severity?: Severity;
  readonly failures: number;
  /** Up to five failing rows, for the message. */
  readonly sample: readonly Record<string, unknown>[];
  readonly message?: string;
  readonly durationMs?: number;
}

export interface TestOptions {
  readonly logger: Logger;
  /** Models whose tests are not run (e.g. they failed to build in this run). */
  readonly skip?: ReadonlySet<string>;
  /** Only the tests of these models (default: all). */
  readonly models?: ReadonlySet<string>;
  readonly jobRunId?: number;
  readonly threads?: number;
  /** Where to read a model instead of its published relation (a run's audit schema). */
  readonly relationOf?: (model: string) => string | undefined;
  /** Rewrites custom SQL tests the same way. */
  readonly retarget?: (sql: string) => string;
  /** Sees every query a test runs (the bench replays them). */
  readonly onQuery?: (text: string) => void;
}

/**
 * Runs the project's tests: every model's primary key, column and model tests, the custom SQL
 * tests and the model unit tests. A failing test names the model, the test and up to five
 * failing rows, in its result and in the log; each is recorded in ops.model_runs.
 */
export async function testModels(
  pool: pg.Pool,
  project: CompiledProject,
  options: TestOptions,
): Promise<TestResult[]> {
  const cases = selectTestCases(project, options);
  const tasks = new Map(testTasksOf(cases).map((t) => [t.id, t]));
  const results = new Map<string, TestResult>();
  await runInDependencyOrder([...tasks.keys()], () => [], options.threads ?? 4, async (id) => {
    for (const result of await runTestTask(pool, tasks.get(id)!, options)) results.set(result.id!, result);
    return true;
  });
  return cases.map((t) => results.get(t.id)!);
}

/** The tests `options` asks for: every test, or those of `options.models`, less those of skipped models. */
export function selectTestCases(
  project: CompiledProject,
  options: Pick<TestOptions, 'models' | 'skip' | 'relationOf' | 'retarget'>,
): ModelTestCase[] {
  return testCasesOf(project, options.relationOf, options.retarget).filter(
    (t) =>
      (!options.models || (t.model !== undefined && options.models.has(t.model))) &&
      !(t.model && options.skip?.has(t.model)),
  );
}

/** Tests run together: one test, or every test of one relation that a single scan can check. */
export interface TestTask {
  readonly id: string;
  readonly tests: readonly ModelTestCase[];
  /** Models and seeds its tests read. */
  readonly dependsOn: readonly string[];
}

/** Groups tests into tasks: the row-condition tests (`scan`) of each relation become one task. */
export function testTasksOf(cases: readonly ModelTestCase[]): TestTask[] {
  const groups = new Map<string, ModelTestCase[]>();
  for (const test of cases) {
    const key = test.scan ? `scan ${test.scan.relation}` : test.id;
    const group = groups.get(key);
    if (group) group.push(test);
    else groups.set(key, [test]);
  }
  return [...groups].map(([id, tests]) => ({
    id,
    tests,
    dependsOn: [...new Set(tests.flatMap((t) => [...(t.model ? [t.model] : []), ...t.dependsOn]))],
  }));
}

/**
 * Runs one task's tests. Several row-condition tests of a relation are counted in one scan; those
 * that pass are recorded with the scan's time, and each failing one (or all, if the scan itself
 * fails) is run on its own for its failing rows or its error.
 */
export async function runTestTask(
  pool: pg.Pool,
  task: TestTask,
  options: Pick<TestOptions, 'logger' | 'jobRunId' | 'onQuery'>,
): Promise<TestResult[]> {
  const [first, ...others] = task.tests;
  if (!first || others.length === 0) return first ? [await runModelTest(pool, first, options)] : [];
  const started = Date.now();
  const counts = `select ${task.tests.map((t, i) => `count(*) filter (where ${t.scan!.condition}) as f${i}`).join(', ')} from ${first.scan!.relation}`;
  options.onQuery?.(counts);
  const failures = await pool.query(counts).then(
    ({ rows }) => task.tests.map((_, i) => Number(rows[0][`f${i}`])),
    () => task.tests.map(() => undefined),
  );
  const durationMs = Date.now() - started;
  const passed = task.tests
    .filter((_, i) => failures[i] === 0)
    .map((test): TestResult => ({ ...resultOf(test, { status: 'pass', failures: 0, sample: [] }), durationMs }));
  await recordTestResults(pool, passed, options);
  const byId = new Map(passed.map((r) => [r.id, r]));
  for (const test of task.tests.filter((_, i) => failures[i] !== 0))
    byId.set(test.id, await runModelTest(pool, test, options));
  return task.tests.map((t) => byId.get(t.id)!);
}

/** Runs one test; a failure is logged, and every outcome is recorded in ops.model_runs. */
export async function runModelTest(
  pool: pg.Pool,
  test: ModelTestCase,
  options: Pick<TestOptions, 'logger' | 'jobRunId' | 'onQuery'>,
): Promise<TestResult> {
  const started = Date.now();
  const outcome = await runTest(pool, test, options.onQuery).catch(
    (error: unknown): Omit<TestResult, 'model' | 'test'> => ({
      status: 'error',
      failures: 0,
      sample: [],
      message: (error as Error).message,
    }),
  );
  const result = { ...resultOf(test, outcome), durationMs: Date.now() - started };
  if (result.status !== 'pass') {
    options.logger[result.status === 'warn' ? 'warn' : 'error'](
      { model: result.model, test: result.test, failures: result.failures, message: result.message },
      `test ${result.status === 'warn' ? 'warns' : 'failed'}: ${result.model} ${result.test} (${result.failures} failing rows)`,
    );
  }
  await recordTestResults(pool, [result], options);
  return result;
}

function resultOf(test: ModelTestCase, outcome: Omit<TestResult, 'model' | 'test'>): TestResult {
  return {
    model: test.model ?? '',
    test: test.name,
    id: test.id,
    ...outcome,
    ...(outcome.status === 'fail' && test.severity === 'warn' && { status: 'warn' as const }),
    severity: test.severity,
  };
}

async function recordTestResults(
  pool: pg.Pool,
  results: readonly TestResult[],
  options: Pick<TestOptions, 'jobRunId'>,
): Promise<void> {
  await recordModelRuns(
    pool,
    results.map((result) => ({
      jobRunId: options.jobRunId,
      model: `${result.model}.${result.test}`,
      kind: 'test' as const,
      status: result.status === 'pass' ? ('pass' as const) : result.status === 'warn' ? ('warn' as const) : ('fail' as const),
      rows: result.failures,
      durationMs: result.durationMs ?? 0,
      message: result.message,
    })),
  );
}

async function runTest(
  pool: pg.Pool,
  test: ModelTestCase,
  onQuery: (text: string) => void = () => undefined,
): Promise<Omit<TestResult, 'model' | 'test'>> {
  const query = (text: string) => (onQuery(text), pool.query(text));
  if (test.unit) return runUnitTest(query, test.unit);
  const { rows } = await query(`select * from (${test.failing}) failing limit 6`);
  const count =
    rows.length < 6
      ? rows.length
      : Number((await query(`select count(*) as n from (${test.failing}) f`)).rows[0].n);
  return { status: count === 0 ? 'pass' : 'fail', failures: count, sample: rows.slice(0, 5) };
}

/**
 * Runs a unit test's SQL on its fixtures and compares the rows with `expect` as multisets, on the
 * columns `expect` names; values compare as text, so 1, '1' and 1.0 agree where PostgreSQL does.
 */
async function runUnitTest(
  query: (text: string) => Promise<pg.QueryResult>,
  unit: CompiledUnitTest,
): Promise<Omit<TestResult, 'model' | 'test'>> {
  const { rows } = await query(unit.sql);
  const columns = [...new Set(unit.expect.flatMap((r) => Object.keys(r)))];
  const canon = (row: Record<string, unknown>) => JSON.stringify(columns.map((c) => canonical(row[c])));
  const remaining = new Map<string, number>();
  for (const row of rows) remaining.set(canon(row), (remaining.get(canon(row)) ?? 0) + 1);
  const missing: Record<string, unknown>[] = [];
  for (const row of unit.expect) {
    const key = canon(row);
    const n = remaining.get(key) ?? 0;
    if (n > 0) remaining.set(key, n - 1);
    else missing.push({ __expected_but_missing: true, ...row });
  }
  const unexpected = rows
    .filter((row) => {
      const key = canon(row);
      const n = remaining.get(key) ?? 0;
      if (n > 0) remaining.set(key, n - 1);
      return n > 0;
    })
    .map((row) => ({ __unexpected: true, ...Object.fromEntries(columns.map((c) => [c, row[c]])) }));
  const failing = [...missing, ...unexpected];
  return {
    status: failing.length === 0 ? 'pass' : 'fail',
    failures: failing.length,
    sample: failing.slice(0, 5),
  };
}

function canonical(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return localTimestamp(value);
  const text = String(value);
  return /^-?\d+(\.\d+)?$/.test(text) ? String(Number(text)) : text;
}

/** A date or timestamp as PostgreSQL prints it (pg reads both into local-time Dates): `2024-03-01` or `2024-03-01 10:00:00`. */
function localTimestamp(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return time === '00:00:00' ? date : `${date} ${time}`;
}
