import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__model_runs',
  materialized: 'view',
  description: '模型构建与测试的每次运行：成功、失败（error / fail）或跳过，含行数、耗时与信息。',
  grain: 'One row per model build or model test run.',
  primaryKey: 'model_run_id',
  tags: ['data_quality'],
  columns: {
    model_run_id: { description: '运行编号' },
    job_run_id: { description: '作业编号' },
    model: { description: '模型（或测试）名称', tests: ['not_null'] },
    run_kind: {
      description: '类型：build 构建 / test 测试',
      tests: [{ accepted_values: ['build', 'test', 'publish'] }],
    },
    run_status: {
      description: '结果：success / pass 通过，error / fail 失败，skipped 跳过',
      tests: [
        { accepted_values: ['success', 'error', 'skipped', 'pass', 'fail', 'warn', 'published', 'blocked'] },
      ],
    },
    rows: { description: '行数（构建写入行数或测试失败行数）' },
    duration_ms: { description: '耗时（毫秒）' },
    message: { description: '运行信息' },
    started_at: { description: '开始时间', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'model_runs')}
    ),

    renamed as (
      select
        model_run_id,
        job_run_id,
        model,
        kind as run_kind,
        status as run_status,
        rows,
        duration_ms,
        message,
        started_at
      from source
    )

    select * from renamed`,
});
