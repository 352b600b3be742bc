import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__batch_rule_results',
  materialized: 'view',
  description: '每个批次检查的每条清洗规则一行（失败与否都有），是通过率的分母。',
  grain: 'One row per batch and rule checked on it.',
  primaryKey: ['batch_id', 'rule_id'],
  tags: ['data_quality'],
  columns: {
    batch_id: { description: '批次编号', tests: ['not_null'] },
    rule_id: { description: '规则编号', tests: ['not_null'] },
    rule_category: { description: '规则类别' },
    severity: {
      description: '严重程度：blocking 阻断 / warning 警告',
      tests: [{ accepted_values: ['blocking', 'warning'] }],
    },
    rows_checked: { description: '检查行数', tests: ['not_null'] },
    rows_failed: { description: '失败行数', tests: ['not_null'] },
    batch_threshold: { description: '批次标记阈值（失败比例）' },
    is_flagged: { description: '失败比例是否超过阈值' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'batch_rule_results')}
    ),

    renamed as (
      select
        batch_id,
        rule_id,
        category as rule_category,
        severity,
        rows_checked,
        rows_failed,
        threshold as batch_threshold,
        flagged as is_flagged
      from source
    )

    select * from renamed`,
});
