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
  await db.query(
    `insert into ops.model_runs (job_run_id, model, kind, status, rows, duration_ms, message) values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      run.jobRunId ?? null,
      run.model,
      run.kind,
      run.status,
      run.rows ?? null,
      Math.round(run.durationMs),
      run.message ?? null,
    ],
  );
}
