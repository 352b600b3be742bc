import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_drg_value_quadrant',
  materialized: 'table',
  description: [
    '病组价值象限（波士顿矩阵）：每年每医院×病组（hospital_group）与科室×病组（department_group）一行。',
    'x = 病组权重（入组病例的平均 RW），按种子 drg_value_quadrant_split 在固定值（fixed）或本院当年 CMI（hospital_cmi）处分界；',
    'y = 例均结余（margin_per_case，医保视角：Σ(支付标准 − 医疗费) / 入组病例数）或结余率（margin_rate）处分界。',
    '象限编码与名称取自种子 drg_value_quadrants（高权重/结余 优势、高权重/超支 潜力、低权重/结余 维持、低权重/超支 劣势）。',
  ].join(''),
  grain: 'One row per year, aggregation level, hospital, department (department level) and DRG group.',
  primaryKey: 'quadrant_row_id',
  columns: {
    quadrant_row_id: { title: '象限行编号', description: '主键：层级|年度|医院|科室|病组。' },
    aggregation_level: {
      title: '汇总层级',
      description: 'hospital_group 医院×病组 / department_group 科室×病组。',
      tests: [{ accepted_values: ['hospital_group', 'department_group'] }],
    },
    year: { title: '年度', description: '出院年度。', type: 'integer', tests: ['not_null'] },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    dept_code: { title: '科室编码', description: '出院科室标准编码（科室层级）。' },
    dept_name: { title: '科室名称', description: '出院科室名称。' },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    grouped_count: { title: '入组病例数', description: '入组病例数。', type: 'bigint' },
    drg_weight: { title: '病组权重', description: '入组病例平均 RW（x 轴）。', type: 'numeric(12, 4)' },
    x_split_value: {
      title: 'x 分界',
      description: '所用 x 轴分界（固定权重或本院 CMI）。',
      type: 'numeric(12, 4)',
    },
    margin_payer_view: {
      title: '结余（医保视角）',
      description: 'Σ (支付标准 − 医疗费总额)（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    margin_per_case: {
      title: '例均结余',
      description: '医保视角结余 / 入组病例数（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    margin_rate: {
      title: '结余率',
      description: '医保视角结余 / 支付标准合计。',
      format: 'percent',
      type: 'numeric(12, 4)',
    },
    y_measure: { title: 'y 轴指标', description: 'margin_per_case 例均结余 / margin_rate 结余率。' },
    y_value: { title: 'y 值', description: '所用 y 轴指标的值。', type: 'numeric(18, 4)' },
    quadrant_code: { title: '象限编码', description: '象限编码（Q1–Q4）。', tests: ['not_null'] },
    quadrant_label: {
      title: '象限',
      description: '象限名称：优势 / 潜力 / 维持 / 劣势（种子可改）。',
      tests: ['not_null'],
    },
  },
  unitTests: [
    {
      // Hospital CMI 0.8 splits x: A (1.2) is high, B (0.5) low; y splits margin rate at 0.
      name: 'splits at the hospital CMI and labels quadrants from the seed',
      given: {
        fct_drg_performance_rollups: [
          { aggregation_level: 'hospital', period_grain: 'year', year: 2025, hospital_code: 'H1', cmi: 0.8 },
          {
            aggregation_level: 'hospital_group',
            period_grain: 'year',
            year: 2025,
            hospital_code: 'H1',
            hospital_name: 'h1',
            dept_code: null,
            dept_name: null,
            drg_code: 'A',
            drg_name: 'a',
            grouped_count: 2,
            cmi: 1.2,
            margin_payer_view: -100,
            margin_rate_payer_view: -0.05,
          },
          {
            aggregation_level: 'hospital_group',
            period_grain: 'year',
            year: 2025,
            hospital_code: 'H1',
            drg_code: 'B',
            grouped_count: 4,
            cmi: 0.5,
            margin_payer_view: 400,
            margin_rate_payer_view: 0.1,
          },
        ],
        drg_value_quadrant_split: [
          {
            setting: 'default',
            x_split: 'hospital_cmi',
            x_split_value: 1,
            y_measure: 'margin_rate',
            y_split_value: 0,
          },
        ],
        drg_value_quadrants: {
          rows: [
            { quadrant_code: 'Q1', high_weight: true, surplus: true, quadrant_label: '优势' },
            { quadrant_code: 'Q2', high_weight: true, surplus: false, quadrant_label: '战略' },
            { quadrant_code: 'Q3', high_weight: false, surplus: true, quadrant_label: '维持' },
            { quadrant_code: 'Q4', high_weight: false, surplus: false, quadrant_label: '劣势' },
          ],
        },
      },
      expect: [
        {
          drg_code: 'A',
          x_split_value: 0.8,
          margin_per_case: -50,
          y_value: -0.05,
          quadrant_code: 'Q2',
          quadrant_label: '战略',
        },
        {
          drg_code: 'B',
          x_split_value: 0.8,
          margin_per_case: 100,
          y_value: 0.1,
          quadrant_code: 'Q3',
          quadrant_label: '维持',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with performance as (
      select * from ${ref('fct_drg_performance_rollups')}
      where period_grain = 'year'
    ),

    split as (
      select * from ${ref('drg_value_quadrant_split')} limit 1
    ),

    labels as (
      select * from ${ref('drg_value_quadrants')}
    ),

    hospital_cmi as (
      select year, hospital_code, cmi from performance where aggregation_level = 'hospital'
    ),

    groups as (
      select
        p.*,
        case when s.x_split = 'hospital_cmi' then h.cmi else s.x_split_value end as x_split_value,
        s.y_measure,
        s.y_split_value,
        p.margin_payer_view / nullif(p.grouped_count, 0) as margin_per_case
      from performance p
      cross join split s
      left join hospital_cmi h on h.year = p.year and h.hospital_code = p.hospital_code
      where p.aggregation_level in ('hospital_group', 'department_group') and p.drg_code is not null and p.grouped_count > 0
    ),

    placed as (
      select
        g.*,
        case when g.y_measure = 'margin_rate' then g.margin_rate_payer_view else g.margin_per_case end as y_value
      from groups g
    ),

    final as (
      select
        concat_ws('|', p.aggregation_level, p.year, p.hospital_code, coalesce(p.dept_code, '-'), p.drg_code) as quadrant_row_id,
        p.aggregation_level,
        p.year,
        p.hospital_code,
        p.hospital_name,
        p.dept_code,
        p.dept_name,
        p.drg_code,
        p.drg_name,
        p.grouped_count,
        p.cmi::numeric(12, 4) as drg_weight,
        p.x_split_value::numeric(12, 4) as x_split_value,
        p.margin_payer_view::numeric(18, 2) as margin_payer_view,
        round(p.margin_per_case, 2)::numeric(18, 2) as margin_per_case,
        p.margin_rate_payer_view::numeric(12, 4) as margin_rate,
        p.y_measure,
        round(p.y_value, 4)::numeric(18, 4) as y_value,
        l.quadrant_code,
        l.quadrant_label
      from placed p
      join labels l
        on l.high_weight = (p.cmi >= p.x_split_value)
        and l.surplus = (coalesce(p.y_value, 0) >= p.y_split_value)
    )

    select * from final`,
});
