import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__job_runs',
  materialized: 'view',
  description: '作业运行记录：种子、入库、建模、测试、发布、及时性检查，每次一行。',
  grain: 'One row per job run.',
  primaryKey: 'job_run_id',
  tags: ['data_quality'],
  columns: {
    job_run_id: { description: '作业编号' },
    job: { description: '作业', tests: ['not_null'] },
    job_status: {
      description: '作业状态：running / succeeded / failed / cancelled',
      tests: [{ accepted_values: ['running', 'succeeded', 'failed', 'cancelled'] }],
    },
    started_at: { description: '开始时间', tests: ['not_null'] },
    finished_at: { description: '结束时间' },
    job_error: { description: '作业错误信息' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'job_runs')}
    ),

    renamed as (
      select
        run_id as job_run_id,
        job,
        status as job_status,
        started_at,
        finished_at,
        error as job_error
      from source
    )

    select * from renamed`,
});
