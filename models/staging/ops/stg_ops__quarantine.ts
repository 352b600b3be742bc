import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__quarantine',
  materialized: 'view',
  description: '被阻断规则隔离的原始行：原始内容（含患者信息）只经仅数据管理员可读的异常明细集市展示。',
  grain: 'One row per quarantined source row.',
  primaryKey: 'quarantine_id',
  tags: ['data_quality'],
  columns: {
    quarantine_id: { description: '隔离编号' },
    batch_id: { description: '批次编号', tests: ['not_null'] },
    source: { description: '数据来源', tests: ['not_null'] },
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    source_file: { description: '源文件' },
    source_line: { description: '源文件行号', tests: ['not_null'] },
    record_key: { description: '记录键（业务主键）' },
    rule_ids: { description: '违反的阻断规则' },
    payload: { description: '隔离行原始内容（JSON）', pii: true },
    quarantine_status: {
      description: '隔离状态：quarantined 待处理 / replayed 已重放 / discarded 已丢弃',
      tests: [{ accepted_values: ['quarantined', 'replayed', 'discarded'] }],
    },
    quarantined_at: { description: '隔离时间' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'quarantine')}
    ),

    renamed as (
      select
        quarantine_id,
        batch_id,
        source,
        hospital_code,
        source_file,
        source_line,
        record_key,
        rule_ids,
        payload,
        status as quarantine_status,
        created_at as quarantined_at
      from source
    )

    select * from renamed`,
});
