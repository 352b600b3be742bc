import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_data_quality_model_runs',
  materialized: 'view',
  description: [
    '模型运行结果：每次模型构建或测试一行，含所属作业、结果、行数、耗时与信息。',
    '失败（构建 error、测试 fail）的运行即阻止发布的运行，在此与成功的一样可见。视图，随台账实时更新（包括未发布的运行）。',
  ].join(''),
  grain: 'One row per model build or model test run.',
  primaryKey: 'model_run_id',
  tags: ['data_quality'],
  columns: {
    model_run_id: { title: '运行编号', description: '模型运行的唯一编号。' },
    job_run_id: { title: '作业编号', description: '该运行所属的作业（一次构建或一次测试）。' },
    job: { title: '作业', description: '作业名称，如 build、test。' },
    job_status: { title: '作业状态', description: 'running、succeeded、failed 或 cancelled。' },
    model: { title: '模型', description: '模型或测试名称。', tests: ['not_null'] },
    run_kind: {
      title: '运行类型',
      description: 'build 为构建，test 为测试，publish 为发布（写入-审核-发布）。',
      tests: [{ accepted_values: ['build', 'test', 'publish'] }],
    },
    run_status: {
      title: '运行结果',
      description:
        'success / pass 通过，error / fail 失败，warn 警告级测试未通过（仍发布），skipped 因上游失败而跳过；发布运行为 published 已发布或 blocked 被阻断。',
      tests: [
        { accepted_values: ['success', 'error', 'skipped', 'pass', 'fail', 'warn', 'published', 'blocked'] },
      ],
    },
    is_failure: {
      title: '是否失败',
      description: '构建出错（error）、测试未通过（fail）或发布被阻断（blocked）。',
      tests: ['not_null'],
    },
    rows: { title: '行数', description: '构建写入的行数，或测试发现的失败行数。' },
    duration_ms: { title: '耗时（毫秒）', description: '运行耗时，毫秒。' },
    message: { title: '运行信息', description: '失败原因或跳过原因。' },
    started_at: { title: '开始时间', description: '运行开始的时间。', tests: ['not_null'] },
    run_on: { title: '运行日期', description: '运行开始的日期。', tests: ['not_null'] },
  },
  sql: ({ ref }) => sql`
    with model_runs as (
      select * from ${ref('stg_ops__model_runs')}
    ),

    job_runs as (
      select * from ${ref('stg_ops__job_runs')}
    ),

    final as (
      select
        -- ids
        m.model_run_id,
        m.job_run_id,
        j.job,
        j.job_status,
        m.model,
        -- outcome
        m.run_kind,
        m.run_status,
        m.run_status in ('error', 'fail', 'blocked') as is_failure,
        m.rows,
        m.duration_ms,
        m.message,
        -- dates
        m.started_at,
        m.started_at::date as run_on
      from model_runs m
      left join job_runs j on j.job_run_id = m.job_run_id
    )

    select * from final`,
});
