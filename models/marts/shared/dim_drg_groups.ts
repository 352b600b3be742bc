import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_drg_groups',
  materialized: 'table',
  description:
    'DRG 病组维表：每个统筹地区（医保局）每年每个病组按医院等级与险种的相对权重 RW、费率、级别系数、支付标准（RW × 费率 × 级别系数）、点值与高低倍率界值。' +
    '以医保局发布的病组表与费率表为准（basis = published，取自支付政策模型 int_payment_policy__drg_standards：病组表发布支付标准的取发布值，否则 RW × 费率 × 级别系数；未发布 RW 的单议病组不在此）；' +
    '某年某病组未发布时取结算清单中医保方的分组与支付结果的众数（basis = settled）。',
  grain: 'One row per publisher, year, DRG group, hospital level and insurance type.',
  primaryKey: ['publisher_code', 'year', 'drg_code', 'hospital_level', 'insurance_type'],
  columns: {
    publisher_code: { description: '发布方编码（P + 统筹地区行政区划，如 P320900）' },
    year: { description: '年度' },
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称' },
    mdc_code: { description: '主要诊断大类（编码首字母）' },
    hospital_level: {
      description: '医院等级：3 三级，2 二级，1 一级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    insurance_type: { description: '险种类型：310 职工，390 居民' },
    drg_weight: { description: '相对权重 RW', tests: ['not_null', { expression: 'drg_weight >= 0' }] },
    base_rate: { description: '费率（元/权重）' },
    level_coefficient: { description: '级别系数' },
    payment_standard: { description: '支付标准（元）' },
    point_value: { description: '点值（点数法地区）' },
    low_outlier_ratio: { description: '低倍率界值' },
    high_outlier_ratio: { description: '高倍率界值' },
    is_paid_per_item: { description: '是否按项目付费（单议病组；取自结算结果时为空）' },
    basis: {
      description: 'published 医保局发布 / settled 取自结算结果',
      tests: [{ accepted_values: ['published', 'settled'] }],
    },
  },
  unitTests: [
    {
      name: 'prices published groups by level and insurance type; settled results only where nothing is published',
      given: {
        int_payment_policy__drg_standards: [
          {
            publisher_code: 'P320900',
            year: 2025,
            drg_code: 'ES31',
            drg_name: '呼吸系统感染/炎症，伴严重并发症或合并症',
            insurance_type: '310',
            hospital_level: '2',
            drg_weight: 1.7412,
            is_paid_per_item: false,
            base_rate: 10900,
            level_coefficient: 0.82,
            payment_standard: 15562.85,
            point_value: 109,
            low_outlier_ratio: 0.4,
            high_outlier_ratio: 2.5,
          },
        ],
        hospitals: [{ hospital_code: 'H1', hospital_level: '3', region_code: '320902' }],
        stg_insurance__settlements: {
          rows: [
            {
              hospital_code: 'H1',
              drg_code: 'ES31',
              drg_name: 'x',
              drg_weight: 9,
              insurance_type: '310',
              discharged_at: '2025-03-01 10:00:00',
              settled_at: '2025-03-01 12:00:00',
              base_rate: 1,
              level_coefficient: 1,
              payment_standard: 9,
            },
            {
              hospital_code: 'H1',
              drg_code: 'FR39',
              drg_name: '心绞痛',
              drg_weight: 0.41,
              insurance_type: '390',
              discharged_at: '2025-03-01 10:00:00',
              settled_at: '2025-03-01 12:00:00',
              base_rate: 9000,
              level_coefficient: 1,
              payment_standard: 3690,
            },
          ],
          types: { discharged_at: 'timestamp', settled_at: 'timestamp' },
        },
      },
      expect: [
        {
          drg_code: 'ES31',
          hospital_level: '2',
          insurance_type: '310',
          payment_standard: 15562.85,
          basis: 'published',
        },
        {
          drg_code: 'FR39',
          hospital_level: '3',
          insurance_type: '390',
          payment_standard: 3690,
          basis: 'settled',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with policy as (
      select * from ${ref('int_payment_policy__drg_standards')}
    ),

    hospitals as (
      select * from ${ref('hospitals')}
    ),

    published as (
      select
        publisher_code,
        year,
        drg_code,
        drg_name,
        hospital_level,
        insurance_type,
        drg_weight,
        base_rate,
        level_coefficient,
        payment_standard,
        point_value,
        low_outlier_ratio,
        high_outlier_ratio,
        is_paid_per_item,
        'published' as basis
      from policy
      where drg_weight is not null
    ),

    settled as (
      select
        'P' || left(h.region_code, 4) || '00' as publisher_code,
        extract(year from coalesce(s.discharged_at, s.settled_at))::integer as year,
        s.drg_code,
        mode() within group (order by s.drg_name) as drg_name,
        h.hospital_level,
        s.insurance_type,
        mode() within group (order by s.drg_weight) as drg_weight,
        mode() within group (order by s.base_rate) as base_rate,
        mode() within group (order by s.level_coefficient) as level_coefficient,
        mode() within group (order by s.payment_standard) as payment_standard,
        null::numeric as point_value,
        null::numeric as low_outlier_ratio,
        null::numeric as high_outlier_ratio,
        null::boolean as is_paid_per_item,
        'settled' as basis
      from ${ref('stg_insurance__settlements')} s
      join hospitals h on h.hospital_code = s.hospital_code
      where s.drg_code is not null and s.drg_weight is not null and s.insurance_type is not null
        and coalesce(s.discharged_at, s.settled_at) is not null
      group by 1, 2, s.drg_code, h.hospital_level, s.insurance_type
    ),

    combined as (
      select * from published
      union all
      select s.* from settled s
      where not exists (
        select 1 from published p
        where p.publisher_code = s.publisher_code and p.year = s.year and p.drg_code = s.drg_code
      )
    )

    select
      publisher_code,
      year,
      drg_code,
      drg_name,
      left(drg_code, 1) as mdc_code,
      hospital_level,
      insurance_type,
      drg_weight,
      base_rate,
      level_coefficient,
      payment_standard,
      point_value,
      low_outlier_ratio,
      high_outlier_ratio,
      is_paid_per_item,
      basis
    from combined`,
});
