import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { dataQualityColumns } from './_columns.ts';

export default defineModel({
  name: 'fct_data_quality_rule_pass_rates',
  materialized: 'view',
  description: [
    '清洗规则通过率：每个有效批次 × 规则一行，检查行数、失败行数与通过率；汇总时通过率 = 1 − Σ失败 ÷ Σ检查。',
    '口径：只计有效批次（被更正交付替换的批次不计）；视图，随台账实时更新。',
  ].join(''),
  grain: 'One row per active batch and rule checked on it.',
  primaryKey: 'batch_rule_id',
  tags: ['data_quality'],
  columns: {
    batch_rule_id: { title: '批次规则编号', description: '批次编号|规则编号 组成的行标识。' },
    batch_id: dataQualityColumns.batch_id,
    source: dataQualityColumns.source,
    source_system: dataQualityColumns.source_system,
    hospital_code: dataQualityColumns.hospital_code,
    period: { title: '数据期间', description: '该批次覆盖的业务期间，如 2025-01；字典为 current。' },
    period_month: dataQualityColumns.period_month,
    rule_id: dataQualityColumns.rule_id,
    rule_category: { title: '规则类别', description: '规则检查的方面，如完整性、一致性。' },
    severity: dataQualityColumns.severity,
    rows_checked: { title: '检查行数', description: '该规则在该批次检查的行数。', tests: ['not_null'] },
    rows_failed: { title: '失败行数', description: '未通过该规则的行数。', tests: ['not_null'] },
    rows_passed: { title: '通过行数', description: '通过该规则的行数。', tests: ['not_null'] },
    pass_rate: {
      title: '通过率',
      description: '通过行数 ÷ 检查行数；没有检查行时为 1。',
      tests: ['not_null'],
    },
    batch_threshold: { title: '标记阈值', description: '失败比例超过此值时批次被标记（规则目录）。' },
    is_flagged: { title: '是否标记', description: '该批次该规则的失败比例是否超过标记阈值。' },
    loaded_at: { title: '入库时间', description: '该批次入库提交的时间。', tests: ['not_null'] },
  },
  tests: [
    { name: 'failed_rows_within_checked', expression: 'rows_failed between 0 and rows_checked' },
    { name: 'pass_rate_is_a_share', expression: 'pass_rate between 0 and 1' },
  ],
  sql: ({ ref }) => sql`
    with batches as (
      select * from ${ref('stg_ops__batches')}
      where is_active
    ),

    rule_results as (
      select * from ${ref('stg_ops__batch_rule_results')}
    ),

    final as (
      select
        -- ids
        concat_ws('|', r.batch_id, r.rule_id) as batch_rule_id,
        r.batch_id,
        b.source,
        b.source_system,
        b.hospital_code,
        -- period
        b.period,
        b.period_month,
        -- rule
        r.rule_id,
        r.rule_category,
        r.severity,
        -- counts
        r.rows_checked,
        r.rows_failed,
        r.rows_checked - r.rows_failed as rows_passed,
        case when r.rows_checked = 0 then 1
             else round(1 - r.rows_failed::numeric / r.rows_checked, 6) end as pass_rate,
        r.batch_threshold,
        r.is_flagged,
        -- dates
        b.loaded_at
      from rule_results r
      join batches b on b.batch_id = r.batch_id
    )

    select * from final`,
});
