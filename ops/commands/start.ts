import { readdir } from 'node:fs/promises';
import { openWarehouse } from '../../core/db/database.ts';
import { withRunLock } from '../../core/jobs/run-lock.ts';
import { stopEmbedded } from '../../core/db/embedded-postgres.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { markComplete } from '../../pipelines/ingest/inbox-scan.ts';
import { runPipeline } from '../../pipelines/run-pipeline.ts';
import { commandContext } from '../context.ts';
import { ensureDemoAccounts } from './demo-accounts.ts';
import { printPipelineSummary } from './print-summary.ts';
import { serve } from './serve.ts';

/**
 * `npm start`: from a fresh clone to a served API in one command. Writes demo data when the inbox
 * is empty, runs the pipeline once, creates the demo accounts when there is no web user yet
 * (demo-accounts.ts), then serves. The embedded server stays up between the two.
 */
export async function startAll(): Promise<void> {
  const { config, logger, progress } = commandContext();
  const entries = await readdir(config.HDW_INBOX).catch(() => [] as string[]);
  if (entries.filter((e) => !e.startsWith('.')).length === 0) {
    logger.info({ inbox: config.HDW_INBOX }, 'inbox is empty: writing demo data (small)');
    await generateDemo({
      size: 'small',
      seed: 1,
      outDir: config.HDW_INBOX,
      onProgress: (p) => progress.update(p.phase, p.done, p.total),
    });
    // Complete as written: read at once, not after the quiet period an upload needs.
    await markComplete(config.HDW_INBOX, config.HDW_INBOX_QUIET_SECONDS);
  }
  const warehouse = await openWarehouse(config, logger, { keepRunning: true });
  let signIn: string[];
  try {
    const summary = await withRunLock(
      warehouse.url,
      'run',
      { waitSeconds: config.HDW_LOCK_WAIT_SECONDS, logger },
      () => runPipeline({ pool: warehouse.pool, config, logger, progress }),
    );
    printPipelineSummary(summary);
    if (!summary.ok) logger.warn('the pipeline run had failures (see above); serving what was built');
    signIn = await ensureDemoAccounts(warehouse.pool, config);
  } finally {
    await warehouse.close();
  }
  await serve({ signIn });
  if (!config.DATABASE_URL) await stopEmbedded(config.HDW_DATA_DIR, logger);
}
