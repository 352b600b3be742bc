import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { dataQualityColumns } from './_columns.ts';

export default defineModel({
  name: 'fct_data_quality_exceptions',
  materialized: 'view',
  description: [
    '数据质量异常数：按来源、规则、医院、发现日期（及批次）汇总的异常条数，不含源行内容（明细见仅数据管理员可读的 fct_data_quality_exception_details）。',
    '口径：只计有效批次的异常（被更正交付替换的批次不计）；未解决 = 尚未经重放放行；仍隔离 = 该行仍因该规则留在隔离区。视图，随台账实时更新。',
  ].join(''),
  grain: 'One row per active batch, rule, severity and day the exceptions were found.',
  primaryKey: 'exception_group_id',
  tags: ['data_quality'],
  columns: {
    exception_group_id: { title: '异常汇总编号', description: '批次|规则|严重程度|日期 组成的行标识。' },
    batch_id: dataQualityColumns.batch_id,
    source: dataQualityColumns.source,
    source_system: dataQualityColumns.source_system,
    hospital_code: dataQualityColumns.hospital_code,
    rule_id: dataQualityColumns.rule_id,
    severity: dataQualityColumns.severity,
    detected_on: {
      title: '发现日期',
      description: '异常在入库（或重放）时被发现的日期。',
      tests: ['not_null'],
    },
    exception_count: { title: '异常数', description: '异常记录条数。', tests: ['not_null'] },
    open_exception_count: {
      title: '未解决异常数',
      description: '尚未经重放放行的异常条数。',
      tests: ['not_null'],
    },
    quarantined_count: {
      title: '仍隔离行数',
      description: '因该规则仍留在隔离区、等待修正与重放的行数。',
      tests: ['not_null'],
    },
  },
  tests: [
    { name: 'open_within_total', expression: 'open_exception_count between 0 and exception_count' },
    { name: 'quarantined_within_total', expression: 'quarantined_count between 0 and exception_count' },
  ],
  sql: ({ ref }) => sql`
    with batches as (
      select * from ${ref('stg_ops__batches')}
      where is_active
    ),

    exceptions as (
      select * from ${ref('stg_ops__exceptions')}
    ),

    held as (
      select distinct batch_id, source_line, unnest(rule_ids) as rule_id
      from ${ref('stg_ops__quarantine')}
      where quarantine_status = 'quarantined'
    ),

    counted as (
      select
        e.batch_id,
        e.rule_id,
        e.severity,
        e.detected_on,
        count(*) as exception_count,
        count(*) filter (where e.is_open) as open_exception_count,
        count(*) filter (where h.batch_id is not null) as quarantined_count
      from exceptions e
      left join held h
        on h.batch_id = e.batch_id and h.source_line = e.source_line and h.rule_id = e.rule_id
      group by 1, 2, 3, 4
    ),

    final as (
      select
        -- ids
        concat_ws('|', c.batch_id, c.rule_id, c.severity, c.detected_on) as exception_group_id,
        c.batch_id,
        b.source,
        b.source_system,
        b.hospital_code,
        -- rule
        c.rule_id,
        c.severity,
        -- dates
        c.detected_on,
        -- counts
        c.exception_count,
        c.open_exception_count,
        c.quarantined_count
      from counted c
      join batches b on b.batch_id = c.batch_id
    )

    select * from final`,
});
