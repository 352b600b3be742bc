/**
 * The DRG/DIP marts against one plain `group by` of the case fact's inputs, on the bench's demo
 * warehouse (`demo-warehouse.ts`: the full demo after one whole pipeline run, case cost included).
 * The DRG marts (the models under models/intermediate/drg and models/marts/drg, with their tests,
 * write-audit-publish) are rebuilt and timed; in the same run two `create table … as select …
 * group by` are timed on the same database, each by hospital, department, group and month:
 *
 * - GROUP_BY reads every input the case fact reads per stay, each joined once: the hospital's
 *   grouping, front page, settlement and HIS stay, the department map, the pre-group, the case
 *   cost, the principal diagnosis (front page and settlement list) and the main procedure with its
 *   dictionary level, and the regional reference of each cell. drg_marts_vs_groupby_ratio (target
 *   ≤ 3) is against it.
 * - CORE_GROUP_BY reads only the grouping, front page, settlement and department map (the
 *   baseline of the ratios printed before 2026-12: 4.7–5.1): drg_marts_vs_core_groupby_ratio.
 *
 * The three take turns, three rounds, and the fastest of each counts (the machine is shared: the
 * same query takes up to half as long again from one minute to the next). Prints drg_cases,
 * drg_marts_build_ms, groupby_ms, core_groupby_ms and both ratios.
 */
import { buildModels } from '../../core/engine/build-models.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { benchDemo } from './demo-warehouse.ts';
import type { BenchContext } from './run.ts';
import { createPool } from '../../core/db/database.ts';

/** The DRG/DIP models alone (the cost marts downstream of the grouped cases are not timed). */
const DRG_MARTS = 'path:models/intermediate/drg path:models/marts/drg';

/** Every stay known to the grouping, the front page or the settlement list (the case fact's rows). */
const STAYS = `stays as (
    select hospital_code, visit_id from staging.stg_emr__drg_groupings
    union
    select hospital_code, visit_id from staging.stg_emr__front_pages
    union
    select hospital_code, visit_id from staging.stg_insurance__settlements
  )`;

const GROUP_BY = `
  with ${STAYS},

  cells as (
    select
      k.hospital_code,
      h.hospital_level,
      'P' || left(h.region_code, 4) || '00' as publisher_code,
      coalesce(d.std_dept_code, s.discharge_std_dept_code) as dept_code,
      coalesce(s.drg_code, g.drg_code) as drg_code,
      date_trunc('month', coalesce(f.discharged_at, s.discharged_at, v.discharged_at))::date as month,
      count(*) as cases,
      sum(coalesce(s.drg_weight, g.drg_weight)) as total_weight,
      sum(coalesce(s.total_amount, f.total_fee, v.total_amount)) as total_charges,
      sum(coalesce(s.length_of_stay_days, f.length_of_stay_days, v.length_of_stay_days)) as stay_days,
      sum(s.payment_standard - s.total_amount) as margin_payer_view,
      sum(s.payment_standard - c.case_cost) as margin_hospital_view,
      sum(s.fund_paid_amount) as fund_paid,
      count(*) filter (where f.is_death) as deaths,
      count(*) filter (where pg.drg_code = s.drg_code) as groups_agree,
      count(coalesce(fd.diagnosis_code, sd.diagnosis_code)) as diagnosed,
      count(*) filter (where coalesce(fp.procedure_level, pd.procedure_level) in (3, 4)) as level_3_4_surgeries
    from stays k
    join ref.hospitals h on h.hospital_code = k.hospital_code
    left join staging.stg_emr__drg_groupings g on g.hospital_code = k.hospital_code and g.visit_id = k.visit_id
    left join staging.stg_emr__front_pages f on f.hospital_code = k.hospital_code and f.visit_id = k.visit_id
    left join staging.stg_insurance__settlements s on s.hospital_code = k.hospital_code and s.visit_id = k.visit_id
    left join staging.stg_his__inpatient_visits v on v.hospital_code = k.hospital_code and v.visit_id = k.visit_id
    left join staging.stg_his__departments d on d.hospital_code = k.hospital_code and d.dept_code = f.discharge_dept_code
    left join staging.stg_ops__case_pregroups pg on pg.hospital_code = k.hospital_code and pg.visit_id = k.visit_id
    left join marts.fct_case_costs c on c.hospital_code = k.hospital_code and c.visit_id = k.visit_id
    left join staging.stg_emr__front_page_diagnoses fd
      on fd.hospital_code = k.hospital_code and fd.visit_id = k.visit_id and fd.is_principal
    left join staging.stg_insurance__settlement_diagnoses sd
      on sd.hospital_code = k.hospital_code and sd.visit_id = k.visit_id and sd.is_principal and sd.diagnosis_type = '1'
    left join staging.stg_emr__front_page_procedures fp
      on fp.hospital_code = k.hospital_code and fp.visit_id = k.visit_id and fp.is_principal
    left join marts.dim_procedures pd on pd.procedure_code = fp.procedure_code
    group by 1, 2, 3, 4, 5, 6
  )

  select
    c.*,
    c.total_charges / nullif(r.mean_charge, 0) as charge_index_sum,
    c.stay_days / nullif(r.mean_length_of_stay, 0) as los_index_sum
  from cells c
  left join staging.stg_insurance__regional_reference r
    on r.publisher_code = c.publisher_code and r.year = extract(year from c.month)
      and r.hospital_level = c.hospital_level and r.drg_code = c.drg_code`;

const CORE_GROUP_BY = `
  with ${STAYS}
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

    const groupBy = async (select: string) => {
      await pool.query('drop table if exists bench_drg_groupby');
      await pool.query(`create table bench_drg_groupby as ${select}`);
    };
    const fastest = { marts: Infinity, groupBy: Infinity, coreGroupBy: Infinity };
    const time = async (key: keyof typeof fastest, work: () => Promise<void>) => {
      const started = performance.now();
      await work();
      fastest[key] = Math.min(fastest[key], performance.now() - started);
    };
    for (let round = 0; round < 3; round++) {
      await time('marts', () => build(DRG_MARTS));
      await time('groupBy', () => groupBy(GROUP_BY));
      await time('coreGroupBy', () => groupBy(CORE_GROUP_BY));
    }
    await pool.query('drop table bench_drg_groupby');

    const { rows } = await pool.query('select count(*)::int as n from marts.fct_inpatient_cases');
    ctx.report('drg_cases', rows[0].n);
    ctx.report('drg_marts_build_ms', Math.round(fastest.marts));
    ctx.report('groupby_ms', Math.round(fastest.groupBy));
    ctx.report('core_groupby_ms', Math.round(fastest.coreGroupBy));
    ctx.report('drg_marts_vs_groupby_ratio', (fastest.marts / fastest.groupBy).toFixed(3));
    ctx.report('drg_marts_vs_core_groupby_ratio', (fastest.marts / fastest.coreGroupBy).toFixed(3));
  } finally {
    await pool.end();
  }
}
