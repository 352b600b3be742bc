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
import {
  periodLabel,
  poolKeyList,
  samePool,
  subjectPeriodColumns,
} from '../../intermediate/benchmark/_peer_pools.ts';
import { RANK_DEFINITION, peerRankSelect } from './_peer_statistics.ts';
import { a03, k80, march, memberValue, poolRow, typed } from './_peer_fixtures.ts';

/** A member's expected place: id, rank, percentile, pool size, best quartile and gap. */
const place = (id: string, rank: number, percentile: number, peers: number, best: number, gap: number) => ({
  benchmark_member_id: id,
  pool_rank: rank,
  pool_percentile: percentile,
  pool_peers: peers,
  best_quartile_value: best,
  gap_to_best_quartile: gap,
});

export default defineModel({
  name: 'fct_benchmark_peer_members',
  materialized: 'table',
  description: [
    '医联体内部对标中每家医院的位置：医院 × 对标维度（病组、病种、科室）× 对标对象 × 期间（出院年度，及出院月份）× 指标一行，本院值与例数、在同级对标池中的名次、百分位、池的成员数，',
    '池的例数、例数加权均值与 P10–P90（取自 fct_benchmark_peer_groups），以及距最佳四分位的差距。含其他医院的名次与池的分布，成员单位不直接读取：成员经 member_vs_peers（shared.member_vs_peers，按共享策略屏蔽小池）查看本院。',
    PEER_POOL_DEFINITION,
    peerMeasureDescription,
    RANK_DEFINITION,
    BEST_QUARTILE_DEFINITION,
  ].join(''),
  grain:
    'One row per hospital, benchmark dimension, subject, period (year or month) and measure with a value.',
  primaryKey: 'benchmark_member_id',
  columns: {
    benchmark_member_id: {
      title: '医院对标编号',
      description: '主键：医院|对标维度|对标对象|期间（2025 或 2025-03）|指标。',
    },
    ...peerHospitalColumns('医联体成员医院的编码，行级权限按此字段限定成员单位。'),
    ...subjectPeriodColumns,
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    value: {
      title: '本院值',
      description: '本院该对标对象该期间的指标值（4 位小数）。',
      type: 'numeric(18, 4)',
    },
    cases: count('本院例数', '本院该指标所依据的入组病例数。'),
    ...peerMemberPoolColumns('池例数', '池中各医院该指标所依据的入组病例数之和。', '池例数加权均值'),
  },
  unitTests: [
    {
      name: 'ranks ties at the lowest rank, percentile = (rank − 1) / (n − 1), gap to p25 (lower is better)',
      given: {
        // Level 2: charges 5, 7, 7, 9 → ranks 1, 2, 2, 4, percentiles 0, 1/3, 1/3, 1; p25 at
        // position 0.75 = 5 + 0.75 × 2 = 6.5. Level 3: one hospital alone, rank 1, percentile 0.
        int_benchmark_hospital_groups__measured: typed([
          memberValue('H1', '2', 5, 10),
          memberValue('H2', '2', 7, 10),
          memberValue('H3', '2', 7, 10),
          memberValue('H4', '2', 9, 10),
          memberValue('H5', '3', 55, 3),
        ]),
        fct_benchmark_peer_groups: typed([
          poolRow('2', { hospitals: 4, cases: 40, mean: 7, p: [5.6, 6.5, 7, 7.5, 8.4] }),
          poolRow('3', { hospitals: 1, cases: 3, mean: 55, p: [55, 55, 55, 55, 55] }),
        ]),
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
    {
      name: 'ranks within a 病种 pool, a department pool and a monthly pool, each apart from the DRG × year pool',
      given: {
        // 病种 K80.100: 300, 100, 200; department A03: 80, 90; group A in March 2025: H1 alone;
        // group A over 2025: 70, 60 (H1 is last there, first in March).
        int_benchmark_hospital_groups__measured: typed([
          memberValue('H1', '2', 300, 5, k80),
          memberValue('H2', '2', 100, 5, k80),
          memberValue('H3', '2', 200, 5, k80),
          memberValue('H1', '2', 80, 5, a03),
          memberValue('H2', '2', 90, 5, a03),
          memberValue('H1', '2', 10, 1, march),
          memberValue('H1', '2', 70, 1),
          memberValue('H2', '2', 60, 1),
        ]),
        fct_benchmark_peer_groups: typed([
          poolRow('2', { hospitals: 3, cases: 15, mean: 200, p: [120, 150, 200, 250, 280] }, k80),
          poolRow('2', { hospitals: 2, cases: 10, mean: 85, p: [81, 82.5, 85, 87.5, 89] }, a03),
          poolRow('2', { hospitals: 1, cases: 1, mean: 10, p: [10, 10, 10, 10, 10] }, march),
          poolRow('2', { hospitals: 2, cases: 2, mean: 65, p: [61, 62.5, 65, 67.5, 69] }),
        ]),
      },
      // K80.100: ranks 3, 1, 2, percentiles 1, 0, 0.5, p25 = 150 (gaps 150, −50, 50). A03: p25 =
      // 82.5 (gaps −2.5, 7.5). March: alone, gap 0. The year: H2 first, p25 = 62.5.
      expect: [
        place('H1|disease|K80.100|2025|charge_per_case', 3, 1, 3, 150, 150),
        place('H2|disease|K80.100|2025|charge_per_case', 1, 0, 3, 150, -50),
        place('H3|disease|K80.100|2025|charge_per_case', 2, 0.5, 3, 150, 50),
        place('H1|department|A03|2025|charge_per_case', 1, 0, 2, 82.5, -2.5),
        place('H2|department|A03|2025|charge_per_case', 2, 1, 2, 82.5, 7.5),
        place('H1|drg|A|2025-03|charge_per_case', 1, 0, 1, 10, 0),
        place('H1|drg|A|2025|charge_per_case', 2, 1, 2, 62.5, 7.5),
        place('H2|drg|A|2025|charge_per_case', 1, 0, 2, 62.5, -2.5),
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
        ${peerRankSelect(sql`${poolKeyList('m')}, m.hospital_level`, sql`m.value`, 'pool')}
      from members m
    ),

    final as (
      select
        -- ids
        concat_ws('|', r.hospital_code, r.benchmark_dimension, r.subject_code, ${periodLabel('r')}, r.measure)
          as benchmark_member_id,
        r.hospital_code,
        r.hospital_name,
        r.hospital_level,
        -- the pool's subject and period
        r.benchmark_dimension,
        r.benchmark_dimension_name,
        r.subject_code,
        r.subject_name,
        r.period_grain,
        r.period_start,
        r.year,
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
        (${bestQuartile(sql`r.measure`, PEER_MEASURES)})::numeric(18, 4) as best_quartile_value,
        (${gapToBestQuartile(sql`r.measure`, sql`r.value`, PEER_MEASURES)})::numeric(18, 4) as gap_to_best_quartile
      from ranked r
      join pools p on ${samePool('p', 'r')}
    )

    select * from final`,
});
