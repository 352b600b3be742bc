import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__drg_base_rates',
  materialized: 'view',
  description: '医保局发布的 DRG 费率：每年按险种与医院等级的费率、级别系数与点值。',
  grain: 'One row per publisher, year, insurance type and hospital level.',
  primaryKey: ['publisher_code', 'year', 'insurance_type', 'hospital_level'],
  columns: {
    publisher_code: { description: '发布方编码（如 P320900）' },
    year: { description: '年度' },
    insurance_type: { description: '险种类型：310 职工，390 居民' },
    hospital_level: {
      description: '医院等级：3 三级，2 二级，1 一级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    base_rate: { description: '费率（元/权重）', tests: ['not_null'] },
    level_coefficient: { description: '级别系数' },
    point_value: { description: '点值（元/点，点数法地区）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'drg_base_rates')}
    )

    select
      hospital_code as publisher_code,
      year,
      insutype as insurance_type,
      hospital_level,
      base_rate,
      level_coef as level_coefficient,
      point_value
    from source`,
});
