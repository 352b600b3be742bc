import { loadConfig, type Config } from '../core/config/config.ts';
import { openWarehouse, type Warehouse } from '../core/db/database.ts';
import { withRunLock } from '../core/jobs/run-lock.ts';
import { createLogger, type Logger } from '../core/logging/logger.ts';
import { createProgress, type ProgressReporter } from '../core/logging/progress.ts';

export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
}

let cached: CommandContext | undefined;

/** Configuration (parsed once), logger and progress for a command. */
export function commandContext(): CommandContext {
  if (!cached) {
    const config = loadConfig();
    const logger = createLogger(config.HDW_LOG_LEVEL);
    cached = { config, logger, progress: createProgress(logger) };
  }
  return cached;
}

/**
 * Runs `work` with the warehouse open, starting the embedded server on demand and stopping it
 * afterwards if this command started it. With `lock`, a command that writes the warehouse first
 * takes the run lock under that job name (waiting up to HDW_LOCK_WAIT_SECONDS for a run holding it).
 */
export async function withWarehouse<T>(
  work: (warehouse: Warehouse, ctx: CommandContext) => Promise<T>,
  options: { readonly lock?: string } = {},
): Promise<T> {
  const ctx = commandContext();
  const warehouse = await openWarehouse(ctx.config, ctx.logger);
  try {
    if (!options.lock) return await work(warehouse, ctx);
    return await withRunLock(
      warehouse.url,
      options.lock,
      { waitSeconds: ctx.config.HDW_LOCK_WAIT_SECONDS, logger: ctx.logger },
      () => work(warehouse, ctx),
    );
  } finally {
    await warehouse.close();
  }
}
