import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns } from '../../marts/benchmark/_peer_columns.ts';
import {
  PEER_MEASURES,
  PEER_POOL_DEFINITION,
  peerMeasureCodes,
  peerMeasureDescription,
} from './_peer_measures.ts';
import {
  BENCHMARK_DIMENSIONS,
  PERIOD_GRAINS,
  benchmarkDimensionCodes,
  benchmarkDimensionName,
  periodGrainCodes,
  periodSelect,
  subjectPeriodColumns,
} from './_peer_pools.ts';

export default defineModel({
  name: 'int_benchmark_hospital_groups__measured',
  materialized: 'table',
  description: [
    '医联体内部对标的成员值：每医院 × 对标维度（病组、病种、科室）× 对标对象 × 期间（出院年度，及出院月份）× 指标一行，取 fct_inpatient_cases 的入组病例（未排除且有病组）：',
    '三个维度划分的是同一批病例，每个病例在每个维度、每种期间粒度各计入一个对标对象。',
    '指标值保留 4 位小数，对标池的分位数、加权均值与名次都按这个值计算。',
    peerMeasureDescription,
    PEER_POOL_DEFINITION,
  ].join(''),
  grain:
    'One row per hospital, benchmark dimension, subject (DRG group, principal diagnosis or standard department), period (discharge year or month) and measure with a value.',
  primaryKey: ['hospital_code', 'benchmark_dimension', 'subject_code', 'period_grain', 'period_start', 'measure'],
  columns: {
    ...peerHospitalColumns('医联体成员医院的编码。'),
    ...subjectPeriodColumns,
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    value: {
      title: '指标值',
      description: '该医院该对标对象该期间的指标值（4 位小数）。',
      type: 'numeric(18, 4)',
    },
    cases: count('例数', '指标值所依据的入组病例数（例数加权均值的权重）。'),
  },
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')} c where c.is_grouped and c.drg_code is not null
    ),

    -- each case once per dimension (its subject there) and once per period grain
    subjects as (
      select c.*, s.benchmark_dimension, s.subject_code, s.subject_name, p.period_grain, p.period_start
      from cases c
      cross join lateral (values ${sql.join(
        benchmarkDimensionCodes.map(
          (d) =>
            sql`(${sql.lit(d)}, (${BENCHMARK_DIMENSIONS[d].code})::text, (${BENCHMARK_DIMENSIONS[d].name})::text)`,
        ),
      )}) s (benchmark_dimension, subject_code, subject_name)
      cross join lateral (values ${sql.join(
        periodGrainCodes.map((g) => sql`(${sql.lit(g)}, (${PERIOD_GRAINS[g].start})::date)`),
      )}) p (period_grain, period_start)
      where s.subject_code is not null and p.period_start is not null
    ),

    per_subject as (
      select
        c.hospital_code,
        min(c.hospital_name) as hospital_name,
        min(c.hospital_level) as hospital_level,
        c.benchmark_dimension,
        c.subject_code,
        min(c.subject_name) as subject_name,
        c.period_grain,
        c.period_start,
        ${sql.join(
          peerMeasureCodes.map(
            (m) => sql`round((${PEER_MEASURES[m].value})::numeric, 4) as ${sql.ref(`${m}_value`)},
        (${PEER_MEASURES[m].cases})::bigint as ${sql.ref(`${m}_cases`)}`,
          ),
        )}
      from subjects c
      group by c.hospital_code, c.benchmark_dimension, c.subject_code, c.period_grain, c.period_start
    ),

    final as (
      select
        g.hospital_code,
        g.hospital_name,
        g.hospital_level,
        g.benchmark_dimension,
        (${benchmarkDimensionName(sql`g.benchmark_dimension`)})::text as benchmark_dimension_name,
        g.subject_code,
        g.subject_name,
        ${periodSelect('g')},
        m.measure,
        m.value::numeric(18, 4) as value,
        m.cases::bigint as cases
      from per_subject g
      cross join lateral (values ${sql.join(
        peerMeasureCodes.map(
          (m) => sql`(${sql.lit(m)}, g.${sql.ref(`${m}_value`)}, g.${sql.ref(`${m}_cases`)})`,
        ),
      )}) m (measure, value, cases)
      where m.value is not null and m.cases > 0 and g.hospital_level is not null
    )

    select * from final`,
});
