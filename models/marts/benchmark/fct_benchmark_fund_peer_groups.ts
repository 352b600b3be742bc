import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerPoolColumns } from './_peer_columns.ts';
import {
  FUND_PEER_POOL_DEFINITION,
  fundPeerMeasureCodes,
  fundPeerMeasureDescription,
} from '../../intermediate/benchmark/_peer_measures.ts';
import {
  PERCENTILE_DEFINITION,
  WEIGHTED_MEAN_DEFINITION,
  percentileSelect,
  percentilesAggregate,
  weightedMeanSelect,
} from './_peer_statistics.ts';

export default defineModel({
  name: 'fct_benchmark_fund_peer_groups',
  materialized: 'table',
  description: [
    '医联体内部基金监管指标对标池的分布：医院等级 × 月份 × 指标（住院与门诊次均费用、药占比、耗占比、平均住院日）一行，池中医院数、人次、加权均值与 P10/P25/P50/P75/P90（跨医院分布，每家医院一个值）；',
    '各医院的值、名次、百分位与距最佳四分位的差距见 fct_benchmark_fund_peer_members。',
    FUND_PEER_POOL_DEFINITION,
    fundPeerMeasureDescription,
    WEIGHTED_MEAN_DEFINITION,
    PERCENTILE_DEFINITION,
  ].join(''),
  grain: 'One row per hospital level, month and fund indicator with at least one hospital.',
  primaryKey: 'benchmark_pool_id',
  columns: {
    benchmark_pool_id: { title: '对标池编号', description: '主键：医院等级|月份|指标。' },
    hospital_level: {
      title: '医院等级',
      description: "对标池的医院等级，'3' 三级，'2' 二级，'1' 一级。",
      tests: ['not_null'],
    },
    month: { title: '月份', description: '月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    measure: {
      title: '指标',
      description: fundPeerMeasureDescription,
      tests: [{ accepted_values: fundPeerMeasureCodes }],
    },
    ...peerPoolColumns('池人次', '池中各医院该指标所依据的人次之和。', '加权均值'),
  },
  sql: ({ ref }) => sql`
    with members as (
      select * from ${ref('int_benchmark_hospital_months__measured')}
    ),

    pools as (
      select
        m.hospital_level,
        m.month,
        m.measure,
        count(*) as hospital_count,
        sum(m.cases) as cases,
        ${weightedMeanSelect(sql`m.value`, sql`m.cases`, 'weighted_mean')},
        ${percentilesAggregate(sql`m.value`)} as percentiles
      from members m
      group by m.hospital_level, m.month, m.measure
    ),

    final as (
      select
        concat_ws('|', hospital_level, to_char(month, 'YYYY-MM'), measure) as benchmark_pool_id,
        hospital_level,
        month,
        measure,
        hospital_count::bigint as hospital_count,
        cases::bigint as cases,
        weighted_mean,
        ${percentileSelect(sql`percentiles`)}
      from pools
    )

    select * from final`,
});
