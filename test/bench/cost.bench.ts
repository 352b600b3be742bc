/**
 * The cost marts against one plain `group by`: generates the full demo (≈10,000,000 charge lines;
 * `HDW_BENCH_COST_SIZE=small` for a quick look, `HDW_BENCH_COST_DEMO=<dir>` to reuse generated
 * files), runs the whole pipeline once so that every upstream model is in place, then times an
 * engine run (build, test, publish) of `path:models/intermediate/cost path:models/marts/cost`
 * against `create table … as select hospital_code, visit_id, sum(amount), count(*) from the
 * standardised charge lines group by 1, 2` — one pass over all charge lines by case, the least any
 * case-level cost must do. Each is run twice and the faster counts (the machine is shared).
 * Target: cost_marts_vs_groupby_ratio ≤ 4.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../core/config/config.ts';
import { buildModels } from '../../core/engine/build-models.ts';
import { createDb } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { loadProject, runPipeline } from '../../pipelines/run-pipeline.ts';
import type { BenchContext } from './run.ts';

const COST_MODELS = 'path:models/intermediate/cost path:models/marts/cost';

export default async function costBench(ctx: BenchContext): Promise<void> {
  const size = process.env.HDW_BENCH_COST_SIZE === 'small' ? 'small' : 'full';
  const inbox = process.env.HDW_BENCH_COST_DEMO ?? path.join(ctx.workDir, 'inbox');
  const generated = await stat(path.join(inbox, '_ground_truth', 'manifest.json')).then(
    () => true,
    () => false,
  );
  if (!generated) {
    await mkdir(inbox, { recursive: true });
    const started = performance.now();
    await generateDemo({ size, seed: 7, outDir: inbox });
    ctx.report('demo_generate_s', ((performance.now() - started) / 1000).toFixed(1));
  }
  ctx.report('demo_size', size);

  const admin = new pg.Client({ connectionString: ctx.pgAdminUrl });
  await admin.connect();
  await admin.query(`drop database if exists bench_cost with (force)`);
  await admin.query(`create database bench_cost`);
  await admin.end();
  const url = new URL(ctx.pgAdminUrl);
  url.pathname = '/bench_cost';
  const pool = new pg.Pool({ connectionString: url.toString(), max: 6 });
  try {
    await migrateToLatest(createDb(pool), silentLogger);
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: ctx.workDir,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: url.toString(),
    });
    const pipelineStarted = performance.now();
    const summary = await runPipeline({ pool, config, logger: silentLogger });
    if (!summary.ok) throw new Error(`the demo did not build and publish: ${summary.blockedBy.join('; ')}`);
    ctx.report('pipeline_s', ((performance.now() - pipelineStarted) / 1000).toFixed(1));
    const { rows } = await pool.query<{ n: string }>(
      `select count(*) as n from intermediate.int_charge_lines__standardised`,
    );
    ctx.report('charge_lines', rows[0]!.n);

    const project = await loadProject();
    let costMs = Infinity;
    let groupByMs = Infinity;
    for (let round = 0; round < 2; round++) {
      const started = performance.now();
      const run = await buildModels(pool, project, { logger: silentLogger, select: COST_MODELS, threads: 2 });
      costMs = Math.min(costMs, performance.now() - started);
      if (run.publication !== 'published') throw new Error(`cost marts blocked: ${run.blockedBy.join('; ')}`);

      await pool.query(`drop table if exists public.bench_case_groupby`);
      const groupStarted = performance.now();
      await pool.query(`create table public.bench_case_groupby as
        select hospital_code, visit_id, sum(amount) as amount, count(*) as lines
        from intermediate.int_charge_lines__standardised
        group by hospital_code, visit_id`);
      groupByMs = Math.min(groupByMs, performance.now() - groupStarted);
    }
    ctx.report('cost_marts_ms', Math.round(costMs));
    ctx.report('groupby_ms', Math.round(groupByMs));
    ctx.report('cost_marts_vs_groupby_ratio', (costMs / groupByMs).toFixed(3));
  } finally {
    await pool.end();
  }
}
