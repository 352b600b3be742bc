import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';

const PERIOD_YEAR = (period: string) =>
  sql.raw(`case when ${period} ~ '^\\d{4}' then left(${period}, 4)::int end`);

export default defineModel({
  name: 'fct_benchmark_external_case_mix',
  materialized: 'table',
  description: [
    '外部对标表中每个机构的病例组合指数（CMI）：发布表 × 期间 × 机构，CMI = Σ(出院例数 × 病组相对权重) / Σ 出院例数，',
    '只计在权重表中找到权重的病组（其例数另列，未找到权重的病组与例数也列出，不并入分母）。',
    '权重表：同一发布方发布的病组权重表中期间与对标表最近者（同样近时取较新者；CMS FY2011 医院汇总用 FY2013 MS-DRG 权重）。',
  ].join(''),
  grain: 'One row per published table, period and provider.',
  primaryKey: 'benchmark_case_mix_id',
  columns: {
    benchmark_case_mix_id: { title: '编号', description: '主键：发布表|期间|机构。' },
    published_table: { title: '发布表', description: '外部对标表（声明名）。', tests: ['not_null'] },
    publisher_code: { title: '发布方', description: '发布方编码。' },
    period: { title: '期间', description: '对标表的期间。', tests: ['not_null'] },
    provider_code: { title: '机构编码', description: '发布表中的机构编码。', tests: ['not_null'] },
    provider_name: { title: '机构名称', description: '发布表中的机构名称。' },
    region: { title: '地区', description: '所在地区（州/省）。' },
    referral_region: { title: '就医区域', description: '就医区域（HRR、统筹区）。' },
    weights_table: { title: '权重表', description: '所用病组权重表（声明名）；无可用权重表时为空。' },
    weights_period: { title: '权重表期间', description: '所用病组权重表的期间。' },
    cases: count('出院例数', '该机构各病组出院例数之和。'),
    weighted_cases: count('有权重例数', '在权重表中找到权重的病组的出院例数之和（CMI 的分母）。'),
    total_weight: {
      title: '总权重',
      description: 'Σ(出院例数 × 病组相对权重)（CMI 的分子）。',
      type: 'numeric(18, 4)',
    },
    case_mix_index: {
      title: 'CMI',
      description: '病例组合指数 = 总权重 / 有权重例数。',
      type: 'numeric(12, 4)',
    },
    group_count: count('病组数', '该机构在对标表中的病组数。'),
    unweighted_group_count: count('无权重病组数', '在权重表中找不到权重的病组数。'),
  },
  unitTests: [
    {
      name: 'CMI = Σ(cases × weight) / Σ cases over the groups with a weight, from the nearest weights table',
      given: {
        stg_benchmark__provider_groups: [
          // H1: 10 cases of 039 (weight 1.5) and 30 of 057 (weight 0.5): (15 + 15) / 40 = 0.75;
          // its 5 cases of 999 have no weight and stay out of the ratio.
          {
            published_table: 't',
            publisher_code: 'P1',
            period: '2011',
            group_code: '039',
            provider_code: 'H1',
            provider_name: 'N1',
            region: 'AL',
            referral_region: 'AL - X',
            cases: 10,
          },
          {
            published_table: 't',
            publisher_code: 'P1',
            period: '2011',
            group_code: '057',
            provider_code: 'H1',
            provider_name: 'N1',
            region: 'AL',
            referral_region: 'AL - X',
            cases: 30,
          },
          {
            published_table: 't',
            publisher_code: 'P1',
            period: '2011',
            group_code: '999',
            provider_code: 'H1',
            provider_name: 'N1',
            region: 'AL',
            referral_region: 'AL - X',
            cases: 5,
          },
        ],
        stg_benchmark__group_weights: [
          { published_table: 'w', publisher_code: 'P1', period: '2013', group_code: '039', weight: 1.5 },
          { published_table: 'w', publisher_code: 'P1', period: '2013', group_code: '057', weight: 0.5 },
          // Further from 2011 than 2013 is: not used.
          { published_table: 'w', publisher_code: 'P1', period: '2016', group_code: '039', weight: 9 },
        ],
      },
      expect: [
        {
          benchmark_case_mix_id: 't|2011|H1',
          weights_period: '2013',
          cases: 45,
          weighted_cases: 40,
          total_weight: 30,
          case_mix_index: 0.75,
          group_count: 3,
          unweighted_group_count: 1,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with weight_tables as (
      select distinct published_table, publisher_code, period from ${ref('stg_benchmark__group_weights')}
    ),

    table_periods as (
      select distinct published_table, publisher_code, period from ${ref('stg_benchmark__provider_groups')}
    ),

    chosen as (
      select distinct on (t.published_table, t.period)
        t.published_table,
        t.period,
        w.published_table as weights_table,
        w.period as weights_period
      from table_periods t
      join weight_tables w on w.publisher_code = t.publisher_code
      order by t.published_table, t.period,
        abs(${PERIOD_YEAR('w.period')} - ${PERIOD_YEAR('t.period')}) nulls last, w.period desc
    )

    select
      concat_ws('|', p.published_table, p.period, p.provider_code) as benchmark_case_mix_id,
      p.published_table,
      max(p.publisher_code) as publisher_code,
      p.period,
      p.provider_code,
      max(p.provider_name) as provider_name,
      max(p.region) as region,
      max(p.referral_region) as referral_region,
      max(c.weights_table) as weights_table,
      max(c.weights_period) as weights_period,
      sum(p.cases)::bigint as cases,
      (sum(p.cases) filter (where w.weight is not null))::bigint as weighted_cases,
      round(sum(p.cases * w.weight), 4)::numeric(18, 4) as total_weight,
      round(sum(p.cases * w.weight) / nullif(sum(p.cases) filter (where w.weight is not null), 0), 4)::numeric(12, 4)
        as case_mix_index,
      count(*)::bigint as group_count,
      (count(*) filter (where w.weight is null))::bigint as unweighted_group_count
    from ${ref('stg_benchmark__provider_groups')} p
    left join chosen c on c.published_table = p.published_table and c.period = p.period
    left join ${ref('stg_benchmark__group_weights')} w
      on w.published_table = c.weights_table and w.period = c.weights_period and w.group_code = p.group_code
    where p.provider_code is not null
    group by p.published_table, p.period, p.provider_code`,
});
