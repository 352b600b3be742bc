import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { createDb, createPool } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { runPipeline, type PipelineSummary } from '../../pipelines/run-pipeline.ts';
import { withDatabase, type TestDatabase } from './database.ts';
import { DEMO_SEED, demoFilesDir, type DemoSize } from './demo-files.ts';

const template = (size: DemoSize) => `hdw_demo_${size}_template`;

export interface DemoWarehouse extends TestDatabase {
  /** The generated deliveries as written (untouched by ingest): `_ground_truth/`, `<hospital>/<system>/…`. */
  readonly generatedDir: string;
  /** What the pipeline run that built the warehouse reported (ingest, models, tests, publication). */
  readonly firstRun: PipelineSummary;
}

/**
 * A database holding the demo (small unless asked; `full` is ≈10 M charge lines) after one full
 * pipeline run (seeds → ingest → build → test → publish), for tests that check marts against the
 * generated files. The first caller in a test run generates the demo and builds the template
 * database under an advisory lock; every caller then gets its own copy (`create database …
 * template`), so tests may write to it. The generated files sit in one folder per size and test
 * cluster and must be treated as read-only.
 */
export async function demoWarehouse(size: DemoSize = 'small'): Promise<DemoWarehouse> {
  const adminUrl = inject('pgAdminUrl');
  const { generatedDir, summaryFile } = demoPaths(adminUrl, size);
  const admin = new pg.Client(withDatabase(adminUrl, 'postgres'));
  await admin.connect();
  try {
    await lockTemplate(admin, size);
    try {
      await ensureTemplate(admin, adminUrl, size);
    } finally {
      await unlockTemplate(admin, size);
    }
    const name = `t_demo_${randomBytes(5).toString('hex')}`;
    await admin.query(`create database ${name} template ${template(size)} strategy file_copy`);
    const url = withDatabase(adminUrl, name);
    const db = createDb(url);
    const firstRun = JSON.parse(await readFile(summaryFile, 'utf8')) as PipelineSummary;
    return {
      url,
      db,
      generatedDir,
      firstRun,
      async drop() {
        await db.destroy();
        const c = new pg.Client(withDatabase(adminUrl, 'postgres'));
        await c.connect();
        try {
          await c.query(`drop database if exists ${name} with (force)`);
        } finally {
          await c.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}

/**
 * Starts building the small demo's template in the background, holding its lock from before this
 * returns until it is built, so test files that need it wait for it instead of building it. A
 * failed build is left to the first file that needs the template, which tries again and reports.
 * The global setup calls this when the run has such files; `done` settles when the lock is free.
 */
export async function startDemoTemplateBuild(adminUrl: string, size: DemoSize = 'small'): Promise<{ done: Promise<void> }> {
  const admin = new pg.Client(withDatabase(adminUrl, 'postgres'));
  await admin.connect();
  await lockTemplate(admin, size);
  const done = ensureTemplate(admin, adminUrl, size)
    .catch((error: unknown) => {
      process.stderr.write(`the demo warehouse's template did not build ahead of the tests: ${String(error)}\n`);
    })
    .finally(() => unlockTemplate(admin, size).finally(() => admin.end()));
  return { done };
}

const lockTemplate = (admin: pg.Client, size: DemoSize) =>
  admin.query(`select pg_advisory_lock(hashtext($1))`, [template(size)]);
const unlockTemplate = (admin: pg.Client, size: DemoSize) =>
  admin.query(`select pg_advisory_unlock(hashtext($1))`, [template(size)]);

/** Builds the demo's template database unless it exists; the caller holds the template's lock. */
async function ensureTemplate(admin: pg.Client, adminUrl: string, size: DemoSize): Promise<void> {
  const { rowCount } = await admin.query(`select 1 from pg_database where datname = $1`, [template(size)]);
  if (!rowCount) await buildTemplate(admin, adminUrl, size);
}

/** Where the demo's generated files and the summary of the run that built its template are kept. */
const demoPaths = (adminUrl: string, size: DemoSize) => ({
  generatedDir: path.join(demoFilesDir(adminUrl, size), 'files'),
  summaryFile: path.join(demoFilesDir(adminUrl, size), 'run-summary.json'),
});

async function buildTemplate(admin: pg.Client, adminUrl: string, size: DemoSize): Promise<void> {
  const { generatedDir, summaryFile } = demoPaths(adminUrl, size);
  const building = `${template(size)}_building`;
  await admin.query(`drop database if exists ${building} with (force)`);
  await admin.query(`create database ${building}`);
  const url = withDatabase(adminUrl, building);
  const db = createDb(url);
  await migrateToLatest(db, silentLogger);
  await db.destroy();

  const ready = await stat(path.join(generatedDir, '_ground_truth', 'manifest.json')).then(
    () => true,
    () => false,
  );
  if (!ready) {
    await rm(generatedDir, { recursive: true, force: true });
    await generateDemo({ size, seed: DEMO_SEED, outDir: generatedDir });
  }
  const inbox = path.join(path.dirname(generatedDir), `inbox-${randomBytes(4).toString('hex')}`);
  await mkdir(inbox, { recursive: true });
  await cp(generatedDir, inbox, { recursive: true });
  const pool = createPool(url, 6);
  try {
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: inbox,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: url,
    });
    const summary = await runPipeline({ pool, config, logger: silentLogger });
    await writeFile(summaryFile, JSON.stringify(summary));
    if (!summary.ok)
      throw new Error(
        `the demo warehouse did not build and publish: ${summary.blockedBy.join('; ') || 'see the run summary'}`,
      );
  } finally {
    await pool.end();
    await rm(inbox, { recursive: true, force: true });
  }
  await admin.query(`alter database ${building} rename to ${template(size)}`);
}

/** Drops the demo templates and their files: a long-lived test server must not serve stale ones. */
export async function dropDemoTemplates(adminUrl: string): Promise<void> {
  const admin = new pg.Client(withDatabase(adminUrl, 'postgres'));
  await admin.connect();
  try {
    for (const size of demoSizeNames)
      await admin.query(`drop database if exists ${template(size)} with (force)`);
  } finally {
    await admin.end();
  }
  await removeDemoFiles(adminUrl);
}

/** Removes the generated demo files of every size for a test cluster. */
export async function removeDemoFiles(adminUrl: string): Promise<void> {
  for (const size of demoSizeNames) await rm(demoFilesDir(adminUrl, size), { recursive: true, force: true });
}

const demoSizeNames: readonly DemoSize[] = ['small', 'full'];
