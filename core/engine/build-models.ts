import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { Logger } from '../logging/logger.ts';
import { noProgress, type ProgressReporter } from '../logging/progress.ts';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import {
  auditRelationOf,
  auditSchemaOf,
  buildInAudit,
  hasUniqueKey,
  publishModel,
  relationKind,
  relationKinds,
  type AuditBuild,
} from './materialize.ts';
import { recordModelRun, recordModelRuns, type ModelRunRecord } from './model-runs.ts';
import { planIncremental, recordModelState, type ModelPlan } from './model-state.ts';
import { quoteIdent } from './relation-dependents.ts';
import { runInDependencyOrder } from './scheduler.ts';
import { selectModels } from './selection.ts';
import { runTestTask, selectTestCases, testTasksOf, type TestResult } from './test-models.ts';

export { testModels, type TestResult } from './test-models.ts';

export interface ModelRunResult {
  readonly model: string;
  readonly status: 'success' | 'error' | 'skipped';
  readonly rows?: number;
  readonly durationMs: number;
  readonly message?: string;
  /** The materialization used: `incremental` re-merged changed batches, full builds say `table`. */
  readonly materialized?: string;
  /** Why an incremental model was rebuilt whole ("ref.charge_categories changed", "first build"). */
  readonly rebuiltFully?: string;
}

/** What one build did: models written to the audit schemas, their tests there, and whether it published. */
export interface BuildRun {
  readonly models: readonly ModelRunResult[];
  readonly tests: readonly TestResult[];
  /** `published`: every model of the run switched into place together; `blocked`: none did. */
  readonly publication: 'published' | 'blocked';
  /** What blocked it: models that did not build and failing `error` tests, with their failing rows. */
  readonly blockedBy: readonly string[];
}

export interface BuildOptions {
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  readonly jobRunId?: number;
  /** Selectors (`name +name name+ tag:x path:models/marts`); default every model. */
  readonly select?: string;
  /** Models built (and tests run) at once; default 4. */
  readonly threads?: number;
  /** Rebuild incremental models from scratch. */
  readonly fullRefresh?: boolean;
  /** Sees every statement the run issues, in order: `(prepare)`, each model, `(test)` queries, `(publish)`. */
  readonly onStatement?: (model: string, text: string) => void;
}

const retryable = new Set(['40P01', '40001']);

/**
 * One write-audit-publish run of the selected models. Each model is built, in dependency order and
 * `threads` at a time, into the audit schema beside its own (`marts__audit`…; models of the run
 * read each other there); every data test of those models runs there, as soon as the models it
 * reads are built (beside the builds still running); then, only if every model
 * built and no `error`-severity test failed, all of them switch into place in ONE transaction
 * (grants, row security and dependent views carried over) and the audit schemas are dropped.
 * Otherwise nothing is published: readers keep the previous set, the audit schemas stay for
 * inspection (owner only) until the next run. Incremental models re-merge only the batches that
 * changed, or are rebuilt whole when another input changed (said in `rebuiltFully`). Each build,
 * test and publication is recorded in ops.model_runs.
 */
export async function buildModels(
  pool: pg.Pool,
  project: CompiledProject,
  options: BuildOptions,
): Promise<BuildRun> {
  const selected = selectModels(project, options.select).filter(
    (m) => m.definition.materialized !== 'ephemeral',
  );
  const byName = new Map(selected.map((m) => [m.definition.name, m]));
  const progress = options.progress ?? noProgress;
  const prepare = async (text: string) => {
    options.onStatement?.('(prepare)', text);
    await pool.query(text);
  };
  for (const schema of new Set(selected.map((m) => m.schema))) {
    await prepare(`create schema if not exists ${quoteIdent(schema)}`);
    await prepare(`drop schema if exists ${quoteIdent(auditSchemaOf(schema))} cascade`);
    await prepare(`create schema ${quoteIdent(auditSchemaOf(schema))}`);
  }
  const retarget = retargeter(selected);
  const onTestQuery = options.onStatement && ((text: string) => options.onStatement!('(test)', text));
  const results = new Map<string, ModelRunResult>();
  const builds = new Map<string, AuditBuild>();
  const changing = new Set<string>();
  const parents = new Map(
    selected.map((m) => [m.definition.name, parentsThroughEphemerals(project, m.definition.name)]),
  );
  // Each model's tests read its audit relation and start as soon as it and the models they read
  // are built, beside the builds still running (`threads` builds and `threads` tests at once); the
  // tests of a model that did not build are not run.
  const relationOf = (name: string) => {
    const model = byName.get(name);
    return model && auditRelationOf(model);
  };
  const testTasks = new Map(
    testTasksOf(
      selectTestCases(project, {
        models: options.select ? new Set(byName.keys()) : undefined,
        relationOf,
        retarget,
      }),
    ).map((t) => [`test ${t.id}`, t]),
  );
  const testResults = new Map<string, TestResult>();
  let done = 0;
  await runInDependencyOrder(
    [...selected.map((m) => m.definition.name), ...testTasks.keys()],
    (task) => testTasks.get(task)?.dependsOn ?? parents.get(task) ?? [],
    options.threads ?? 4,
    async (task, failedParent) => {
      const tests = testTasks.get(task);
      if (tests) {
        if (failedParent) return false;
        for (const result of await runTestTask(pool, tests, { ...options, onQuery: onTestQuery }))
          testResults.set(result.id!, result);
        return true;
      }
      const name = task;
      const model = byName.get(name)!;
      const result = failedParent
        ? {
            model: name,
            status: 'skipped' as const,
            durationMs: 0,
            message: `skipped: ${failedParent} did not build`,
          }
        : await buildOne(pool, project, model, { ...options, retarget, changing, builds });
      options.logger.info(
        {
          model: name,
          status: result.status,
          rows: result.rows,
          ms: result.durationMs,
          rebuiltFully: result.rebuiltFully,
        },
        `model ${name}: ${result.status}${result.rebuiltFully ? ` (rebuilt fully: ${result.rebuiltFully})` : ''}`,
      );
      // A success was recorded in its build's own transaction; failures and skips are recorded here.
      if (result.status !== 'success')
        await recordModelRun(pool, { jobRunId: options.jobRunId, kind: 'build', ...result });
      results.set(name, result);
      progress.update('建模 (build models)', ++done, selected.length);
      return result.status === 'success';
    },
    (task) => (testTasks.has(task) ? 'test' : 'build'),
  );
  progress.finish('建模 (build models)');
  const models = selected.map((m) => results.get(m.definition.name)!);
  // in the tests' declared order; those of models that did not build were not run
  const tests = [...testTasks.values()].flatMap((t) => t.tests.flatMap((c) => testResults.get(c.id) ?? []));
  const blockedBy = [
    ...models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.message ?? m.status}`),
    ...tests
      .filter((t) => t.status === 'fail' || t.status === 'error')
      .map((t) => `${t.model} ${t.test}: ${t.status === 'error' ? t.message : `${t.failures} failing rows`}`),
  ];
  if (blockedBy.length > 0) {
    const message = `not published: ${blockedBy.join('; ')}`;
    options.logger.error({ blockedBy }, `run blocked, previous models keep serving: ${blockedBy.join('; ')}`);
    await recordModelRuns(
      pool,
      selected.map((m) => ({
        jobRunId: options.jobRunId,
        kind: 'publish' as const,
        model: m.definition.name,
        status: 'blocked' as const,
        durationMs: 0,
        message,
      })),
    );
    return { models, tests, publication: 'blocked', blockedBy };
  }
  await publishModels(pool, selected, builds, options);
  return { models, tests, publication: 'published', blockedBy: [] };
}

/**
 * Switches every audited model of the run into place in one transaction, in dependency order,
 * records what each now reflects (ops.model_state) and drops the audit schemas.
 */
async function publishModels(
  pool: pg.Pool,
  models: readonly CompiledModel[],
  builds: ReadonlyMap<string, AuditBuild>,
  options: BuildOptions,
): Promise<void> {
  const started = Date.now();
  const onStatement = options.onStatement && ((text: string) => options.onStatement!('(publish)', text));
  await withTransaction(pool, async (client) => {
    // Kinds before the switch: publishing one model recreates only its dependents, as they were.
    const kinds = await relationKinds(
      client,
      models.map((m) => ({ schema: m.schema, name: m.definition.name })),
    );
    const published: ModelRunRecord[] = [];
    for (const model of models) {
      const build = builds.get(model.definition.name)!;
      const kind = kinds.get(`${model.schema}.${model.definition.name}`);
      const changed = await publishModel(client, model, build, kind, onStatement);
      if (model.definition.materialized !== 'view')
        await recordModelState(client, model, build.plan, changed);
      published.push({
        jobRunId: options.jobRunId,
        kind: 'publish',
        model: model.definition.name,
        status: 'published',
        durationMs: Date.now() - started,
      });
    }
    await recordModelRuns(client, published);
    for (const schema of new Set(models.map((m) => m.schema))) {
      const text = `drop schema ${quoteIdent(auditSchemaOf(schema))} cascade`;
      onStatement?.(text);
      await client.query(text);
    }
  });
  options.logger.info({ models: models.length, ms: Date.now() - started }, 'models published');
}

/** Rewrites compiled SQL so the run's models are read from their audit relations. */
function retargeter(models: readonly CompiledModel[]): (sql: string) => string {
  const map = new Map(
    models.map((m) => [`${quoteIdent(m.schema)}.${quoteIdent(m.definition.name)}`, auditRelationOf(m)]),
  );
  if (map.size === 0) return (text) => text;
  const pattern = new RegExp(
    [...map.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  return (text) => text.replace(pattern, (match) => map.get(match)!);
}

interface BuildContext extends BuildOptions {
  readonly retarget: (sql: string) => string;
  /** Models of this run whose published rows will change: downstream incremental models rebuild. */
  readonly changing: Set<string>;
  readonly builds: Map<string, AuditBuild>;
}

async function buildOne(
  pool: pg.Pool,
  project: CompiledProject,
  model: CompiledModel,
  ctx: BuildContext,
): Promise<ModelRunResult> {
  const name = model.definition.name;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      let plan: ModelPlan | undefined;
      if (model.definition.materialized === 'incremental') {
        const published =
          (await relationKind(pool, model.schema, name)) === 'table' && (await hasUniqueKey(pool, model));
        plan = await planIncremental(pool, project, model, {
          published,
          fullRefresh: ctx.fullRefresh,
          changedUpstream: ctx.changing,
        });
      }
      let durationMs = 0;
      const { rows, build } = await buildInAudit(pool, model, {
        retarget: ctx.retarget,
        plan,
        onStatement: ctx.onStatement && ((text) => ctx.onStatement!(name, text)),
        beforeCommit: async (client, built) => {
          durationMs = Date.now() - started;
          await recordModelRun(client, {
            jobRunId: ctx.jobRunId,
            kind: 'build',
            model: name,
            status: 'success',
            rows: built,
            durationMs,
            message: plan?.reason ? `rebuilt fully: ${plan.reason}` : undefined,
          });
        },
      });
      ctx.builds.set(name, build);
      if (
        model.definition.materialized !== 'view' &&
        (build.kind !== 'delta' || build.plan.changedBatches.length > 0)
      )
        ctx.changing.add(name);
      return {
        model: name,
        status: 'success',
        rows,
        durationMs,
        materialized:
          build.kind === 'delta'
            ? 'incremental'
            : model.definition.materialized === 'view'
              ? 'view'
              : 'table',
        ...(plan?.reason && { rebuiltFully: plan.reason }),
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && retryable.has(code) && attempt < 3) continue;
      ctx.logger.error({ model: name, file: model.file }, `model failed: ${(error as Error).message}`);
      return {
        model: name,
        status: 'error',
        durationMs: Date.now() - started,
        message: (error as Error).message,
      };
    }
  }
}

/** A model's parents for scheduling: an ephemeral parent is never built, so its own parents count instead. */
function parentsThroughEphemerals(project: CompiledProject, name: string): string[] {
  const models = new Map(project.models.map((m) => [m.definition.name, m]));
  const out = new Set<string>();
  const visit = (n: string) => {
    for (const parent of models.get(n)?.parents ?? []) {
      if (models.get(parent)?.definition.materialized === 'ephemeral') visit(parent);
      else out.add(parent);
    }
  };
  visit(name);
  return [...out];
}
