import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { dataQualityColumns } from './_columns.ts';

export default defineModel({
  name: 'fct_data_quality_exception_details',
  materialized: 'view',
  description: [
    '异常明细：每条异常一行，含文件、行号、记录键、说明及被隔离行的原始内容，供数据管理员核查与修正字典。',
    '仅数据管理员可读（数据库授权只给 hdw_steward，Cube 的 exception_review 视图只对 steward 开放）。',
    '口径：只含有效批次的异常；隔离状态与原始内容为该源行（批次 + 行号）在隔离区的记录，未被隔离的行为空。',
  ].join(''),
  grain: 'One row per exception of an active batch.',
  primaryKey: 'exception_id',
  tags: ['data_quality', 'steward_only'],
  columns: {
    exception_id: { title: '异常编号', description: '异常记录的唯一编号。' },
    batch_id: dataQualityColumns.batch_id,
    source: dataQualityColumns.source,
    hospital_code: dataQualityColumns.hospital_code,
    rule_id: dataQualityColumns.rule_id,
    severity: dataQualityColumns.severity,
    source_file: { title: '源文件', description: '该行所在的交付文件。' },
    source_line: { title: '源文件行号', description: '该行在交付文件中的行号。' },
    record_key: { title: '记录键', description: '该行的业务主键（如就诊号、明细号）。' },
    message: { title: '异常说明', description: '规则给出的异常说明。' },
    detected_at: { title: '发现时间', description: '该异常在入库时被发现的时间。', tests: ['not_null'] },
    resolved_at: { title: '解决时间', description: '该行经重放放行的时间；未解决为空。' },
    is_open: { title: '是否未解决', description: '该异常是否尚未经重放放行。' },
    quarantined_payload: {
      title: '隔离行原始内容',
      description: '被阻断规则隔离的原始行（JSON），仅数据管理员可见。',
    },
    quarantine_status: {
      title: '隔离状态',
      description: 'quarantined 待处理，replayed 已重放，discarded 已丢弃；未被隔离的行为空。',
    },
  },
  sql: ({ ref }) => sql`
    with batches as (
      select * from ${ref('stg_ops__batches')}
      where is_active
    ),

    exceptions as (
      select * from ${ref('stg_ops__exceptions')}
    ),

    quarantined_rows as (
      select distinct on (batch_id, source_line) batch_id, source_line, payload, quarantine_status
      from ${ref('stg_ops__quarantine')}
      order by batch_id, source_line, quarantine_id desc
    ),

    final as (
      select
        -- ids
        e.exception_id,
        e.batch_id,
        e.source,
        e.hospital_code,
        -- rule
        e.rule_id,
        e.severity,
        -- where
        e.source_file,
        e.source_line,
        e.record_key,
        e.message,
        -- dates
        e.detected_at,
        e.resolved_at,
        e.is_open,
        -- the row itself
        q.payload::text as quarantined_payload,
        q.quarantine_status
      from exceptions e
      join batches b on b.batch_id = e.batch_id
      left join quarantined_rows q on q.batch_id = e.batch_id and q.source_line = e.source_line
    )

    select * from final`,
});
