import path from 'node:path';
import Bree from 'bree';
import type pg from 'pg';
import { createPool } from '../../core/db/database.ts';
import { startEmbedded, stopEmbedded } from '../../core/db/embedded-postgres.ts';
import { recordSkippedRun } from '../../core/jobs/job-runs.ts';
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
  let url = config.DATABASE_URL;
  if (!url) ({ started, url } = await startEmbedded({ dataDir: config.HDW_DATA_DIR, logger }));
  // Only for recording ticks Bree skips because the job's previous run is still going.
  let pool: pg.Pool | undefined;
  const skipped = (job: string) => {
    pool ??= createPool(url, 1);
    recordSkippedRun(pool, logger, job, `its previous run is still going`).catch((error: unknown) =>
      logger.error({ job, err: (error as Error).message }, 'could not record a skipped run'),
    );
  };
  const bree = new Bree({
    root: path.join(projectRoot, 'pipelines', 'jobs'),
    acceptedExtensions: ['.mjs'],
    logger: {
      info: (m: unknown) => logger.debug({ bree: m }),
      warn: (m: unknown) => {
        const running = m instanceof Error ? /^Job "(.+)" is already running$/.exec(m.message) : null;
        if (running) skipped(running[1]!);
        else logger.warn({ bree: m });
      },
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
    await pool?.end();
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
  await pool?.end();
  if (started) await stopEmbedded(config.HDW_DATA_DIR, logger);
}
