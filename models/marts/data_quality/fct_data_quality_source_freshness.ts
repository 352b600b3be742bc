import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_data_quality_source_freshness',
  materialized: 'view',
  description: [
    '数据及时性：每个来源 × 医院一行，最近一次入库时间、距今小时数、最新数据月份，以及最近一次 hdw source freshness 按来源声明的阈值（warn / error）判定的状态。',
    '口径：只计有效批次；最新数据月份只取月度交付（字典的 current 等快照、数据库增量没有月份，不参与比较）；',
    '从未交付的来源在最近一次检查中以医院为空的一行出现（状态 error）；未检查过的来源医院状态为空。视图，距今小时数按查询时刻计算。',
  ].join(''),
  grain: 'One row per source and hospital with an active batch or in the latest freshness check.',
  primaryKey: 'source_freshness_id',
  tags: ['data_quality'],
  columns: {
    source_freshness_id: {
      title: '及时性编号',
      description: '来源|医院 组成的行标识（从未交付时医院为 *）。',
    },
    source: {
      title: '数据来源',
      description: '来源系统与交付类型，如 his.charge_lines。',
      tests: ['not_null'],
    },
    source_system: { title: '来源系统', description: '来源系统，如 his、emr。', tests: ['not_null'] },
    hospital_code: { title: '医院编码', description: '交付该来源的成员医院编码；从未交付的来源为空。' },
    last_loaded_at: { title: '最近入库时间', description: '该来源该医院最近一个有效批次入库的时间。' },
    hours_since_last_load: {
      title: '距最近入库小时数',
      description: '从最近一次入库到现在经过的小时数，用于判断数据是否及时。',
    },
    latest_period: {
      title: '最新数据期间',
      description: '已交付的最新月度期间（YYYY-MM）；快照与增量不计。',
    },
    latest_period_month: { title: '最新数据月份', description: '最新月度期间的第一天。' },
    active_batch_count: {
      title: '有效批次数',
      description: '该来源该医院的有效批次个数。',
      tests: ['not_null'],
    },
    warn_after_hours: { title: '警告阈值（小时）', description: '最近入库超过此小时数即警告（来源声明）。' },
    error_after_hours: {
      title: '错误阈值（小时）',
      description: '最近入库超过此小时数即判为超期（来源声明）。',
    },
    freshness_status: {
      title: '及时性状态',
      description: '最近一次检查的结果：pass 及时，warn 警告，error 超期或从未交付；未检查为空。',
      tests: [{ accepted_values: ['pass', 'warn', 'error'] }],
    },
    checked_at: { title: '检查时间', description: '最近一次 hdw source freshness 检查的时间。' },
  },
  sql: ({ ref }) => sql`
    with batches as (
      select * from ${ref('stg_ops__batches')}
      where is_active
    ),

    checks as (
      select * from ${ref('stg_ops__source_freshness_checks')}
    ),

    loads as (
      select
        source,
        hospital_code,
        max(loaded_at) as last_loaded_at,
        max(period) filter (where period_kind = 'month') as latest_period,
        max(period_month) as latest_period_month,
        count(*) as active_batch_count
      from batches
      group by 1, 2
    ),

    latest_checks as (
      select * from checks
      where check_run_id = (select max(check_run_id) from checks)
    ),

    joined as (
      select
        coalesce(l.source, c.source) as source,
        coalesce(l.hospital_code, c.hospital_code) as hospital_code,
        l.last_loaded_at,
        l.latest_period,
        l.latest_period_month,
        coalesce(l.active_batch_count, 0) as active_batch_count,
        c.warn_after_hours,
        c.error_after_hours,
        c.freshness_status,
        c.checked_at
      from loads l
      full join latest_checks c on c.source = l.source and c.hospital_code = l.hospital_code
    ),

    final as (
      select
        -- ids
        concat_ws('|', source, coalesce(hospital_code, '*')) as source_freshness_id,
        source,
        split_part(source, '.', 1) as source_system,
        hospital_code,
        -- loads
        last_loaded_at,
        round(extract(epoch from now() - last_loaded_at) / 3600, 1) as hours_since_last_load,
        latest_period,
        latest_period_month,
        active_batch_count,
        -- the latest check
        warn_after_hours,
        error_after_hours,
        freshness_status,
        checked_at
      from joined
    )

    select * from final`,
});
