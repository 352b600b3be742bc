/**
 * The cost marts against one plain `group by`, on the bench's demo warehouse (`demo-warehouse.ts`:
 * the full demo, ≈10,000,000 charge lines, after one whole pipeline run), times an
 * engine run (build, test, publish) of `path:models/intermediate/cost path:models/marts/cost`
 * against `create table … as select hospital_code, visit_id, sum(amount), count(*) from the
 * standardised charge lines group by 1, 2` — one pass over all charge lines by case, the least any
 * case-level cost must do. The two take turns, three rounds, and the fastest of each counts (the
 * machine is shared: the same query takes up to half as long again from one minute to the next).
 * Target: cost_marts_vs_groupby_ratio ≤ 4.
 */
import { buildModels } from '../../core/engine/build-models.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { benchDemo } from './demo-warehouse.ts';
import type { BenchContext } from './run.ts';
import { createPool } from '../../core/db/database.ts';

const COST_MODELS = 'path:models/intermediate/cost path:models/marts/cost';

export default async function costBench(ctx: BenchContext): Promise<void> {
  const { url } = await benchDemo(ctx);
  const pool = createPool(url, 6);
  try {
    const project = await loadProject();
    let costMs = Infinity;
    let groupByMs = Infinity;
    for (let round = 0; round < 3; round++) {
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
