import type pg from 'pg';
import { maskConnectionStrings, type Config, type DatabaseSourceConfig } from '../core/config/config.ts';
import { compileProject, type CompiledProject } from '../core/engine/compile-models.ts';
import {
  buildModels,
  testModels,
  type BuildRun,
  type ModelRunResult,
  type TestResult,
} from '../core/engine/build-models.ts';
import { writeRunResults } from '../core/engine/run-results.ts';
import { selectModels } from '../core/engine/selection.ts';
import { recordJob } from '../core/jobs/job-runs.ts';
import type { Logger } from '../core/logging/logger.ts';
import { sharingPolicyOf } from '../core/security/sharing-policy.ts';
import {
  applyWarehouseSecurity,
  type WarehouseSecuritySummary,
} from '../core/security/warehouse-security.ts';
import type { ProgressReporter } from '../core/logging/progress.ts';
import { analyzeRawTables } from './ingest/raw-statistics.ts';
import { ConfigError } from '../core/errors.ts';
import { projectPaths } from '../core/paths.ts';
import { notifyOpenedAlerts, type NotifySummary } from './alerts/notify-alerts.ts';
import { extractIncrement, type DatabaseSource } from './ingest/database-source.ts';
import { ingestInbox, loadOrder, type IngestSummary } from './ingest/ingest-inbox.ts';
import type { BatchResult } from './ingest/load-batch.ts';
import { sourceId, type SourceDefinition } from './ingest/source-definition.ts';
import { mergeNationalCodeLists } from './reference/national-code-lists.ts';
import { pregroupCases, type PregroupSummary } from './pregroup/pregroup-cases.ts';
import { findSeeds, loadSeeds } from './seeds/load-seeds.ts';
import { withTimeZone } from './ingest/source-definition.ts';
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
  readonly ingest: IngestStageSummary;
  /** The pre-group stage: stays grouped with the configured rule set, or why it failed. */
  readonly pregroup: PregroupStageRun;
  readonly models: readonly ModelRunResult[];
  readonly tests: readonly TestResult[];
  /** `blocked`: a model failed or an `error` test failed; the previous marts keep serving. */
  readonly publication: BuildRun['publication'];
  /** What blocked publication (models, failing tests and their failing row counts). */
  readonly blockedBy: readonly string[];
  /** Semantic views (one per Cube view, for SQL users) that could not be made: `name: reason`. */
  readonly semanticViewsFailed: readonly string[];
  /** Fund alert openings sent to the configured webhooks after publishing (none when blocked). */
  readonly notifications?: NotifySummary;
  readonly ok: boolean;
}

/** What the pre-group stage did; `error` when it could not run (the build goes on without it). */
export type PregroupStageRun = PregroupSummary | { readonly error: string };

/** A build and what it did to the warehouse's access rules afterwards. */
export type BuildStageRun = BuildRun & { readonly security: WarehouseSecuritySummary };

/** Loads the reference seeds into `ref.*` (dictionaries every source and model relies on). */
export async function seedStage(ctx: StageContext): Promise<number> {
  return recordJob(
    ctx.pool,
    ctx.logger,
    'seed',
    async () => {
      const seeds = await findSeeds(projectPaths.seeds);
      await loadSeeds(ctx.pool, seeds, ctx.logger, mergeNationalCodeLists);
      return seeds.length;
    },
    (n) => ({ seeds: n }),
  );
}

/** What one configured source database (`HDW_DATABASE_SOURCES`) gave an ingest run. */
export interface DatabaseSourceRun {
  /** Declared source id, e.g. `his.outpatient_visits`. */
  readonly source: string;
  readonly hospitalCode: string;
  /** The connection string with its password masked: `postgres://user:***@host/db`. */
  readonly connection: string;
  /** `no-new-rows`: nothing past the watermark, no batch; `failed`: see `error`, nothing loaded. */
  readonly outcome: BatchResult['outcome'] | 'no-new-rows' | 'failed';
  /** The increment taken: watermark after `from` up to `to` (null: never read / empty). */
  readonly from?: string | null;
  readonly to?: string | null;
  readonly batchId?: number;
  readonly error?: string;
}

/** The inbox's deliveries and the configured source databases' increments. */
export interface IngestStageSummary extends IngestSummary {
  /** Every configured source database, in load order; their batches are also in `batches`. */
  readonly databaseSources: readonly DatabaseSourceRun[];
}

/**
 * Ingests every delivery in the inbox, then one increment of every configured source database
 * (`HDW_DATABASE_SOURCES`), dictionaries before the records that use them. A source database that
 * cannot be read is logged (hospital, source, masked URL) and reported as `failed`; the others and
 * the inbox's batches are kept, and the job is recorded as failed with what went wrong.
 */
export async function ingestStage(ctx: StageContext): Promise<IngestStageSummary> {
  return recordJob(
    ctx.pool,
    ctx.logger,
    'ingest',
    async (runId) => {
      // A source id that names no declared source is a configuration error: stop before loading.
      const sources = withTimeZone(allSources, ctx.config.HDW_TIME_ZONE);
      const specs = resolveDatabaseSources(ctx.config.HDW_DATABASE_SOURCES ?? [], sources);
      const inbox = await ingestInbox(ctx.pool, {
        inbox: ctx.config.HDW_INBOX,
        sources,
        logger: ctx.logger,
        progress: ctx.progress,
        jobRunId: runId,
        splitBytes: ctx.config.HDW_INGEST_SPLIT_BYTES,
        quietSeconds: ctx.config.HDW_INBOX_QUIET_SECONDS,
        markerSenders: ctx.config.HDW_INBOX_MARKER_SENDERS,
      });
      const databaseSources = await extractDatabaseSources(ctx, specs, runId);
      const batches = [...inbox.batches, ...databaseSources.flatMap((run) => (run.batch ? [run.batch] : []))];
      const phase = '统计信息 (analyze)';
      await analyzeRawTables(ctx.pool, sources, {
        maxRows: ctx.config.HDW_ANALYZE_RAW_MAX_ROWS,
        logger: ctx.logger,
        onTable: (done, total) => ctx.progress?.update(phase, done, total),
      });
      ctx.progress?.finish(phase);
      return { ...inbox, batches, databaseSources: databaseSources.map((run) => run.summary) };
    },
    (s) => {
      const failedSources = s.databaseSources.filter((d) => d.outcome === 'failed');
      return {
        batches: s.batches.filter((b) => b.outcome !== 'skipped').length,
        skipped: s.batches.filter((b) => b.outcome === 'skipped').length,
        rowsRead: s.batches.reduce((n, b) => n + b.rowsRead, 0),
        rowsQuarantined: s.batches.reduce((n, b) => n + b.rowsQuarantined, 0),
        rejected: s.rejected.length,
        ...(s.deferred.length > 0 && { deferred: s.deferred.length }),
        ...(s.failed.length > 0 && { deliveriesFailed: s.failed.map((f) => f.reason) }),
        ...(s.databaseSources.length > 0 && {
          databaseSources: s.databaseSources.length,
          databaseSourcesFailed: failedSources.map(
            (d) => `${d.source} ${d.hospitalCode} (${d.connection}): ${d.error ?? 'failed'}`,
          ),
        }),
        ...((failedSources.length > 0 || s.failed.length > 0) && { failed: true }),
      };
    },
  );
}

/**
 * The configured source databases as extraction specs, in load order (by source dependency, then
 * as configured). Throws a ConfigError naming the entry when a source id is not declared.
 */
function resolveDatabaseSources(
  configured: readonly DatabaseSourceConfig[],
  sources: readonly SourceDefinition[],
): DatabaseSource[] {
  const declared = new Map(sources.map((source) => [sourceId(source), source]));
  const order = loadOrder(sources);
  const specs = configured.map((entry, index) => {
    const source = declared.get(entry.source);
    if (!source) {
      throw new ConfigError(
        `Configuration error: HDW_DATABASE_SOURCES[${index}].source "${entry.source}" is not a declared source ` +
          `(declared: ${[...declared.keys()].sort().join(', ')})`,
      );
    }
    const spec: DatabaseSource = { ...entry, source };
    return { spec, index, rank: order.get(entry.source) ?? 0 };
  });
  return specs.sort((a, b) => a.rank - b.rank || a.index - b.index).map((s) => s.spec);
}

/** A failure in one line; a refused connection to `localhost` is an AggregateError with no message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error instanceof AggregateError ? error.errors.map(describeError) : [];
  const code = (error as NodeJS.ErrnoException).code;
  return error.message || [...new Set(inner)].join('; ') || code || error.name;
}

/** One increment per source database; one that fails is logged and reported, the rest go on. */
async function extractDatabaseSources(
  ctx: StageContext,
  specs: readonly DatabaseSource[],
  jobRunId: number,
): Promise<{ summary: DatabaseSourceRun; batch?: BatchResult }[]> {
  const runs: { summary: DatabaseSourceRun; batch?: BatchResult }[] = [];
  const phase = '数据库 (source databases)';
  for (const [index, spec] of specs.entries()) {
    ctx.progress?.update(phase, index, specs.length);
    const about = {
      source: sourceId(spec.source),
      hospitalCode: spec.hospitalCode,
      connection: maskConnectionStrings(spec.connectionString),
    };
    try {
      const result = await extractIncrement(ctx.pool, spec, { logger: ctx.logger, jobRunId });
      const outcome = result.batch?.outcome ?? 'no-new-rows';
      if (!result.batch) ctx.logger.info({ ...about, watermark: result.to }, 'source database: no new rows');
      runs.push({
        summary: { ...about, outcome, from: result.from, to: result.to, batchId: result.batch?.batchId },
        batch: result.batch,
      });
    } catch (error) {
      // Nothing of this source was committed (its batch and watermark share one transaction).
      const message = maskConnectionStrings(describeError(error));
      ctx.logger.error(
        { ...about, error: message },
        `source database ${about.source} of ${about.hospitalCode} could not be read; going on with the others`,
      );
      runs.push({ summary: { ...about, outcome: 'failed', error: message } });
    }
  }
  if (specs.length > 0) ctx.progress?.finish(phase);
  return runs;
}

/**
 * 预分组: groups every stay's front page (or settlement list) with the configured DRG rule set
 * (`HDW_DRG_RULE_SET`) into ops.case_pregroups, for the models to set the hospital's own group
 * beside the payer's. One record that cannot be grouped is stored with its reason; a stage that
 * cannot run at all (an unreadable rule set) is recorded as failed and reported, and the build
 * goes on with the pre-groups already stored.
 */
export async function pregroupStage(ctx: StageContext): Promise<PregroupStageRun> {
  try {
    return await recordJob(
      ctx.pool,
      ctx.logger,
      'pregroup',
      () =>
        pregroupCases(ctx.pool, {
          ruleSet: ctx.config.HDW_DRG_RULE_SET,
          logger: ctx.logger,
          progress: ctx.progress,
        }),
      (s) => ({ ...s }),
    );
  } catch (error) {
    const message = (error as Error).message;
    ctx.logger.error({ stage: 'pregroup', error: message }, 'pre-group failed; building with the stored pre-groups');
    return { error: message };
  }
}

/** Compiles the models under models/ (seeds are ref-able by name). */
export async function loadProject(): Promise<CompiledProject> {
  return compileProject(
    projectPaths.models,
    (await findSeeds(projectPaths.seeds)).map((s) => s.name),
  );
}

/**
 * Builds the selected models (default all) into the audit schemas, runs their data tests there
 * and publishes them together only if every `error` test passes (write-audit-publish); writes
 * target/run_results.json. The `build` job is recorded as failed when the run is blocked, with
 * what blocked it and which incremental models were rebuilt fully and why.
 */
export async function buildStage(
  ctx: StageContext,
  project?: CompiledProject,
  run: RunSelection = {},
): Promise<BuildStageRun> {
  const compiled = project ?? (await loadProject());
  const startedAt = new Date();
  const result = await recordJob(
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
      models: r.models.length,
      errors: r.models.filter((m) => m.status !== 'success').length,
      tests: r.tests.length,
      testFailures: r.tests.filter((t) => t.status === 'fail' || t.status === 'error').length,
      testWarnings: r.tests.filter((t) => t.status === 'warn').length,
      publication: r.publication,
      ...(r.blockedBy.length > 0 && { blockedBy: r.blockedBy }),
      rebuiltFully: r.models.flatMap((m) => (m.rebuiltFully ? [`${m.model}: ${m.rebuiltFully}`] : [])),
      failed: r.publication === 'blocked',
    }),
  );
  await writeRunResults(
    compiled,
    { command: 'build', startedAt, models: result.models, tests: result.tests, select: run.select },
    ctx.targetDir ?? projectPaths.target,
  );
  // Grants and row-level security follow every build, even a partly failed one: a new mart must
  // never be readable with less protection than Cube gives the same person.
  const security = await applyWarehouseSecurity(ctx.pool, ctx.logger, sharingPolicyOf(ctx.config));
  return { ...result, security };
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
      failures: r.filter((t) => t.status === 'fail' || t.status === 'error').length,
      warnings: r.filter((t) => t.status === 'warn').length,
      failed: r.some((t) => t.status === 'fail' || t.status === 'error'),
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
 * One pipeline run: seeds → ingest inbox → pre-group stays → build models into the audit schemas → model tests there
 * → publish (all models switch together, only when no `error` test fails). Publishing records a
 * successful `publish` job, which is what the Cube data model's refresh keys watch, so a running
 * `hdw serve` shows the new data without a restart; a blocked run records none.
 */
export async function runPipeline(ctx: StageContext): Promise<PipelineSummary> {
  await seedStage(ctx);
  const ingest = await ingestStage(ctx);
  const pregroup = await pregroupStage(ctx);
  const project = await loadProject();
  const build = await buildStage(ctx, project);
  const ok =
    build.publication === 'published' &&
    build.models.every((m) => m.status === 'success') &&
    !('error' in pregroup);
  const notifications = build.publication === 'published' ? await publishStage(ctx) : undefined;
  return {
    ingest,
    pregroup,
    models: build.models,
    tests: build.tests,
    publication: build.publication,
    blockedBy: build.blockedBy,
    semanticViewsFailed: build.security.semanticViewsFailed,
    ...(notifications ? { notifications } : {}),
    ok,
  };
}

/**
 * Marks the marts as published: Cube's refresh keys watch for this job, so served data updates.
 * Then sends the fund alerts that opened to their departments' webhooks (never failing the run).
 */
export async function publishStage(ctx: StageContext): Promise<NotifySummary> {
  await recordJob(ctx.pool, ctx.logger, 'publish', async () => undefined);
  return notifyOpenedAlerts(ctx.pool, { webhooks: ctx.config.HDW_ALERT_WEBHOOKS, logger: ctx.logger });
}
