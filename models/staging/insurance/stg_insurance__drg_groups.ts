import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const levelColumns = (level: 1 | 2 | 3, name: string) => ({
  [`level_coefficient_${level}`]: { description: `${name}医院级别系数（病组表按病组发布时）` },
  [`payment_standard_${level}`]: { description: `${name}医院支付标准（元，病组表发布时；0 视为未发布）` },
  [`payment_standard_${level}_310`]: { description: `${name}医院职工医保支付标准（元，按险种发布时）` },
  [`payment_standard_${level}_390`]: { description: `${name}医院居民医保支付标准（元，按险种发布时）` },
});

export default defineModel({
  name: 'stg_insurance__drg_groups',
  materialized: 'view',
  description:
    '医保局发布的 DRG 病组表：每个统筹地区每年每个病组的相对权重 RW、基准点数、高低倍率界值、是否单议病组，' +
    '以及病组表按等级（和险种）发布的级别系数与支付标准。各地病组表列名不同（盐城、苏州、无锡、武汉、泰州），' +
    '均由来源声明中的列别名映射到同一组列；表中无年度列时取文件期间（drg_groups_2023.csv → 2023）。',
  grain: 'One row per publisher (医保局), year and DRG group.',
  primaryKey: ['publisher_code', 'year', 'drg_code'],
  columns: {
    publisher_code: { description: '发布方编码（P + 统筹地区行政区划，如 P320900）' },
    year: { description: '年度', tests: ['not_null'] },
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称' },
    drg_weight: {
      description: '相对权重 RW（单议病组可不发布）',
      tests: [{ expression: 'drg_weight is null or drg_weight >= 0' }],
    },
    base_points: { description: '基准点数（点数法地区）' },
    low_outlier_ratio: { description: '低倍率界值（费用低于支付标准的该倍数为低倍率病例）' },
    high_outlier_ratio: { description: '高倍率界值（费用高于支付标准的该倍数为高倍率病例）' },
    is_single_review: { description: '是否单议病组（按项目付费）' },
    is_stable_group: { description: '是否稳定组（病组表发布时，如泰州）' },
    is_base_group: { description: '是否基础病组（不同等级同一支付标准，如苏州、无锡）' },
    is_tcm_group: { description: '是否中医优势病组（如无锡）' },
    remark: { description: '备注' },
    ...levelColumns(1, '一级'),
    ...levelColumns(2, '二级'),
    ...levelColumns(3, '三级'),
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'drg_groups')}
    ),

    batches as (
      select batch_id, period from ${source('ops', 'batches')}
    )

    select
      s.hospital_code as publisher_code,
      coalesce(s.year, left(b.period, 4)::integer) as year,
      s.drg_code,
      s.drg_name,
      s.rw as drg_weight,
      s.points as base_points,
      s.low_outlier_ratio,
      s.high_outlier_ratio,
      coalesce(s.single_review in ('1', '是', 'Y', 'y', 'true'), false) as is_single_review,
      s.stable_group in ('1', '是', 'Y', 'y', 'true') as is_stable_group,
      coalesce(s.base_group in ('1', '是', 'Y', 'y', 'true'), false) as is_base_group,
      coalesce(s.tcm_group in ('1', '是', 'Y', 'y', 'true'), false) as is_tcm_group,
      s.remark,
      s.level_coef_1 as level_coefficient_1,
      s.payment_standard_1,
      s.payment_standard_1_310,
      s.payment_standard_1_390,
      s.level_coef_2 as level_coefficient_2,
      s.payment_standard_2,
      s.payment_standard_2_310,
      s.payment_standard_2_390,
      s.level_coef_3 as level_coefficient_3,
      s.payment_standard_3,
      s.payment_standard_3_310,
      s.payment_standard_3_390
    from source s
    left join batches b on b.batch_id = s.batch_id`,
});
