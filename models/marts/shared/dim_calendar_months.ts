import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_calendar_months',
  materialized: 'table',
  description: '月份维表：从 calendar_start 到 calendar_end（models/project.ts 变量）的每个自然月。',
  grain: 'One row per calendar month.',
  primaryKey: 'month_start',
  columns: {
    month_start: { description: '月初日期' },
    month_end: { description: '月末日期' },
    year: { description: '年' },
    quarter: { description: '季度 1–4' },
    month: { description: '月 1–12' },
    month_label: { description: '月份标签（2025-03）', tests: ['not_null', 'unique'] },
    month_name: { description: '中文月份（2025年3月）' },
    days_in_month: { description: '当月天数' },
    previous_year_month_start: { description: '上年同月月初（同比）' },
  },
  sql: ({ var: v }) => sql`
    with months as (
      select generate_series(
        date_trunc('month', ${v('calendar_start')}::date),
        date_trunc('month', ${v('calendar_end')}::date),
        interval '1 month'
      )::date as month_start
    )

    select
      month_start,
      (month_start + interval '1 month - 1 day')::date as month_end,
      extract(year from month_start)::integer as year,
      extract(quarter from month_start)::integer as quarter,
      extract(month from month_start)::integer as month,
      to_char(month_start, 'YYYY-MM') as month_label,
      extract(year from month_start)::integer || '年' || extract(month from month_start)::integer || '月' as month_name,
      extract(day from month_start + interval '1 month - 1 day')::integer as days_in_month,
      (month_start - interval '1 year')::date as previous_year_month_start
    from months`,
});
