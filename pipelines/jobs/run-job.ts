import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../../core/config/config.ts';
import { openWarehouse } from '../../core/db/database.ts';
import { createLogger } from '../../core/logging/logger.ts';
import type { ProgressReporter } from '../../core/logging/progress.ts';
import type { StageContext } from '../run-pipeline.ts';

/**
 * The body every Bree job shares: open the warehouse, run the stage, report progress and `done`
 * to the parent. On `cancel` the worker ends at once; the batch in flight rolls back with its
 * transaction, so nothing is left half loaded.
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
    await stage({ pool: warehouse.pool, config, logger, progress });
  } finally {
    await warehouse.close();
  }
  parentPort?.postMessage('done');
}
