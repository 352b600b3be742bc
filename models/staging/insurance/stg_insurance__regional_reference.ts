import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__regional_reference',
  materialized: 'view',
  description:
    '医保局发布的区域 DRG 病组参考值：按年、病组与医院等级的例数、次均费用、次均成本、平均住院日与病死率（费用/时间消耗指数与外部对标的基准）。',
  grain: 'One row per publisher, year, DRG group and hospital level.',
  primaryKey: ['publisher_code', 'year', 'drg_code', 'hospital_level'],
  columns: {
    publisher_code: { description: '发布方编码（如 P320900）' },
    year: { description: '年度' },
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称' },
    hospital_level: {
      description: '医院等级：3 三级，2 二级，1 一级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    cases: { description: '例数' },
    mean_charge: { description: '次均费用（元）' },
    mean_cost: { description: '次均成本（元，已知时）' },
    mean_length_of_stay: { description: '平均住院日' },
    mortality_rate: {
      description: '病死率（0–1）',
      tests: [{ expression: 'mortality_rate is null or mortality_rate between 0 and 1' }],
    },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'regional_reference')}
    )

    select
      hospital_code as publisher_code,
      year,
      drg_code,
      drg_name,
      hospital_level,
      cases,
      mean_charge,
      mean_cost,
      mean_los as mean_length_of_stay,
      mortality_rate
    from source`,
});
