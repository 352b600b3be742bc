import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_benchmark__group_weights',
  materialized: 'view',
  description:
    '外部发布的病组权重表（如 CMS MS-DRG 表 5）：病组相对权重与几何/算术平均住院日；病组编码按声明自发布的病组标签提取。',
  grain: 'One row per published weights table, period and group.',
  primaryKey: 'group_weight_id',
  columns: {
    group_weight_id: { description: '主键：发布表|期间|病组' },
    published_table: { description: '发布表（声明名，如 cms_msdrg_weights）' },
    publisher_code: { description: '发布方编码' },
    period: { description: '期间（年度）' },
    group_code: { description: '病组编码', tests: ['not_null'] },
    group_name: { description: '病组名称' },
    weight: { description: '相对权重', tests: ['not_null', { expression: 'weight >= 0' }] },
    mean_los_geometric: { description: '几何平均住院日' },
    mean_los_arithmetic: { description: '算术平均住院日' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('benchmark', 'group_weights')}
    )

    select
      concat_ws('|', published_table, period, group_code) as group_weight_id,
      published_table,
      hospital_code as publisher_code,
      period,
      group_code,
      btrim(group_name) as group_name,
      weight,
      mean_los_geometric,
      mean_los_arithmetic
    from source`,
});
