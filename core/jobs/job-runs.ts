import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';

/**
 * Runs one stage of work as a recorded job: a row in ops.job_runs opens as `running` and closes
 * as `succeeded` or `failed` with its detail, so the steward can see what ran, when and how it ended.
 */
export async function recordJob<T>(
  pool: pg.Pool,
  logger: Logger,
  job: string,
  work: (runId: number) => Promise<T>,
  detail: (result: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  const { rows } = await pool.query<{ run_id: number }>(
    `insert into ops.job_runs (job, status) values ($1, 'running') returning run_id`,
    [job],
  );
  const runId = rows[0]!.run_id;
  const started = Date.now();
  try {
    const result = await work(runId);
    const info = detail(result);
    const failed = info.failed === true;
    await pool.query(
      `update ops.job_runs set status = $2, finished_at = now(), detail = $3 where run_id = $1`,
      [runId, failed ? 'failed' : 'succeeded', JSON.stringify(info)],
    );
    logger.info(
      { stage: job, runId, ms: Date.now() - started, ...info },
      `${job}: ${failed ? 'failed' : 'succeeded'}`,
    );
    return result;
  } catch (error) {
    await pool
      .query(`update ops.job_runs set status = 'failed', finished_at = now(), error = $2 where run_id = $1`, [
        runId,
        (error as Error).message,
      ])
      .catch(() => undefined);
    throw error;
  }
}

/**
 * Records a scheduled run that did not start because the previous one (or another run holding
 * the warehouse) was still going: a `skipped` row in ops.job_runs, saying why, so a missed tick
 * is visible rather than silent.
 */
export async function recordSkippedRun(
  pool: pg.Pool,
  logger: Logger,
  job: string,
  reason: string,
): Promise<void> {
  await pool.query(
    `insert into ops.job_runs (job, status, finished_at, detail) values ($1, 'skipped', now(), $2)`,
    [job, JSON.stringify({ reason })],
  );
  logger.warn({ stage: job, reason }, `${job}: skipped (${reason})`);
}
