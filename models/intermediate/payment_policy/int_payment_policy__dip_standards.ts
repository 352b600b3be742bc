import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const settlementTypes = { discharged_at: 'timestamp', settled_at: 'timestamp' };

export default defineModel({
  name: 'int_payment_policy__dip_standards',
  materialized: 'table',
  description:
    'DIP 支付政策（数据化）：每个医保局每年每个病种（按主要诊断）与医院等级的分值、等级系数、年度预算、总分值、点值与支付标准。' +
    '点值 = 年度预算 / 总分值（不取整）；总分值取预算文件发布的（全统筹区），未发布时取仓库中该统筹区医院当年 DIP 结算病例的分值 × 等级系数之和（total_points_basis = settled）。' +
    '支付标准 = 分值 × 点值 × 等级系数，四舍五入到分。等级系数取种子 dip_level_coefficients（未列出的等级按 1；行只出现在种子列出的等级）。' +
    'published_point_value 为预算文件发布的点值，provisional_point_value 为年内按月结算所用的预结算点值，便于与计算值核对。',
  grain: 'One row per publisher, year, DIP 病种, diagnosis code and hospital level.',
  primaryKey: ['publisher_code', 'year', 'dip_code', 'diagnosis_code', 'hospital_level'],
  columns: {
    publisher_code: { description: '发布方编码（P + 统筹地区行政区划）' },
    region_code: { description: '统筹区（行政区划代码）' },
    year: { description: '年度' },
    dip_code: { description: 'DIP 病种编码' },
    dip_name: { description: 'DIP 病种名称' },
    diagnosis_code: { description: '主要诊断编码' },
    procedure_code: { description: '手术操作编码（保守治疗为空）' },
    hospital_level: { description: '医院等级：3 三级，2 二级，1 一级' },
    score: { description: '分值', tests: ['not_null'] },
    level_coefficient: { description: '等级系数' },
    budget: { description: '年度基金预算（元）' },
    total_points: { description: '总分值（计算点值所用）' },
    total_points_basis: {
      description: 'published 预算文件发布 / settled 由结算病例计算',
      tests: [{ accepted_values: ['published', 'settled'] }],
    },
    point_value: { description: '点值 = 年度预算 / 总分值（元/分，不取整）' },
    published_point_value: { description: '预算文件发布的点值（元/分）' },
    provisional_point_value: { description: '预结算点值（元/分）' },
    payment_standard: {
      description: '支付标准 = 分值 × 点值 × 等级系数（元，四舍五入到分）',
      tests: [{ expression: 'payment_standard is null or payment_standard >= 0' }],
    },
  },
  unitTests: [
    {
      // 建湖-like county, 2025: three 病种 (分值 120, 80, 100), a budget of 245,000.00 with no
      // published total, 一级 coefficient 0.8 and 二级 1.0. Settled DIP stays at its hospitals:
      //   H2 (二级): A ×10 → 10 × 120 × 1.0 = 1,200; B ×20 → 20 × 80 × 1.0 = 1,600
      //   H1 (一级): B ×5 → 5 × 80 × 0.8 = 320;  C ×10 → 10 × 100 × 0.8 = 800
      // total points = 3,920 → 点值 = 245,000 / 3,920 = 62.5 exactly. Standards = 分值 × 62.5 × coef:
      //   A: 二级 7,500.00, 一级 6,000.00; B: 二级 5,000.00, 一级 4,000.00; C: 二级 6,250.00, 一级 5,000.00.
      // Check: 10 × 7,500 + 20 × 5,000 + 5 × 4,000 + 10 × 5,000 = 245,000 = the budget.
      // A stay of another region (H9, 320900) and a DRG stay do not count.
      name: 'scores three 病种 against a budget: 点值 = budget / total points, standards = 分值 × 点值 × coefficient',
      given: {
        stg_insurance__dip_catalogue: [
          {
            publisher_code: 'P320925',
            year: 2025,
            dip_code: 'A',
            dip_name: '病种A',
            diagnosis_code: 'K80.100',
            procedure_code: '51.2300',
            score: 120,
          },
          {
            publisher_code: 'P320925',
            year: 2025,
            dip_code: 'B',
            dip_name: '病种B',
            diagnosis_code: 'J18.900',
            procedure_code: null,
            score: 80,
          },
          {
            publisher_code: 'P320925',
            year: 2025,
            dip_code: 'C',
            dip_name: '病种C',
            diagnosis_code: 'I63.900',
            procedure_code: null,
            score: 100,
          },
        ],
        stg_insurance__dip_budget: {
          rows: [
            {
              publisher_code: 'P320925',
              year: 2025,
              region_code: '320925',
              budget: 245000,
              total_points: null,
              point_value: 62.5,
              provisional_point_value: 60,
            },
          ],
          types: { total_points: 'numeric' },
        },
        dip_level_coefficients: [
          { publisher_code: 'P320925', hospital_level: '1', level_coefficient: 0.8 },
          { publisher_code: 'P320925', hospital_level: '2', level_coefficient: 1.0 },
        ],
        hospitals: [
          { hospital_code: 'H1', hospital_level: '1', region_code: '320925' },
          { hospital_code: 'H2', hospital_level: '2', region_code: '320925' },
          { hospital_code: 'H9', hospital_level: '2', region_code: '320900' },
        ],
        stg_insurance__settlements: {
          rows: [
            ...Array.from({ length: 10 }, () => ({
              hospital_code: 'H2',
              payment_method: 'DIP',
              dip_code: 'A',
              dip_score: 120,
              discharged_at: '2025-05-01 10:00:00',
              settled_at: null,
            })),
            ...Array.from({ length: 20 }, () => ({
              hospital_code: 'H2',
              payment_method: 'DIP',
              dip_code: 'B',
              dip_score: 80,
              discharged_at: '2025-06-01 10:00:00',
              settled_at: null,
            })),
            ...Array.from({ length: 5 }, () => ({
              hospital_code: 'H1',
              payment_method: 'DIP',
              dip_code: 'B',
              dip_score: 80,
              discharged_at: '2025-07-01 10:00:00',
              settled_at: null,
            })),
            ...Array.from({ length: 10 }, () => ({
              hospital_code: 'H1',
              payment_method: 'DIP',
              dip_code: 'C',
              dip_score: 100,
              discharged_at: '2025-12-31 23:00:00',
              settled_at: null,
            })),
            {
              hospital_code: 'H9',
              payment_method: 'DIP',
              dip_code: 'C',
              dip_score: 100,
              discharged_at: '2025-03-01 10:00:00',
              settled_at: null,
            },
            {
              hospital_code: 'H2',
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              discharged_at: '2025-03-01 10:00:00',
              settled_at: null,
            },
            {
              hospital_code: 'H2',
              payment_method: 'DIP',
              dip_code: 'A',
              dip_score: 120,
              discharged_at: '2024-12-31 10:00:00',
              settled_at: null,
            },
          ],
          types: settlementTypes,
        },
      },
      expect: [
        {
          dip_code: 'A',
          hospital_level: '2',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 7500,
        },
        {
          dip_code: 'A',
          hospital_level: '1',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 6000,
        },
        {
          dip_code: 'B',
          hospital_level: '2',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 5000,
        },
        {
          dip_code: 'B',
          hospital_level: '1',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 4000,
        },
        {
          dip_code: 'C',
          hospital_level: '2',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 6250,
        },
        {
          dip_code: 'C',
          hospital_level: '1',
          total_points: 3920,
          total_points_basis: 'settled',
          point_value: 62.5,
          payment_standard: 5000,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with catalogue as (
      select * from ${ref('stg_insurance__dip_catalogue')}
    ),

    budgets as (
      select * from ${ref('stg_insurance__dip_budget')}
    ),

    coefficients as (
      select publisher_code, hospital_level, level_coefficient from ${ref('dip_level_coefficients')}
    ),

    settled_points as (
      select
        'P' || h.region_code as publisher_code,
        extract(year from coalesce(s.discharged_at, s.settled_at))::integer as year,
        sum(s.dip_score * coalesce(c.level_coefficient, 1)) as points
      from ${ref('stg_insurance__settlements')} s
      join ${ref('hospitals')} h on h.hospital_code = s.hospital_code
      left join coefficients c on c.publisher_code = 'P' || h.region_code and c.hospital_level = h.hospital_level
      where s.payment_method = 'DIP' and s.dip_score is not null
      group by 1, 2
    ),

    valued as (
      select
        b.publisher_code,
        b.year,
        b.region_code,
        b.budget,
        coalesce(b.total_points, p.points) as total_points,
        case when b.total_points is not null then 'published' when p.points is not null then 'settled' end
          as total_points_basis,
        b.budget / nullif(coalesce(b.total_points, p.points), 0) as point_value,
        b.point_value as published_point_value,
        b.provisional_point_value
      from budgets b
      left join settled_points p on p.publisher_code = b.publisher_code and p.year = b.year
    )

    select
      c.publisher_code,
      v.region_code,
      c.year,
      c.dip_code,
      c.dip_name,
      c.diagnosis_code,
      c.procedure_code,
      k.hospital_level,
      c.score,
      k.level_coefficient,
      v.budget,
      v.total_points,
      v.total_points_basis,
      v.point_value,
      v.published_point_value,
      v.provisional_point_value,
      round(c.score * v.point_value * k.level_coefficient, 2) as payment_standard
    from catalogue c
    join coefficients k on k.publisher_code = c.publisher_code
    left join valued v on v.publisher_code = c.publisher_code and v.year = c.year`,
});
