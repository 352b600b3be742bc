import type pg from 'pg';

export interface ModelRunRecord {
  readonly jobRunId?: number;
  readonly model: string;
  readonly kind: 'build' | 'test' | 'publish';
  readonly status: 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn' | 'published' | 'blocked';
  readonly rows?: number | null;
  readonly durationMs: number;
  readonly message?: string | null;
}

/**
 * Records one model build or test in ops.model_runs: the history operators and Cube's refresh keys
 * read. Pass the build's own transaction to record a success in the same commit as the model.
 */
export async function recordModelRun(db: pg.Pool | pg.PoolClient, run: ModelRunRecord): Promise<void> {
  await recordModelRuns(db, [run]);
}

/** Records several runs in one statement (a publication records one row per model it switched). */
export async function recordModelRuns(
  db: pg.Pool | pg.PoolClient,
  runs: readonly ModelRunRecord[],
): Promise<void> {
  if (runs.length === 0) return;
  await db.query(
    `insert into ops.model_runs (job_run_id, model, kind, status, rows, duration_ms, message)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])`,
    [
      runs.map((run) => run.jobRunId ?? null),
      runs.map((run) => run.model),
      runs.map((run) => run.kind),
      runs.map((run) => run.status),
      runs.map((run) => run.rows ?? null),
      runs.map((run) => Math.round(run.durationMs)),
      runs.map((run) => run.message ?? null),
    ],
  );
}
