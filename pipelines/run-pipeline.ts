import type pg from 'pg';
import type { Config } from '../core/config/config.ts';
import { compileProject, type CompiledProject } from '../core/engine/compile-models.ts';
import {
  buildModels,
  testModels,
  type ModelRunResult,
  type TestResult,
} from '../core/engine/build-models.ts';
import { writeRunResults } from '../core/engine/run-results.ts';
import { selectModels } from '../core/engine/selection.ts';
import { recordJob } from '../core/jobs/job-runs.ts';
import type { Logger } from '../core/logging/logger.ts';
import { defaultSharingPolicy } from '../core/security/sharing-policy.ts';
import { applyWarehouseSecurity } from '../core/security/warehouse-security.ts';
import type { ProgressReporter } from '../core/logging/progress.ts';
import { projectPaths } from '../core/paths.ts';
import { ingestInbox, type IngestSummary } from './ingest/ingest-inbox.ts';
import { findSeeds, loadSeeds } from './seeds/load-seeds.ts';
import { allSources } from './sources/index.ts';

export interface StageContext {
  readonly pool: pg.Pool;
  readonly config: Config;
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  /** Where run_results.json goes; default `target/`. */
  readonly targetDir?: string;
}

/** How `hdw build` / `hdw test` narrow and shape a run. */
export interface RunSelection {
  /** Selectors: `name +name name+ tag:x path:models/marts/charges`; default every model. */
  readonly select?: string;
  /** Models built or tested at once; default 4. */
  readonly threads?: number;
  /** Rebuild incremental models from scratch. */
  readonly fullRefresh?: boolean;
}

export interface PipelineSummary {
  readonly ingest: IngestSummary;
  readonly models: readonly ModelRunResult[];
  readonly tests: readonly TestResult[];
  readonly ok: boolean;
}

/** Loads the reference seeds into `ref.*` (dictionaries every source and model relies on). */
export async function seedStage(ctx: StageContext): Promise<number> {
  return recordJob(
    ctx.pool,
    ctx.logger,
    'seed',
    async () => {
      const seeds = await findSeeds(projectPaths.seeds);
      await loadSeeds(ctx.pool, seeds, ctx.logger);
      return seeds.length;
    },
    (n) => ({ seeds: n }),
  );
}

/** Ingests every delivery in the inbox. */
export async function ingestStage(ctx: StageContext): Promise<IngestSummary> {
  return recordJob(
    ctx.pool,
    ctx.logger,
    'ingest',
    (runId) =>
      ingestInbox(ctx.pool, {
        inbox: ctx.config.HDW_INBOX,
        sources: allSources,
        logger: ctx.logger,
        progress: ctx.progress,
        jobRunId: runId,
      }),
    (s) => ({
      batches: s.batches.filter((b) => b.outcome !== 'skipped').length,
      skipped: s.batches.filter((b) => b.outcome === 'skipped').length,
      rowsRead: s.batches.reduce((n, b) => n + b.rowsRead, 0),
      rowsQuarantined: s.batches.reduce((n, b) => n + b.rowsQuarantined, 0),
      rejected: s.rejected.length,
    }),
  );
}

/** Compiles the models under models/ (seeds are ref-able by name). */
export async function loadProject(): Promise<CompiledProject> {
  return compileProject(
    projectPaths.models,
    (await findSeeds(projectPaths.seeds)).map((s) => s.name),
  );
}

/** Builds the selected models (default all) in dependency order and writes target/run_results.json. */
export async function buildStage(
  ctx: StageContext,
  project?: CompiledProject,
  run: RunSelection = {},
): Promise<ModelRunResult[]> {
  const compiled = project ?? (await loadProject());
  const startedAt = new Date();
  const models = await recordJob(
    ctx.pool,
    ctx.logger,
    'build',
    (runId) =>
      buildModels(ctx.pool, compiled, {
        logger: ctx.logger,
        progress: ctx.progress,
        jobRunId: runId,
        ...run,
      }),
    (r) => ({
      models: r.length,
      errors: r.filter((m) => m.status !== 'success').length,
      failed: r.some((m) => m.status !== 'success'),
    }),
  );
  await writeRunResults(
    compiled,
    { command: 'build', startedAt, models, select: run.select },
    ctx.targetDir ?? projectPaths.target,
  );
  // Grants and row-level security follow every build, even a partly failed one: a new mart must
  // never be readable with less protection than Cube gives the same person.
  await applyWarehouseSecurity(ctx.pool, ctx.logger, defaultSharingPolicy);
  return models;
}

/** Runs the data tests of the selected models (default all), skipping models that did not build. */
export async function testStage(
  ctx: StageContext,
  project?: CompiledProject,
  built?: readonly ModelRunResult[],
  run: RunSelection = {},
): Promise<TestResult[]> {
  const compiled = project ?? (await loadProject());
  const startedAt = new Date();
  const skip = new Set((built ?? []).filter((m) => m.status !== 'success').map((m) => m.model));
  const models = run.select
    ? new Set(selectModels(compiled, run.select).map((m) => m.definition.name))
    : undefined;
  const tests = await recordJob(
    ctx.pool,
    ctx.logger,
    'test',
    (runId) =>
      testModels(ctx.pool, compiled, {
        logger: ctx.logger,
        jobRunId: runId,
        skip,
        models,
        threads: run.threads,
      }),
    (r) => ({
      tests: r.length,
      failures: r.filter((t) => t.status !== 'pass').length,
      failed: r.some((t) => t.status !== 'pass'),
    }),
  );
  await writeRunResults(
    compiled,
    { command: 'test', startedAt, models: built, tests, select: run.select },
    ctx.targetDir ?? projectPaths.target,
  );
  return tests;
}

/**
 * One pipeline run: seeds → ingest inbox → build models → run model tests → publish. Publishing
 * records a successful `publish` job, which is what the Cube data model's refresh keys watch, so
 * a running `hdw serve` shows the new data without a restart.
 */
export async function runPipeline(ctx: StageContext): Promise<PipelineSummary> {
  await seedStage(ctx);
  const ingest = await ingestStage(ctx);
  const project = await loadProject();
  const models = await buildStage(ctx, project);
  const tests = await testStage(ctx, project, models);
  const ok = models.every((m) => m.status === 'success') && tests.every((t) => t.status === 'pass');
  if (ok) await publishStage(ctx);
  return { ingest, models, tests, ok };
}

/** Marks the marts as published: Cube's refresh keys watch for this job, so served data updates. */
export async function publishStage(ctx: StageContext): Promise<void> {
  await recordJob(ctx.pool, ctx.logger, 'publish', async () => undefined);
}
