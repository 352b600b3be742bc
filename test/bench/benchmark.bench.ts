/**
 * The external benchmark marts on the CMS IPPS tables (../shared/datasets/cms-ipps; skipped where
 * absent): the provider summary (163,065 rows) and the MS-DRG weights are delivered to a fresh
 * warehouse's inbox and ingested through their declarations, then the benchmark models
 * (models/staging/benchmark, models/marts/benchmark: distribution, provider ranks, case mix, with
 * their tests, write-audit-publish) are built. Prints the rows loaded, the ingest time, the build
 * time of the whole selection and of each mart (benchmark_marts_build_ms). Then the alliance's own
 * peer marts (per DRG group, 病种 and department by year and by month, and per fund indicator, with
 * their intermediate measures) built on the
 * bench's demo warehouse (the full demo unless HDW_BENCH_DEMO_SIZE says otherwise):
 * peer_marts_build_ms.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { buildModels } from '../../core/engine/build-models.ts';
import { buildStage, ingestStage, loadProject } from '../../pipelines/run-pipeline.ts';
import { benchDemo } from './demo-warehouse.ts';
import { createDatabase } from './ingest.bench.ts';
import type { BenchContext } from './run.ts';
import { createPool } from '../../core/db/database.ts';

const CMS_IPPS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'cms-ipps');
// The external tables' models only (the alliance's own peer marts share the folder but read the demo's marts).
const SELECT =
  'path:models/staging/benchmark fct_benchmark_external_distribution fct_benchmark_external_providers fct_benchmark_external_case_mix';

// The alliance's own peer benchmark: its intermediate measures and its marts.
const PEER_SELECT =
  'path:models/intermediate/benchmark fct_benchmark_peer_groups+ fct_benchmark_peer_members+ fct_benchmark_fund_peer_groups+ fct_benchmark_fund_peer_members+';

export default async function benchmarkBench(ctx: BenchContext): Promise<void> {
  await peerBench(ctx);
  if (!existsSync(CMS_IPPS)) {
    ctx.report('skipped', `${CMS_IPPS} is absent`);
    return;
  }
  const url = await createDatabase(ctx.pgAdminUrl, 'bench_benchmark_external');
  const inbox = path.join(ctx.workDir, 'inbox');
  const dir = path.join(inbox, 'P840000', 'benchmark');
  await mkdir(dir, { recursive: true });
  for (const file of ['ipps_top100_drg_fy2011.csv', 'msdrg_weights_fy2013.tsv'])
    await cp(path.join(CMS_IPPS, file), path.join(dir, file));
  const pool = createPool(url, 6);
  try {
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: ctx.workDir,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: url,
    });
    const stage = { pool, config, logger: silentLogger };
    const ingestStarted = performance.now();
    const ingest = await ingestStage(stage);
    ctx.report('ingest_ms', Math.round(performance.now() - ingestStarted));
    if (ingest.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(ingest.rejected)}`);
    const { rows } = await pool.query<{ source: string; loaded: number; quarantined: number }>(
      `select source, rows_loaded as loaded, rows_quarantined as quarantined from ops.batches
       where status = 'loaded' and source like 'benchmark.%' order by source`,
    );
    for (const r of rows) ctx.report(`${r.source.replace('benchmark.', '')}_rows_loaded`, r.loaded);

    const buildStarted = performance.now();
    const build = await buildStage(stage, undefined, { select: SELECT });
    const buildMs = Math.round(performance.now() - buildStarted);
    if (build.publication !== 'published') throw new Error(`build blocked: ${build.blockedBy.join('; ')}`);
    ctx.report('benchmark_marts_build_ms', buildMs);
    for (const m of build.models.filter((x) => x.model.startsWith('fct_')))
      ctx.report(`${m.model}_ms`, Math.round(m.durationMs));
    ctx.report('tests_ms', Math.round(build.tests.reduce((sum, t) => sum + (t.durationMs ?? 0), 0)));
  } finally {
    await pool.end();
  }
}

/** The peer marts built (with their tests, write-audit-publish) on the bench's demo warehouse. */
async function peerBench(ctx: BenchContext): Promise<void> {
  const demo = await benchDemo(ctx);
  const pool = createPool(demo.url, 6);
  try {
    const started = performance.now();
    const run = await buildModels(pool, await loadProject(), {
      logger: silentLogger,
      select: PEER_SELECT,
      threads: 2,
    });
    if (run.publication !== 'published') throw new Error(`peer marts blocked: ${run.blockedBy.join('; ')}`);
    ctx.report('peer_demo_size', demo.size);
    ctx.report('peer_marts_build_ms', Math.round(performance.now() - started));
    for (const m of run.models.filter((x) => x.model.startsWith('fct_')))
      ctx.report(`${m.model}_ms`, Math.round(m.durationMs));
  } finally {
    await pool.end();
  }
}
