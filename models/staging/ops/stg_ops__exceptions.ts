import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__exceptions',
  materialized: 'view',
  description: '入库时清洗规则发现的异常，每条一行；replay 放行后记 resolved_at。',
  grain: 'One row per exception a rule recorded while loading or replaying a batch.',
  primaryKey: 'exception_id',
  tags: ['data_quality'],
  columns: {
    exception_id: { description: '异常编号' },
    batch_id: { description: '批次编号', tests: ['not_null'] },
    rule_id: { description: '规则编号', tests: ['not_null'] },
    severity: {
      description: '严重程度：blocking 阻断 / warning 警告',
      tests: [{ accepted_values: ['blocking', 'warning'] }],
    },
    source: { description: '数据来源', tests: ['not_null'] },
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    source_file: { description: '源文件' },
    source_line: { description: '源文件行号' },
    record_key: { description: '记录键（业务主键）' },
    message: { description: '异常说明' },
    detected_at: { description: '发现时间', tests: ['not_null'] },
    detected_on: { description: '发现日期', tests: ['not_null'] },
    resolved_at: { description: '解决时间（重放放行）' },
    is_open: { description: '是否未解决' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'exceptions')}
    ),

    renamed as (
      select
        exception_id,
        batch_id,
        rule_id,
        severity,
        source,
        hospital_code,
        source_file,
        source_line,
        record_key,
        message,
        created_at as detected_at,
        created_at::date as detected_on,
        resolved_at,
        resolved_at is null as is_open
      from source
    )

    select * from renamed`,
});
