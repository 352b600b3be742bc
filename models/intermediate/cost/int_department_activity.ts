import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_department_activity',
  materialized: 'table',
  description:
    '科室月度业务量与收入（单位成本与本量利分析的分母）：门急诊人次（HIS 门诊就诊，按就诊科室与就诊月）、' +
    '实际占用床日（HIS 住院就诊按出院科室，住院期间与当月相交的天数：入院日起算、出院日不计，同日出入院计 1 天；' +
    '住院记录按出院月交付，月末仍在院的病人在其出院交付后计入）、出院人次与出院者占用总床日（按出院月，另一口径），' +
    '以及开单收入（HIS 收费明细按开单科室与收费月，入库明细之和）。',
  grain: 'One row per hospital, month and local department with any activity.',
  primaryKey: ['hospital_code', 'activity_month', 'dept_code'],
  columns: {
    hospital_code: { title: '医院编码', description: '医联体成员医院编码。', tests: ['not_null'] },
    activity_month: {
      title: '月份',
      description: '业务月份（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    dept_code: { title: '科室编码', description: '院内科室编码。', tests: ['not_null'] },
    outpatient_visits: { title: '门急诊人次', description: '当月门急诊就诊人次。', type: 'bigint' },
    occupied_bed_days: { title: '实际占用床日', description: '当月实际占用床日数。', type: 'bigint' },
    discharges: { title: '出院人次', description: '当月出院人次。', type: 'bigint' },
    discharged_bed_days: {
      title: '出院者占用总床日',
      description: '当月出院病人的住院天数之和（按出院月归集，另一口径）。',
      type: 'bigint',
    },
    ordered_revenue: {
      title: '开单收入',
      description: '本科室开单的医疗收入（元），含药品、耗材与医技执行项目。',
      type: 'numeric(18, 2)',
      format: 'currency',
    },
  },
  sql: ({ ref }) => sql`
    with outpatient as (
      select hospital_code, date_trunc('month', visited_at)::date as activity_month, dept_code, count(*) as visits
      from ${ref('stg_his__outpatient_visits')}
      group by 1, 2, 3
    ),

    stays as (
      select
        hospital_code,
        discharge_dept_code as dept_code,
        admitted_at::date as first_day,
        -- the day after the last occupied night; a same-day stay occupies its one day
        greatest(discharged_at::date, admitted_at::date + 1) as end_day,
        date_trunc('month', discharged_at)::date as discharge_month
      from ${ref('stg_his__inpatient_visits')}
    ),

    bed_days as (
      select
        s.hospital_code,
        m.month::date as activity_month,
        s.dept_code,
        sum(least(s.end_day, (m.month + interval '1 month')::date) - greatest(s.first_day, m.month::date)) as bed_days
      from stays s
      cross join lateral generate_series(
        date_trunc('month', s.first_day), date_trunc('month', s.end_day - 1), interval '1 month'
      ) as m(month)
      group by 1, 2, 3
    ),

    discharges as (
      select hospital_code, discharge_month as activity_month, dept_code, count(*) as discharges,
        sum(end_day - first_day) as bed_days
      from stays
      group by 1, 2, 3
    ),

    revenue as (
      select hospital_code, charge_month as activity_month, order_dept_code as dept_code, sum(amount) as revenue
      from ${ref('int_charge_lines__summed_by_department')}
      group by 1, 2, 3
    ),

    keys as (
      select hospital_code, activity_month, dept_code from outpatient
      union select hospital_code, activity_month, dept_code from bed_days
      union select hospital_code, activity_month, dept_code from discharges
      union select hospital_code, activity_month, dept_code from revenue
    ),

    final as (
      select
        k.hospital_code,
        k.activity_month,
        k.dept_code,
        coalesce(o.visits, 0)::bigint as outpatient_visits,
        coalesce(b.bed_days, 0)::bigint as occupied_bed_days,
        coalesce(d.discharges, 0)::bigint as discharges,
        coalesce(d.bed_days, 0)::bigint as discharged_bed_days,
        coalesce(r.revenue, 0)::numeric(18, 2) as ordered_revenue
      from keys k
      left join outpatient o using (hospital_code, activity_month, dept_code)
      left join bed_days b using (hospital_code, activity_month, dept_code)
      left join discharges d using (hospital_code, activity_month, dept_code)
      left join revenue r using (hospital_code, activity_month, dept_code)
      where k.dept_code is not null and k.dept_code <> '' and k.activity_month is not null
    )

    select * from final`,
});
