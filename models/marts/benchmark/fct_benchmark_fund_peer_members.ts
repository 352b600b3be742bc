import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns, peerMemberPoolColumns } from './_peer_columns.ts';
import {
  BEST_QUARTILE_DEFINITION,
  FUND_PEER_MEASURES,
  FUND_PEER_POOL_DEFINITION,
  bestQuartile,
  fundPeerMeasureCodes,
  fundPeerMeasureDescription,
  gapToBestQuartile,
} from '../../intermediate/benchmark/_peer_measures.ts';
import { RANK_DEFINITION, peerRankSelect } from './_peer_statistics.ts';

export default defineModel({
  name: 'fct_benchmark_fund_peer_members',
  materialized: 'table',
  description: [
    '医联体内部基金监管指标对标中每家医院的位置：医院 × 月份 × 指标一行，本院值与人次、在同级对标池中的名次、百分位、池的成员数，',
    '池的人次、加权均值与 P10–P90（取自 fct_benchmark_fund_peer_groups），以及距最佳四分位的差距。含池的分布，成员单位不直接读取。',
    FUND_PEER_POOL_DEFINITION,
    fundPeerMeasureDescription,
    RANK_DEFINITION,
    BEST_QUARTILE_DEFINITION,
  ].join(''),
  grain: 'One row per hospital, month and fund indicator with a value.',
  primaryKey: 'benchmark_member_id',
  columns: {
    benchmark_member_id: { title: '医院对标编号', description: '主键：医院|月份|指标。' },
    ...peerHospitalColumns('医联体成员医院的编码，行级权限按此字段限定成员单位。'),
    month: { title: '月份', description: '月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    measure: {
      title: '指标',
      description: fundPeerMeasureDescription,
      tests: [{ accepted_values: fundPeerMeasureCodes }],
    },
    value: { title: '本院值', description: '本院该月的指标值（4 位小数）。', type: 'numeric(18, 4)' },
    cases: count('本院人次', '本院该指标所依据的人次。'),
    ...peerMemberPoolColumns('池人次', '池中各医院该指标所依据的人次之和。', '池加权均值'),
  },
  sql: ({ ref }) => sql`
    with members as (
      select * from ${ref('int_benchmark_hospital_months__measured')}
    ),

    pools as (
      select * from ${ref('fct_benchmark_fund_peer_groups')}
    ),

    ranked as (
      select
        m.*,
        ${peerRankSelect(sql`m.hospital_level, m.month, m.measure`, sql`m.value`, 'pool')}
      from members m
    ),

    final as (
      select
        -- ids
        concat_ws('|', r.hospital_code, to_char(r.month, 'YYYY-MM'), r.measure) as benchmark_member_id,
        r.hospital_code,
        r.hospital_name,
        r.hospital_level,
        -- dates
        r.month,
        r.measure,
        -- the hospital
        r.value,
        r.cases,
        r.pool_rank::bigint as pool_rank,
        r.pool_percentile,
        r.pool_peers::bigint as pool_peers,
        -- the pool
        p.cases as pool_cases,
        p.weighted_mean as pool_weighted_mean,
        p.p10,
        p.p25,
        p.p50,
        p.p75,
        p.p90,
        (${bestQuartile(sql`r.measure`, FUND_PEER_MEASURES)})::numeric(18, 4) as best_quartile_value,
        (${gapToBestQuartile(sql`r.measure`, sql`r.value`, FUND_PEER_MEASURES)})::numeric(18, 4) as gap_to_best_quartile
      from ranked r
      join pools p on p.hospital_level = r.hospital_level and p.month = r.month and p.measure = r.measure
    )

    select * from final`,
});
