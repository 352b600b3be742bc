import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns, peerMemberPoolColumns } from './_peer_columns.ts';
import {
  BEST_QUARTILE_DEFINITION,
  PEER_MEASURES,
  PEER_POOL_DEFINITION,
  bestQuartile,
  gapToBestQuartile,
  peerMeasureCodes,
  peerMeasureDescription,
} from '../../intermediate/benchmark/_peer_measures.ts';
import { RANK_DEFINITION, peerRankSelect } from './_peer_statistics.ts';
import { memberValue, poolRow } from './_peer_fixtures.ts';

export default defineModel({
  name: 'fct_benchmark_peer_members',
  materialized: 'table',
  description: [
    '医联体内部对标中每家医院的位置：医院 × DRG 病组 × 出院年度 × 指标一行，本院值与例数、在同级对标池中的名次、百分位、池的成员数，',
    '池的例数、例数加权均值与 P10–P90（取自 fct_benchmark_peer_groups），以及距最佳四分位的差距。含其他医院的名次与池的分布，成员单位不直接读取：成员经 member_vs_peers（shared.member_vs_peers，按共享策略屏蔽小池）查看本院。',
    PEER_POOL_DEFINITION,
    peerMeasureDescription,
    RANK_DEFINITION,
    BEST_QUARTILE_DEFINITION,
  ].join(''),
  grain: 'One row per hospital, DRG group, discharge year and measure with a value.',
  primaryKey: 'benchmark_member_id',
  columns: {
    benchmark_member_id: { title: '医院对标编号', description: '主键：医院|病组|年度|指标。' },
    ...peerHospitalColumns('医联体成员医院的编码，行级权限按此字段限定成员单位。'),
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    year: { title: '出院年度', description: '出院年度。', type: 'integer', tests: ['not_null'] },
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    value: { title: '本院值', description: '本院该病组该年度的指标值（4 位小数）。', type: 'numeric(18, 4)' },
    cases: count('本院例数', '本院该指标所依据的入组病例数。'),
    ...peerMemberPoolColumns('池例数', '池中各医院该指标所依据的入组病例数之和。', '池例数加权均值'),
  },
  unitTests: [
    {
      name: 'ranks ties at the lowest rank, percentile = (rank − 1) / (n − 1), gap to p25 (lower is better)',
      given: {
        // Level 2: charges 5, 7, 7, 9 → ranks 1, 2, 2, 4, percentiles 0, 1/3, 1/3, 1; p25 at
        // position 0.75 = 5 + 0.75 × 2 = 6.5. Level 3: one hospital alone, rank 1, percentile 0.
        int_benchmark_hospital_groups__measured: [
          memberValue('H1', '2', 5, 10),
          memberValue('H2', '2', 7, 10),
          memberValue('H3', '2', 7, 10),
          memberValue('H4', '2', 9, 10),
          memberValue('H5', '3', 55, 3),
        ],
        fct_benchmark_peer_groups: [
          poolRow('2', { hospitals: 4, cases: 40, mean: 7, p: [5.6, 6.5, 7, 7.5, 8.4] }),
          poolRow('3', { hospitals: 1, cases: 3, mean: 55, p: [55, 55, 55, 55, 55] }),
        ],
      },
      expect: [
        {
          hospital_code: 'H1',
          pool_rank: 1,
          pool_percentile: 0,
          pool_peers: 4,
          best_quartile_value: 6.5,
          gap_to_best_quartile: -1.5,
        },
        {
          hospital_code: 'H2',
          pool_rank: 2,
          pool_percentile: 0.3333,
          pool_peers: 4,
          best_quartile_value: 6.5,
          gap_to_best_quartile: 0.5,
        },
        {
          hospital_code: 'H3',
          pool_rank: 2,
          pool_percentile: 0.3333,
          pool_peers: 4,
          best_quartile_value: 6.5,
          gap_to_best_quartile: 0.5,
        },
        {
          hospital_code: 'H4',
          pool_rank: 4,
          pool_percentile: 1,
          pool_peers: 4,
          best_quartile_value: 6.5,
          gap_to_best_quartile: 2.5,
        },
        {
          hospital_code: 'H5',
          pool_rank: 1,
          pool_percentile: 0,
          pool_peers: 1,
          best_quartile_value: 55,
          gap_to_best_quartile: 0,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with members as (
      select * from ${ref('int_benchmark_hospital_groups__measured')}
    ),

    pools as (
      select * from ${ref('fct_benchmark_peer_groups')}
    ),

    ranked as (
      select
        m.*,
        ${peerRankSelect(sql`m.drg_code, m.hospital_level, m.year, m.measure`, sql`m.value`, 'pool')}
      from members m
    ),

    final as (
      select
        -- ids
        concat_ws('|', r.hospital_code, r.drg_code, r.year, r.measure) as benchmark_member_id,
        r.hospital_code,
        r.hospital_name,
        r.hospital_level,
        r.drg_code,
        r.drg_name,
        r.year,
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
        (${bestQuartile(sql`r.measure`, PEER_MEASURES)})::numeric(18, 4) as best_quartile_value,
        (${gapToBestQuartile(sql`r.measure`, sql`r.value`, PEER_MEASURES)})::numeric(18, 4) as gap_to_best_quartile
      from ranked r
      join pools p
        on p.drg_code = r.drg_code and p.hospital_level = r.hospital_level and p.year = r.year and p.measure = r.measure
    )

    select * from final`,
});
