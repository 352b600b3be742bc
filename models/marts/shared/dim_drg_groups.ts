import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_drg_groups',
  materialized: 'table',
  description:
    'DRG 病组维表：每个病组按结算年度与医院级别的相对权重 RW、费率、级别系数与支付标准（支付标准 = RW × 费率 × 级别系数）。' +
    '取自医保结算清单中医保方的分组与支付结果（同组同年同级别取众数）。',
  grain: 'One row per DRG group, settlement year and hospital level.',
  primaryKey: ['drg_code', 'settlement_year', 'hospital_level'],
  columns: {
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称', tests: ['not_null'] },
    mdc_code: { description: '主要诊断大类（编码首字母）' },
    settlement_year: { description: '结算年度（按出院时间）' },
    hospital_level: {
      description: '医院级别：3 三级，2 二级，1 一级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    drg_weight: { description: '相对权重 RW', tests: ['not_null', { expression: 'drg_weight >= 0' }] },
    base_rate: { description: '费率（元/权重）' },
    level_coefficient: { description: '级别系数' },
    payment_standard: { description: '支付标准（元）' },
    settled_cases: { description: '该年该级别的结算例数' },
  },
  sql: ({ ref }) => sql`
    with settlements as (
      select * from ${ref('stg_insurance__settlements')}
      where drg_code is not null
    ),

    hospitals as (
      select * from ${ref('hospitals')}
    )

    select
      s.drg_code,
      mode() within group (order by s.drg_name) as drg_name,
      left(s.drg_code, 1) as mdc_code,
      extract(year from coalesce(s.discharged_at, s.settled_at))::integer as settlement_year,
      h.hospital_level,
      mode() within group (order by s.drg_weight) as drg_weight,
      mode() within group (order by s.base_rate) as base_rate,
      mode() within group (order by s.level_coefficient) as level_coefficient,
      mode() within group (order by s.payment_standard) as payment_standard,
      count(*) as settled_cases
    from settlements s
    join hospitals h on h.hospital_code = s.hospital_code
    where coalesce(s.discharged_at, s.settled_at) is not null
    group by s.drg_code, settlement_year, h.hospital_level`,
});
