/**
 * The external benchmark marts on the CMS IPPS tables (../shared/datasets/cms-ipps; skipped where
 * absent): the provider summary (163,065 rows) and the MS-DRG weights are delivered to a fresh
 * warehouse's inbox and ingested through their declarations, then the benchmark models
 * (models/staging/benchmark, models/marts/benchmark: distribution, provider ranks, case mix, with
 * their tests, write-audit-publish) are built. Prints the rows loaded, the ingest time, the build
 * time of the whole selection and of each mart (benchmark_marts_build_ms).
 */
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { buildStage, ingestStage } from '../../pipelines/run-pipeline.ts';
import { createDatabase } from './ingest.bench.ts';
import type { BenchContext } from './run.ts';

const CMS_IPPS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'cms-ipps');
// The external tables' models only (the alliance's own peer marts share the folder but read the demo's marts).
const SELECT =
  'path:models/staging/benchmark fct_benchmark_external_distribution fct_benchmark_external_providers fct_benchmark_external_case_mix';

export default async function benchmarkBench(ctx: BenchContext): Promise<void> {
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
  const pool = new pg.Pool({ connectionString: url, max: 6 });
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
