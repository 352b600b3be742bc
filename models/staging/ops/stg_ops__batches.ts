import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__batches',
  materialized: 'view',
  description: [
    '入库批次台账：每次交付一个批次；被更正交付替换的批次状态为 replaced，其行已从 raw 表删除。',
    '期间口径：YYYY-MM 为月度交付（period_kind = month，period_month 为当月第一天）；',
    '数据库增量抽取的期间为“起..止”水位（increment）；其余（如字典的 current）为全量快照（snapshot），没有月份。',
  ].join(''),
  grain: 'One row per delivered batch.',
  primaryKey: 'batch_id',
  tags: ['data_quality'],
  columns: {
    batch_id: { description: '批次编号' },
    source: { description: '数据来源（system.entity）', tests: ['not_null'] },
    source_system: { description: '来源系统（his、emr 等）', tests: ['not_null'] },
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    period: { description: '交付期间（原文）', tests: ['not_null'] },
    period_kind: {
      description: '期间类型：month 月度 / increment 增量抽取 / snapshot 全量快照',
      tests: [{ accepted_values: ['month', 'increment', 'snapshot'] }],
    },
    period_month: { description: '数据月份（月度交付为当月第一天，其余为空）' },
    source_file: { description: '源文件', tests: ['not_null'] },
    status: {
      description: '批次状态：loaded 有效 / replaced 已被更正交付替换',
      tests: [{ accepted_values: ['loaded', 'replaced'] }],
    },
    is_active: { description: '是否有效批次（status = loaded）', tests: ['not_null'] },
    replaces_batch_id: { description: '被本批次替换的批次编号' },
    job_run_id: { description: '入库作业编号' },
    rows_read: { description: '读取行数', tests: ['not_null'] },
    rows_loaded: { description: '入库行数', tests: ['not_null'] },
    rows_quarantined: { description: '隔离行数', tests: ['not_null'] },
    rows_duplicate: { description: '重复行数', tests: ['not_null'] },
    rows_warned: { description: '警告行数', tests: ['not_null'] },
    flagged_rules: { description: '失败比例超过阈值而被标记的规则' },
    loaded_at: { description: '入库时间', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'batches')}
    ),

    renamed as (
      select
        -- ids
        batch_id,
        source,
        split_part(source, '.', 1) as source_system,
        hospital_code,
        -- period
        period,
        case
          when period ~ '^[0-9]{4}-[0-9]{2}$' then 'month'
          when period like '%..%' then 'increment'
          else 'snapshot'
        end as period_kind,
        case when period ~ '^[0-9]{4}-[0-9]{2}$' then to_date(period, 'YYYY-MM') end as period_month,
        source_file,
        -- status
        status,
        status = 'loaded' as is_active,
        replaces_batch_id,
        job_run_id,
        -- reconciliation
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_duplicate,
        rows_warned,
        flagged_rules,
        -- dates
        loaded_at
      from source
    )

    select * from renamed`,
});
