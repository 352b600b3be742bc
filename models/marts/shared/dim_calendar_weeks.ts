import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_calendar_weeks',
  materialized: 'table',
  description:
    '周维表（ISO 周，周一开始）：从 calendar_start 到 calendar_end（models/project.ts 变量）之间的每一周，供连续数周的监测（如病组成本连续超支付标准）。',
  grain: 'One row per ISO week (Monday to Sunday).',
  primaryKey: 'week_start',
  columns: {
    week_start: { description: '周一日期' },
    week_end: { description: '周日日期' },
    iso_year: { description: 'ISO 周所属年' },
    iso_week: { description: 'ISO 周序号 1–53' },
    week_label: { description: '周标签（2025-W09）', tests: ['not_null', 'unique'] },
    month_start: { description: '周四所在月的月初（该周归属的月份）' },
  },
  sql: ({ var: v }) => sql`
    with weeks as (
      select generate_series(
        date_trunc('week', ${v('calendar_start')}::date),
        date_trunc('week', ${v('calendar_end')}::date),
        interval '1 week'
      )::date as week_start
    )

    select
      week_start,
      week_start + 6 as week_end,
      extract(isoyear from week_start)::integer as iso_year,
      extract(week from week_start)::integer as iso_week,
      to_char(week_start, 'IYYY-"W"IW') as week_label,
      date_trunc('month', week_start + 3)::date as month_start
    from weeks`,
});
