/**
 * The demo warehouse the mart benches time against, built once per `npm run bench` run and shared
 * by every bench in it: the full demo (≈10 M charge lines; `HDW_BENCH_DEMO_SIZE=small` for a quick
 * look) generated into the bench's folder (or read from `HDW_BENCH_DEMO=<dir>`, files as generated),
 * then one whole pipeline run (seeds, ingest, every model built, tested and published).
 * `HDW_BENCH_DATABASE_URL=<url>` times against a demo warehouse built already instead (its marts
 * are rebuilt in place); `HDW_BENCH_DEMO_SIZE` then only labels it.
 */
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../core/config/config.ts';
import { createDb } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { runPipeline } from '../../pipelines/run-pipeline.ts';
import type { BenchContext } from './run.ts';

export interface BenchDemo {
  readonly url: string;
  readonly size: 'small' | 'full';
}

let built: Promise<BenchDemo> | undefined;
let folder: string | undefined;

/** Removes the demo's files (run.ts calls it when every bench is done). */
export async function removeBenchDemo(): Promise<void> {
  if (folder) await rm(folder, { recursive: true, force: true });
}

/** The built demo warehouse; the first bench to ask builds it, reporting how long that took. */
export function benchDemo(ctx: BenchContext): Promise<BenchDemo> {
  built ??= build(ctx);
  return built;
}

async function build(ctx: BenchContext): Promise<BenchDemo> {
  const size = process.env.HDW_BENCH_DEMO_SIZE === 'small' ? 'small' : 'full';
  // A demo warehouse built already (e.g. `hdw run` on the full demo's files): timed as it is.
  const given = process.env.HDW_BENCH_DATABASE_URL;
  if (given) {
    ctx.report('demo_size', `${size} (HDW_BENCH_DATABASE_URL)`);
    return { url: given, size };
  }
  // The bench's own work folder goes when that bench ends; the demo serves every bench of the run.
  folder = await mkdtemp(path.join(os.tmpdir(), 'hdw-bench-demo-'));
  const demo = process.env.HDW_BENCH_DEMO ?? path.join(folder, 'demo');
  const generated = await stat(path.join(demo, '_ground_truth', 'manifest.json')).then(
    () => true,
    () => false,
  );
  if (!generated) {
    await mkdir(demo, { recursive: true });
    const started = performance.now();
    await generateDemo({ size, seed: 7, outDir: demo });
    ctx.report('demo_generate_s', ((performance.now() - started) / 1000).toFixed(1));
  }
  // Ingest moves what it loaded out of the inbox: it gets a copy, and the files stay as generated.
  const inbox = path.join(folder, 'inbox');
  await cp(demo, inbox, { recursive: true });
  ctx.report('demo_size', size);

  const admin = new pg.Client({ connectionString: ctx.pgAdminUrl });
  await admin.connect();
  await admin.query(`drop database if exists bench_demo with (force)`);
  await admin.query(`create database bench_demo`);
  await admin.end();
  const url = new URL(ctx.pgAdminUrl);
  url.pathname = '/bench_demo';
  const pool = new pg.Pool({ connectionString: url.toString(), max: 6 });
  try {
    await migrateToLatest(createDb(pool), silentLogger);
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: folder,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: url.toString(),
    });
    const started = performance.now();
    const summary = await runPipeline({ pool, config, logger: silentLogger });
    if (!summary.ok) throw new Error(`the demo did not build and publish: ${summary.blockedBy.join('; ')}`);
    ctx.report('pipeline_s', ((performance.now() - started) / 1000).toFixed(1));
    const { rows } = await pool.query<{ n: string }>(
      `select count(*) as n from intermediate.int_charge_lines__standardised`,
    );
    ctx.report('charge_lines', rows[0]!.n);
  } finally {
    await pool.end();
  }
  return { url: url.toString(), size };
}
