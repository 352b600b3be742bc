import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_benchmark__provider_groups',
  materialized: 'view',
  description:
    '外部发布的对标表（每个声明的发布表一种，pipelines/sources/benchmark/）：机构 × 病组 × 期间的例数、次均费用、次均成本、平均住院日、支付与病死率；未发布的字段为空。病组编码按声明自发布的病组标签提取。',
  grain: 'One row per published table, period, group, provider and hospital level as published.',
  primaryKey: 'provider_group_id',
  columns: {
    provider_group_id: { description: '主键：发布表|期间|病组|机构（无则 -）|医院等级（无则 -）' },
    published_table: { description: '发布表（声明名，如 cms_ipps_provider_summary）' },
    publisher_code: { description: '发布方编码（如 P840000）' },
    period: { description: '期间（年度）' },
    group_code: { description: '病组编码', tests: ['not_null'] },
    group_name: { description: '病组名称' },
    provider_code: { description: '机构编码' },
    provider_name: { description: '机构名称' },
    region: { description: '所在地区（州/省）' },
    referral_region: { description: '就医区域（HRR、统筹区）' },
    hospital_level: { description: '医院等级（按等级发布时）' },
    cases: { description: '出院例数', tests: [{ expression: 'cases is null or cases >= 0' }] },
    mean_charge: { description: '次均费用' },
    mean_cost: { description: '次均成本' },
    mean_length_of_stay: { description: '平均住院日' },
    mean_total_payment: { description: '次均支付总额' },
    mean_fund_payment: { description: '次均基金支付' },
    mortality_rate: { description: '病死率（0–1）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('benchmark', 'provider_groups')}
    )

    select
      concat_ws('|', published_table, period, group_code, coalesce(provider_code, '-'), coalesce(hospital_level, '-'))
        as provider_group_id,
      published_table,
      hospital_code as publisher_code,
      period,
      group_code,
      btrim(group_name) as group_name,
      btrim(provider_code) as provider_code,
      btrim(provider_name) as provider_name,
      btrim(region) as region,
      btrim(referral_region) as referral_region,
      btrim(hospital_level) as hospital_level,
      cases,
      mean_charge,
      mean_cost,
      mean_los as mean_length_of_stay,
      mean_total_payment,
      mean_fund_payment,
      mortality_rate
    from source`,
});
