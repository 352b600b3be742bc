import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';
import { noProgress, type ProgressReporter } from '../logging/progress.ts';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import { materialize } from './materialize.ts';
import { recordModelRun } from './model-runs.ts';
import { runInDependencyOrder } from './scheduler.ts';
import { selectModels } from './selection.ts';

export { testModels, type TestResult } from './test-models.ts';

export interface ModelRunResult {
  readonly model: string;
  readonly status: 'success' | 'error' | 'skipped';
  readonly rows?: number;
  readonly durationMs: number;
  readonly message?: string;
  /** The materialization used: `incremental` merges, full builds say `table`. */
  readonly materialized?: string;
}

export interface BuildOptions {
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  readonly jobRunId?: number;
  /** Selectors (`name +name name+ tag:x path:models/marts`); default every model. */
  readonly select?: string;
  /** Models built at once; default 4. */
  readonly threads?: number;
  /** Rebuild incremental models from scratch. */
  readonly fullRefresh?: boolean;
  /** Sees every statement that changes the warehouse, in order. */
  readonly onStatement?: (model: string, text: string) => void;
}

const retryable = new Set(['40P01', '40001']);

/**
 * Builds the selected models in dependency order, `threads` at a time. A view is replaced in
 * place; a table is built beside the old one and swapped in one transaction, so readers never see
 * it half built; an incremental model merges its new rows. A model that fails skips the models
 * built on it; the others carry on. Each run is recorded in ops.model_runs.
 */
export async function buildModels(
  pool: pg.Pool,
  project: CompiledProject,
  options: BuildOptions,
): Promise<ModelRunResult[]> {
  const selected = selectModels(project, options.select).filter(
    (m) => m.definition.materialized !== 'ephemeral',
  );
  const byName = new Map(selected.map((m) => [m.definition.name, m]));
  const progress = options.progress ?? noProgress;
  for (const schema of new Set(selected.map((m) => m.schema)))
    await pool.query(`create schema if not exists ${schema}`);
  const results = new Map<string, ModelRunResult>();
  const parents = new Map(
    selected.map((m) => [m.definition.name, parentsThroughEphemerals(project, m.definition.name)]),
  );
  let done = 0;
  await runInDependencyOrder(
    selected.map((m) => m.definition.name),
    (name) => parents.get(name) ?? [],
    options.threads ?? 4,
    async (name, failedParent) => {
      const model = byName.get(name)!;
      const result = failedParent
        ? {
            model: name,
            status: 'skipped' as const,
            durationMs: 0,
            message: `skipped: ${failedParent} did not build`,
          }
        : await buildOne(pool, model, options);
      options.logger.info(
        { model: name, status: result.status, rows: result.rows, ms: result.durationMs },
        `model ${name}: ${result.status}`,
      );
      // A success was recorded in its build's own transaction; failures and skips are recorded here.
      if (result.status !== 'success')
        await recordModelRun(pool, { jobRunId: options.jobRunId, kind: 'build', ...result });
      results.set(name, result);
      progress.update('建模 (build models)', ++done, selected.length);
      return result.status === 'success';
    },
  );
  progress.finish('建模 (build models)');
  return selected.map((m) => results.get(m.definition.name)!);
}

async function buildOne(pool: pg.Pool, model: CompiledModel, options: BuildOptions): Promise<ModelRunResult> {
  const name = model.definition.name;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      let durationMs = 0;
      const rows = await materialize(pool, model, {
        fullRefresh: options.fullRefresh,
        onStatement: options.onStatement && ((text) => options.onStatement!(name, text)),
        beforeCommit: async (client, built) => {
          durationMs = Date.now() - started;
          await recordModelRun(client, {
            jobRunId: options.jobRunId,
            kind: 'build',
            model: name,
            status: 'success',
            rows: built,
            durationMs,
          });
        },
      });
      return {
        model: name,
        status: 'success',
        rows,
        durationMs,
        materialized: model.definition.materialized,
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && retryable.has(code) && attempt < 3) continue;
      options.logger.error({ model: name, file: model.file }, `model failed: ${(error as Error).message}`);
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
