import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerPoolColumns } from './_peer_columns.ts';
import {
  PEER_POOL_DEFINITION,
  peerMeasureCodes,
  peerMeasureDescription,
} from '../../intermediate/benchmark/_peer_measures.ts';
import {
  periodLabel,
  periodSelect,
  poolKeyList,
  subjectPeriodColumns,
} from '../../intermediate/benchmark/_peer_pools.ts';
import {
  PERCENTILE_DEFINITION,
  WEIGHTED_MEAN_DEFINITION,
  percentileSelect,
  percentilesAggregate,
  weightedMeanSelect,
} from './_peer_statistics.ts';
import { a03, k80, march, memberValue, typed } from './_peer_fixtures.ts';

export default defineModel({
  name: 'fct_benchmark_peer_groups',
  materialized: 'table',
  description: [
    '医联体内部对标池的分布：对标维度（病组、病种、科室）× 对标对象 × 医院等级 × 期间（出院年度，及出院月份）× 指标一行，池中医院数、例数、例数加权均值与 P10/P25/P50/P75/P90（跨医院分布，每家医院一个值）；',
    '各医院的值、名次、百分位与距最佳四分位的差距见 fct_benchmark_peer_members。',
    PEER_POOL_DEFINITION,
    peerMeasureDescription,
    WEIGHTED_MEAN_DEFINITION,
    PERCENTILE_DEFINITION,
  ].join(''),
  grain:
    'One row per benchmark dimension, subject, hospital level, period (year or month) and measure with at least one hospital.',
  primaryKey: 'benchmark_pool_id',
  columns: {
    benchmark_pool_id: {
      title: '对标池编号',
      description: '主键：对标维度|对标对象|医院等级|期间（2025 或 2025-03）|指标。',
    },
    ...subjectPeriodColumns,
    hospital_level: {
      title: '医院等级',
      description: "对标池的医院等级，'3' 三级，'2' 二级，'1' 一级。",
      tests: ['not_null'],
    },
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    ...peerPoolColumns('池例数', '池中各医院该指标所依据的入组病例数之和。', '例数加权均值'),
  },
  unitTests: [
    {
      name: 'pools by group, level and year; weights the mean by cases; percentile_cont across hospitals',
      given: {
        // Level 2: values 10, 20, 30, 40 with 1, 1, 1, 7 cases; level 3: one hospital alone.
        int_benchmark_hospital_groups__measured: typed([
          memberValue('H1', '2', 10, 1),
          memberValue('H2', '2', 20, 1),
          memberValue('H3', '2', 30, 1),
          memberValue('H4', '2', 40, 7),
          memberValue('H5', '3', 55, 3),
        ]),
      },
      // Weighted mean (10 + 20 + 30 + 280) / 10 = 34; percentile_cont at position p × 3:
      // p10 = 10 + 0.3 × 10 = 13, p25 = 17.5, p50 = 25, p75 = 32.5, p90 = 37. Alone: its value.
      expect: [
        {
          benchmark_pool_id: 'drg|A|2|2025|charge_per_case',
          hospital_count: 4,
          cases: 10,
          weighted_mean: 34,
          p10: 13,
          p25: 17.5,
          p50: 25,
          p75: 32.5,
          p90: 37,
        },
        {
          benchmark_pool_id: 'drg|A|3|2025|charge_per_case',
          hospital_count: 1,
          cases: 3,
          weighted_mean: 55,
          p10: 55,
          p25: 55,
          p50: 55,
          p75: 55,
          p90: 55,
        },
      ],
    },
    {
      name: 'a 病种 pool, a department pool and a monthly pool are pools of their own',
      given: {
        // H1 has the same value 100 in disease K80.100 and in department A03: two pools. Group A
        // in March 2025 (10, 30, 20) is not group A over 2025 (50).
        int_benchmark_hospital_groups__measured: typed([
          memberValue('H1', '2', 100, 2, k80),
          memberValue('H2', '2', 200, 3, k80),
          memberValue('H1', '2', 100, 2, a03),
          memberValue('H1', '2', 10, 1, march),
          memberValue('H2', '2', 30, 1, march),
          memberValue('H3', '2', 20, 2, march),
          memberValue('H1', '2', 50, 1),
        ]),
      },
      // K80.100: mean (200 + 600) / 5 = 160; positions p × 1 between 100 and 200: p10 = 110,
      // p25 = 125, p50 = 150, p75 = 175, p90 = 190. A03 and group A over 2025: one hospital each.
      // March: sorted 10, 20, 30, positions p × 2: p10 = 12, p25 = 15, p50 = 20, p75 = 25,
      // p90 = 28; mean (10 + 30 + 40) / 4 = 20; month 3 of 2025.
      expect: [
        {
          benchmark_pool_id: 'disease|K80.100|2|2025|charge_per_case',
          benchmark_dimension_name: '病种',
          subject_name: '名称K80.100',
          year: 2025,
          month: null,
          hospital_count: 2,
          cases: 5,
          weighted_mean: 160,
          p10: 110,
          p25: 125,
          p50: 150,
          p75: 175,
          p90: 190,
        },
        {
          benchmark_pool_id: 'department|A03|2|2025|charge_per_case',
          benchmark_dimension_name: '科室',
          subject_name: '名称A03',
          year: 2025,
          month: null,
          hospital_count: 1,
          cases: 2,
          weighted_mean: 100,
          p10: 100,
          p25: 100,
          p50: 100,
          p75: 100,
          p90: 100,
        },
        {
          benchmark_pool_id: 'drg|A|2|2025-03|charge_per_case',
          benchmark_dimension_name: '病组',
          subject_name: '名称A',
          year: 2025,
          month: 3,
          hospital_count: 3,
          cases: 4,
          weighted_mean: 20,
          p10: 12,
          p25: 15,
          p50: 20,
          p75: 25,
          p90: 28,
        },
        {
          benchmark_pool_id: 'drg|A|2|2025|charge_per_case',
          benchmark_dimension_name: '病组',
          subject_name: '名称A',
          year: 2025,
          month: null,
          hospital_count: 1,
          cases: 1,
          weighted_mean: 50,
          p10: 50,
          p25: 50,
          p50: 50,
          p75: 50,
          p90: 50,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with members as (
      select * from ${ref('int_benchmark_hospital_groups__measured')}
    ),

    pools as (
      select
        ${poolKeyList('m')},
        m.hospital_level,
        min(m.benchmark_dimension_name) as benchmark_dimension_name,
        min(m.subject_name) as subject_name,
        count(*) as hospital_count,
        sum(m.cases) as cases,
        ${weightedMeanSelect(sql`m.value`, sql`m.cases`, 'weighted_mean')},
        ${percentilesAggregate(sql`m.value`)} as percentiles
      from members m
      group by ${poolKeyList('m')}, m.hospital_level
    ),

    final as (
      select
        -- ids
        concat_ws('|', p.benchmark_dimension, p.subject_code, p.hospital_level, ${periodLabel('p')}, p.measure)
          as benchmark_pool_id,
        -- the pool: subject, level, period, measure
        p.benchmark_dimension,
        p.benchmark_dimension_name,
        p.subject_code,
        p.subject_name,
        p.hospital_level,
        ${periodSelect('p')},
        p.measure,
        -- its statistics
        p.hospital_count::bigint as hospital_count,
        p.cases::bigint as cases,
        p.weighted_mean,
        ${percentileSelect(sql`p.percentiles`)}
      from pools p
    )

    select * from final`,
});
