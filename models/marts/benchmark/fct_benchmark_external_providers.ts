import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import {
  MEASURES,
  POOL_LEVELS,
  externalTableColumns,
  measureCodes,
  poolLevelCodes,
  chargeFixture,
} from './_external_columns.ts';
import { RANK_DEFINITION, peerRankColumns, peerRankSelect } from './_peer_statistics.ts';

export default defineModel({
  name: 'fct_benchmark_external_providers',
  materialized: 'table',
  description: [
    '外部对标表中每个机构 × 病组的位置：发布表 × 期间 × 病组 × 机构的各指标值，及其在所在地区（州/省）与就医区域（HRR、统筹区）两个对标池中的名次、百分位与池的成员数',
    '（池 = 同一发布表、期间、病组与地区中有该指标值的机构；池的分布见 fct_benchmark_external_distribution）。未发布的指标为空。',
    RANK_DEFINITION,
  ].join(''),
  grain: 'One row per published table, period, group and provider.',
  primaryKey: 'benchmark_provider_id',
  columns: {
    benchmark_provider_id: { title: '机构对标编号', description: '主键：发布表|期间|病组|机构。' },
    ...externalTableColumns,
    provider_code: { title: '机构编码', description: '发布表中的机构编码。', tests: ['not_null'] },
    provider_name: { title: '机构名称', description: '发布表中的机构名称。' },
    region: { title: '地区', description: '所在地区（州/省）。' },
    referral_region: { title: '就医区域', description: '就医区域（HRR、统筹区）。' },
    cases: count('例数', '该机构该病组的出院例数（已发布时）。'),
    ...Object.fromEntries(
      measureCodes.flatMap((m) => [
        [
          m,
          { title: MEASURES[m], description: `该机构的${MEASURES[m]}（发布值）。`, type: 'numeric(18, 4)' },
        ],
        ...poolLevelCodes.flatMap((l) =>
          Object.entries(peerRankColumns(`${m}_${l}`, `${MEASURES[m]}（${POOL_LEVELS[l]}）`)),
        ),
      ]),
    ),
  },
  unitTests: [
    {
      name: 'ranks ascending, ties sharing the lowest rank, percentile = (rank − 1) / (n − 1); no value, no rank',
      given: {
        stg_benchmark__provider_groups: chargeFixture(
          // Charges 5, 7, 7, 9 in region AL: ranks 1, 2, 2, 4; percentiles 0, 1/3, 1/3, 1. H4 has
          // no charge: no rank, and not counted in the pool.
          [5, 7, 7, 9, null].map((charge) => ({ charge, cases: 11 })),
        ),
      },
      expect: [
        {
          provider_code: 'H0',
          mean_charge_region_rank: 1,
          mean_charge_region_percentile: 0,
          mean_charge_region_peers: 4,
        },
        {
          provider_code: 'H1',
          mean_charge_region_rank: 2,
          mean_charge_region_percentile: 0.3333,
          mean_charge_region_peers: 4,
        },
        {
          provider_code: 'H2',
          mean_charge_region_rank: 2,
          mean_charge_region_percentile: 0.3333,
          mean_charge_region_peers: 4,
        },
        {
          provider_code: 'H3',
          mean_charge_region_rank: 4,
          mean_charge_region_percentile: 1,
          mean_charge_region_peers: 4,
        },
        {
          provider_code: 'H4',
          mean_charge_region_rank: null,
          mean_charge_region_percentile: null,
          mean_charge_region_peers: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    select
      concat_ws('|', p.published_table, p.period, p.group_code, p.provider_code) as benchmark_provider_id,
      p.published_table,
      p.publisher_code,
      p.period,
      p.group_code,
      p.group_name,
      p.provider_code,
      p.provider_name,
      p.region,
      p.referral_region,
      p.cases::bigint as cases,
      ${sql.join(
        measureCodes.map(
          (m) => sql`p.${sql.ref(m)}::numeric(18, 4) as ${sql.ref(m)},
          ${sql.join(
            poolLevelCodes.map((l) =>
              peerRankSelect(
                sql`p.published_table, p.period, p.group_code, p.${sql.ref(l)}`,
                sql`p.${sql.ref(m)}`,
                `${m}_${l}`,
                sql`p.${sql.ref(l)} is not null`,
              ),
            ),
          )}`,
        ),
      )}
    from ${ref('stg_benchmark__provider_groups')} p
    where p.provider_code is not null`,
});
