import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../../core/config/config.ts';
import { openWarehouse } from '../../core/db/database.ts';
import { recordSkippedRun } from '../../core/jobs/job-runs.ts';
import { acquireRunLock, RunLockedError } from '../../core/jobs/run-lock.ts';
import { createLogger } from '../../core/logging/logger.ts';
import type { ProgressReporter } from '../../core/logging/progress.ts';
import type { StageContext } from '../run-pipeline.ts';

/**
 * The body every Bree job shares: open the warehouse, take the run lock, run the stage, report
 * progress and `done` to the parent. A tick that finds another run holding the warehouse does not
 * wait: it is recorded as `skipped` in ops.job_runs with the holder, and the next tick tries again.
 * On `cancel` the worker ends at once; the batch in flight rolls back with its transaction and the
 * lock frees itself with its connection, so nothing is left half loaded or held.
 */
export async function runJob(name: string, stage: (ctx: StageContext) => Promise<unknown>): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.HDW_LOG_LEVEL, { pretty: false }).child({ job: name });
  parentPort?.on('message', (message) => {
    if (message === 'cancel') {
      logger.warn('cancelled');
      parentPort?.postMessage('cancelled');
      process.exit(0);
    }
  });
  const progress: ProgressReporter = {
    update: (phase, done, total) => parentPort?.postMessage({ progress: { phase, done, total } }),
    finish: (phase) => parentPort?.postMessage({ progress: { phase, finished: true } }),
  };
  const warehouse = await openWarehouse(config, logger);
  try {
    const lock = await acquireRunLock(warehouse.url, name, { waitSeconds: 0, logger }).catch(
      async (error: unknown) => {
        if (!(error instanceof RunLockedError)) throw error;
        await recordSkippedRun(warehouse.pool, logger, name, error.message);
        return undefined;
      },
    );
    if (lock) {
      try {
        await stage({ pool: warehouse.pool, config, logger, progress });
      } finally {
        await lock.release();
      }
    }
  } finally {
    await warehouse.close();
  }
  parentPort?.postMessage('done');
}
