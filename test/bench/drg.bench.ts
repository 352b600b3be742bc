/**
 * The DRG/DIP marts against one plain `group by`, on the bench's demo warehouse
 * (`demo-warehouse.ts`: the full demo after one whole pipeline run, case cost included): the DRG
 * marts (the models under models/intermediate/drg and models/marts/drg, with their tests,
 * write-audit-publish) are rebuilt and timed; in the same run one `create table … as select …
 * group by` over the case fact's inputs (the hospital's grouping, front page and settlement of
 * every stay, by hospital, department, group and month) is timed on the same database. The two
 * take turns, three rounds, and the fastest of each counts (the machine is shared: the same query
 * takes up to half as long again from one minute to the next). Prints drg_cases,
 * drg_marts_build_ms, groupby_ms and drg_marts_vs_groupby_ratio (target ≤ 3).
 */
import { buildModels } from '../../core/engine/build-models.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { benchDemo } from './demo-warehouse.ts';
import type { BenchContext } from './run.ts';
import { createPool } from '../../core/db/database.ts';

/** The DRG/DIP models alone (the cost marts downstream of the grouped cases are not timed). */
const DRG_MARTS = 'path:models/intermediate/drg path:models/marts/drg';

const GROUP_BY = `
  create table bench_drg_groupby as
  with stays as (
    select hospital_code, visit_id from staging.stg_emr__drg_groupings
    union
    select hospital_code, visit_id from staging.stg_emr__front_pages
    union
    select hospital_code, visit_id from staging.stg_insurance__settlements
  )
  select
    k.hospital_code,
    coalesce(d.std_dept_code, s.discharge_std_dept_code) as dept_code,
    coalesce(s.drg_code, g.drg_code) as drg_code,
    date_trunc('month', coalesce(f.discharged_at, s.discharged_at)) as month,
    count(*) as cases,
    sum(coalesce(s.drg_weight, g.drg_weight)) as total_weight,
    sum(coalesce(s.total_amount, f.total_fee)) as total_charges,
    sum(s.payment_standard - s.total_amount) as margin,
    sum(s.fund_paid_amount) as fund_paid,
    count(*) filter (where f.is_death) as deaths
  from stays k
  left join staging.stg_emr__drg_groupings g on g.hospital_code = k.hospital_code and g.visit_id = k.visit_id
  left join staging.stg_emr__front_pages f on f.hospital_code = k.hospital_code and f.visit_id = k.visit_id
  left join staging.stg_insurance__settlements s on s.hospital_code = k.hospital_code and s.visit_id = k.visit_id
  left join staging.stg_his__departments d on d.hospital_code = k.hospital_code and d.dept_code = f.discharge_dept_code
  group by 1, 2, 3, 4`;

export default async function drgBench(ctx: BenchContext): Promise<void> {
  const { url } = await benchDemo(ctx);
  const pool = createPool(url, 6);
  try {
    const project = await loadProject();
    const build = async (select: string) => {
      const run = await buildModels(pool, project, { logger: silentLogger, select, threads: 2 });
      if (run.publication !== 'published') throw new Error(`DRG build blocked: ${run.blockedBy.join('; ')}`);
    };

    let martsMs = Infinity;
    let groupByMs = Infinity;
    for (let round = 0; round < 3; round++) {
      const martsStarted = performance.now();
      await build(DRG_MARTS);
      martsMs = Math.min(martsMs, performance.now() - martsStarted);

      await pool.query('drop table if exists bench_drg_groupby');
      const groupByStarted = performance.now();
      await pool.query(GROUP_BY);
      groupByMs = Math.min(groupByMs, performance.now() - groupByStarted);
    }

    const { rows } = await pool.query('select count(*)::int as n from marts.fct_inpatient_cases');
    ctx.report('drg_cases', rows[0].n);
    ctx.report('drg_marts_build_ms', Math.round(martsMs));
    ctx.report('groupby_ms', Math.round(groupByMs));
    ctx.report('drg_marts_vs_groupby_ratio', (martsMs / groupByMs).toFixed(3));
  } finally {
    await pool.end();
  }
}
