import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { dataQualityColumns } from './_columns.ts';

export default defineModel({
  name: 'fct_data_quality_batch_reconciliation',
  materialized: 'view',
  description: [
    '批次对账：每个交付过的批次一行（有效与已替换的都在，便于追溯），读取 = 入库 + 隔离 + 重复 是否成立、仍在隔离区的行数与被标记的规则。',
    '口径：被更正交付替换的批次（status = replaced，is_active 为否）只作记录，汇总数字（批次数、行数、隔离率）只计有效批次。视图，随台账实时更新。',
  ].join(''),
  grain: 'One row per delivered batch, active or replaced.',
  primaryKey: 'batch_id',
  tags: ['data_quality'],
  columns: {
    batch_id: dataQualityColumns.batch_id,
    source: dataQualityColumns.source,
    source_system: dataQualityColumns.source_system,
    hospital_code: dataQualityColumns.hospital_code,
    period: {
      title: '数据期间',
      description: '该批次覆盖的业务期间，如 2025-01；字典为 current。',
      tests: ['not_null'],
    },
    period_kind: {
      title: '期间类型',
      description: 'month 月度交付，increment 数据库增量抽取，snapshot 全量快照（如字典 current）。',
      tests: [{ accepted_values: ['month', 'increment', 'snapshot'] }],
    },
    period_month: dataQualityColumns.period_month,
    source_file: { title: '源文件', description: '交付文件名。', tests: ['not_null'] },
    status: {
      title: '批次状态',
      description: 'loaded 为有效批次，replaced 为已被更正交付替换。',
      tests: [{ accepted_values: ['loaded', 'replaced'] }],
    },
    is_active: {
      title: '是否有效批次',
      description: '批次状态为 loaded；汇总数字只计有效批次。',
      tests: ['not_null'],
    },
    replaced_by_batch_id: {
      title: '替换批次编号',
      description: '替换了本批次的更正交付的批次编号；有效批次为空。',
    },
    rows_read: { title: '读取行数', description: '交付文件中读到的数据行数。', tests: ['not_null'] },
    rows_loaded: { title: '入库行数', description: '通过阻断规则、写入原始层的行数。', tests: ['not_null'] },
    rows_quarantined: {
      title: '隔离行数',
      description: '违反阻断规则、进入隔离区的行数。',
      tests: ['not_null'],
    },
    rows_duplicate: { title: '重复行数', description: '完全重复、被丢弃的行数。', tests: ['not_null'] },
    rows_warned: { title: '警告行数', description: '已入库但触发警告规则的行数。', tests: ['not_null'] },
    is_reconciled: {
      title: '是否对平',
      description: '读取行数是否等于入库、隔离与重复行数之和（应始终为是）。',
      tests: ['not_null'],
    },
    open_quarantine_count: {
      title: '待处理隔离行数',
      description: '仍在隔离区、等待修正与重放的行数。',
      tests: ['not_null'],
    },
    flagged_rules: { title: '标记规则', description: '失败比例超过阈值的规则，逗号分隔。' },
    is_flagged: { title: '是否标记', description: '是否有规则的失败比例超过阈值。', tests: ['not_null'] },
    loaded_at: { title: '入库时间', description: '该批次入库提交的时间。', tests: ['not_null'] },
  },
  tests: [
    { name: 'every_batch_reconciles', expression: 'is_reconciled' },
    {
      name: 'replaced_batches_name_their_replacement',
      expression: 'is_active or replaced_by_batch_id is not null',
      // A ledger oddity for the steward to see; it says nothing wrong about the marts' figures.
      severity: 'warn',
    },
  ],
  sql: ({ ref }) => sql`
    with batches as (
      select * from ${ref('stg_ops__batches')}
    ),

    open_quarantine as (
      select batch_id, count(*) as open_quarantine_count
      from ${ref('stg_ops__quarantine')}
      where quarantine_status = 'quarantined'
      group by 1
    ),

    final as (
      select
        -- ids
        b.batch_id,
        b.source,
        b.source_system,
        b.hospital_code,
        -- period
        b.period,
        b.period_kind,
        b.period_month,
        b.source_file,
        -- status
        b.status,
        b.is_active,
        successor.batch_id as replaced_by_batch_id,
        -- reconciliation
        b.rows_read,
        b.rows_loaded,
        b.rows_quarantined,
        b.rows_duplicate,
        b.rows_warned,
        b.rows_read = b.rows_loaded + b.rows_quarantined + b.rows_duplicate as is_reconciled,
        coalesce(q.open_quarantine_count, 0) as open_quarantine_count,
        array_to_string(b.flagged_rules, ', ') as flagged_rules,
        cardinality(b.flagged_rules) > 0 as is_flagged,
        -- dates
        b.loaded_at
      from batches b
      left join batches successor on successor.replaces_batch_id = b.batch_id
      left join open_quarantine q on q.batch_id = b.batch_id
    )

    select * from final`,
});
