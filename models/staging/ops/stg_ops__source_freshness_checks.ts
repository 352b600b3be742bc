import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__source_freshness_checks',
  materialized: 'view',
  description:
    'hdw source freshness 的结果：每次检查每个来源 × 医院一行，含所用阈值与状态；从未交付的来源医院为空。',
  grain: 'One row per source and hospital per freshness check.',
  primaryKey: 'check_id',
  tags: ['data_quality'],
  columns: {
    check_id: { description: '检查记录编号' },
    check_run_id: { description: '检查作业编号（同一次检查相同）' },
    checked_at: { description: '检查时间', tests: ['not_null'] },
    source: { description: '数据来源', tests: ['not_null'] },
    hospital_code: { description: '医院编码（从未交付时为空）' },
    last_loaded_at: { description: '检查时最近入库时间' },
    age_hours: { description: '检查时距最近入库小时数' },
    warn_after_hours: { description: '警告阈值（小时）', tests: ['not_null'] },
    error_after_hours: { description: '错误阈值（小时）', tests: ['not_null'] },
    freshness_status: {
      description: '及时性状态：pass 及时 / warn 警告 / error 超期',
      tests: [{ accepted_values: ['pass', 'warn', 'error'] }],
    },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'source_freshness_checks')}
    ),

    renamed as (
      select
        check_id,
        job_run_id as check_run_id,
        checked_at,
        source,
        hospital_code,
        last_loaded_at,
        age_hours,
        warn_after_hours,
        error_after_hours,
        status as freshness_status
      from source
    )

    select * from renamed`,
});
