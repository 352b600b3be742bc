import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import {
  POOL_LEVELS,
  externalTableColumns,
  measureCodes,
  measureDescription,
  measureValues,
  poolLevelCodes,
  poolValues,
  chargeFixture,
} from './_external_columns.ts';
import {
  PERCENTILE_DEFINITION,
  WEIGHTED_MEAN_DEFINITION,
  percentileColumns,
  percentileSelect,
  percentilesAggregate,
  weightedMeanSelect,
} from './_peer_statistics.ts';

export default defineModel({
  name: 'fct_benchmark_external_distribution',
  materialized: 'table',
  description: [
    '外部对标表的对标池分布：发布表 × 期间 × 病组 × 对标池（所在地区如州/省；就医区域如 HRR、统筹区）× 指标的机构数、例数、例数加权均值与 P10/P25/P50/P75/P90；',
    '池的成员是发布表中有该指标值的机构（无机构编码的已汇总行不计）。',
    WEIGHTED_MEAN_DEFINITION,
    PERCENTILE_DEFINITION,
  ].join(''),
  grain: 'One row per published table, period, group, pool (region or referral region) and measure.',
  primaryKey: 'benchmark_distribution_id',
  columns: {
    benchmark_distribution_id: {
      title: '分布编号',
      description: '主键：发布表|期间|病组|对标池层级|对标池|指标。',
    },
    ...externalTableColumns,
    region_level: {
      title: '对标池层级',
      description: Object.entries(POOL_LEVELS)
        .map(([code, title]) => `${code} ${title}`)
        .join('，'),
      tests: [{ accepted_values: poolLevelCodes }],
    },
    region: { title: '对标池', description: '地区或就医区域。', tests: ['not_null'] },
    measure: { title: '指标', description: measureDescription, tests: [{ accepted_values: measureCodes }] },
    provider_count: count('机构数', '池中有该指标值的机构数。'),
    cases: count('例数', '这些机构的出院例数之和（已发布时）。'),
    weighted_mean: { title: '例数加权均值', description: WEIGHTED_MEAN_DEFINITION, type: 'numeric(18, 4)' },
    ...percentileColumns,
  },
  unitTests: [
    {
      name: 'weights the mean by cases and interpolates percentiles across providers (percentile_cont)',
      given: {
        stg_benchmark__provider_groups: chargeFixture(
          // Values 10, 20, 30, 40 with 1, 1, 1, 7 cases, all in region AL, no referral region:
          // weighted mean (10 + 20 + 30 + 280) / 10 = 34; percentile_cont at position p × 3:
          // p10 = 10 + 0.3 × 10 = 13, p25 = 17.5, p50 = 25, p75 = 32.5, p90 = 37.
          [10, 20, 30, 40].map((charge, i) => ({ charge, cases: i === 3 ? 7 : 1 })),
        ),
      },
      expect: [
        {
          benchmark_distribution_id: 't|2011|039|region|AL|mean_charge',
          provider_count: 4,
          cases: 10,
          weighted_mean: 34,
          p10: 13,
          p25: 17.5,
          p50: 25,
          p75: 32.5,
          p90: 37,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with pools as (
      select
        p.published_table,
        max(p.publisher_code) as publisher_code,
        p.period,
        p.group_code,
        max(p.group_name) as group_name,
        l.region_level,
        l.region,
        m.measure,
        count(*) as provider_count,
        sum(p.cases) as cases,
        ${weightedMeanSelect(sql`m.value`, sql`p.cases`, 'weighted_mean')},
        ${percentilesAggregate(sql`m.value`)} as percentiles
      from ${ref('stg_benchmark__provider_groups')} p
      cross join lateral ${poolValues} l (region_level, region)
      cross join lateral ${measureValues} m (measure, value)
      where p.provider_code is not null and l.region is not null and m.value is not null
      group by p.published_table, p.period, p.group_code, l.region_level, l.region, m.measure
    )

    select
      concat_ws('|', published_table, period, group_code, region_level, region, measure) as benchmark_distribution_id,
      published_table,
      publisher_code,
      period,
      group_code,
      group_name,
      region_level,
      region,
      measure,
      provider_count::bigint as provider_count,
      cases::bigint as cases,
      weighted_mean,
      ${percentileSelect(sql`percentiles`)}
    from pools`,
});
