import path from 'node:path';
import Bree from 'bree';
import { startEmbedded, stopEmbedded } from '../../core/db/embedded-postgres.ts';
import { projectRoot } from '../../core/paths.ts';
import { schedule } from '../../pipelines/schedule.ts';
import { commandContext } from '../context.ts';

/**
 * `hdw schedule`: Bree runs each job of pipelines/schedule.ts in a worker thread on its cron.
 * TypeScript job files run through tsx (pipelines/jobs/ts-worker.mjs registers it). Runs until SIGINT/SIGTERM.
 */
export async function runSchedule(options: { once?: boolean } = {}): Promise<void> {
  const { config, logger, progress } = commandContext();
  let started = false;
  if (!config.DATABASE_URL) started = (await startEmbedded({ dataDir: config.HDW_DATA_DIR, logger })).started;
  const bree = new Bree({
    root: path.join(projectRoot, 'pipelines', 'jobs'),
    acceptedExtensions: ['.mjs'],
    logger: {
      info: (m: unknown) => logger.debug({ bree: m }),
      warn: (m: unknown) => logger.warn({ bree: m }),
      error: (m: unknown) => logger.error({ bree: m }),
    },
    jobs: schedule.map((job) => ({
      name: job.name,
      path: path.join(projectRoot, 'pipelines', 'jobs', 'ts-worker.mjs'),
      worker: { workerData: { job: job.name } },
      cron: job.cron,
      closeWorkerAfterMs: job.runLimitMs,
    })),
    workerMessageHandler: ({ name, message }: { name: string; message: unknown }) => {
      const m = message as
        { progress?: { phase: string; done?: number; total?: number; finished?: boolean } } | string;
      if (typeof m === 'object' && m.progress) {
        if (m.progress.finished) progress.finish(m.progress.phase);
        else progress.update(m.progress.phase, m.progress.done ?? 0, m.progress.total ?? 0);
      } else logger.info({ job: name, message: m }, `job ${name}: ${String(m)}`);
    },
    errorHandler: (error: unknown, meta: { name?: string }) =>
      logger.error({ job: meta?.name, err: (error as Error)?.message }, 'job failed'),
  });
  if (options.once) {
    // Each job once, in schedule order, as the scheduler would run it (worker thread, run limit).
    for (const job of schedule) {
      const ended = new Promise<void>((resolve) =>
        bree.once('worker deleted', (name: string) => name === job.name && resolve()),
      );
      await bree.run(job.name);
      await ended;
    }
    if (started) await stopEmbedded(config.HDW_DATA_DIR, logger);
    return;
  }
  await bree.start();
  for (const job of schedule) logger.info({ job: job.name, cron: job.cron }, `scheduled: ${job.description}`);
  process.stdout.write(`scheduler running ${schedule.length} job(s); stop with Ctrl+C\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await bree.stop();
  if (started) await stopEmbedded(config.HDW_DATA_DIR, logger);
}
