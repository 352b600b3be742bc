import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__drg_groups',
  materialized: 'view',
  description:
    '医保局发布的 DRG 病组表：每个统筹地区每年每个病组的相对权重 RW、基准点数、高低倍率界值与是否单议病组。',
  grain: 'One row per publisher (医保局), year and DRG group.',
  primaryKey: ['publisher_code', 'year', 'drg_code'],
  columns: {
    publisher_code: { description: '发布方编码（P + 统筹地区行政区划，如 P320900）' },
    year: { description: '年度' },
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称' },
    drg_weight: { description: '相对权重 RW', tests: ['not_null', { expression: 'drg_weight >= 0' }] },
    base_points: { description: '基准点数（点数法地区）' },
    low_outlier_ratio: { description: '低倍率界值（费用低于支付标准的该倍数为低倍率病例）' },
    high_outlier_ratio: { description: '高倍率界值（费用高于支付标准的该倍数为高倍率病例）' },
    is_single_review: { description: '是否单议病组' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'drg_groups')}
    )

    select
      hospital_code as publisher_code,
      year,
      drg_code,
      drg_name,
      rw as drg_weight,
      points as base_points,
      low_outlier_ratio,
      high_outlier_ratio,
      coalesce(single_review in ('1', '是', 'Y', 'y', 'true'), false) as is_single_review
    from source`,
});
