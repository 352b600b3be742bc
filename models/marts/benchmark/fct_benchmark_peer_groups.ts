import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerPoolColumns } from './_peer_columns.ts';
import {
  PEER_POOL_DEFINITION,
  peerMeasureCodes,
  peerMeasureDescription,
} from '../../intermediate/benchmark/_peer_measures.ts';
import {
  PERCENTILE_DEFINITION,
  WEIGHTED_MEAN_DEFINITION,
  percentileSelect,
  percentilesAggregate,
  weightedMeanSelect,
} from './_peer_statistics.ts';
import { memberValue } from './_peer_fixtures.ts';

export default defineModel({
  name: 'fct_benchmark_peer_groups',
  materialized: 'table',
  description: [
    '医联体内部对标池的分布：DRG 病组 × 医院等级 × 出院年度 × 指标一行，池中医院数、例数、例数加权均值与 P10/P25/P50/P75/P90（跨医院分布，每家医院一个值）；',
    '各医院的值、名次、百分位与距最佳四分位的差距见 fct_benchmark_peer_members。',
    PEER_POOL_DEFINITION,
    peerMeasureDescription,
    WEIGHTED_MEAN_DEFINITION,
    PERCENTILE_DEFINITION,
  ].join(''),
  grain: 'One row per DRG group, hospital level, discharge year and measure with at least one hospital.',
  primaryKey: 'benchmark_pool_id',
  columns: {
    benchmark_pool_id: { title: '对标池编号', description: '主键：病组|医院等级|年度|指标。' },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    hospital_level: {
      title: '医院等级',
      description: "对标池的医院等级，'3' 三级，'2' 二级，'1' 一级。",
      tests: ['not_null'],
    },
    year: { title: '出院年度', description: '出院年度。', type: 'integer', tests: ['not_null'] },
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
        int_benchmark_hospital_groups__measured: [
          memberValue('H1', '2', 10, 1),
          memberValue('H2', '2', 20, 1),
          memberValue('H3', '2', 30, 1),
          memberValue('H4', '2', 40, 7),
          memberValue('H5', '3', 55, 3),
        ],
      },
      // Weighted mean (10 + 20 + 30 + 280) / 10 = 34; percentile_cont at position p × 3:
      // p10 = 10 + 0.3 × 10 = 13, p25 = 17.5, p50 = 25, p75 = 32.5, p90 = 37. Alone: its value.
      expect: [
        {
          benchmark_pool_id: 'A|2|2025|charge_per_case',
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
          benchmark_pool_id: 'A|3|2025|charge_per_case',
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
  ],
  sql: ({ ref }) => sql`
    with members as (
      select * from ${ref('int_benchmark_hospital_groups__measured')}
    ),

    pools as (
      select
        m.drg_code,
        min(m.drg_name) as drg_name,
        m.hospital_level,
        m.year,
        m.measure,
        count(*) as hospital_count,
        sum(m.cases) as cases,
        ${weightedMeanSelect(sql`m.value`, sql`m.cases`, 'weighted_mean')},
        ${percentilesAggregate(sql`m.value`)} as percentiles
      from members m
      group by m.drg_code, m.hospital_level, m.year, m.measure
    ),

    final as (
      select
        concat_ws('|', drg_code, hospital_level, year, measure) as benchmark_pool_id,
        drg_code,
        drg_name,
        hospital_level,
        year::integer as year,
        measure,
        hospital_count::bigint as hospital_count,
        cases::bigint as cases,
        weighted_mean,
        ${percentileSelect(sql`percentiles`)}
      from pools
    )

    select * from final`,
});
