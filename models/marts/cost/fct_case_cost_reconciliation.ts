import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_case_cost_reconciliation',
  materialized: 'table',
  description: [
    '病例成本对账：每个科室每月，出院病例的项目叠加法成本之和（归集到病例的成本）与该科室的住院全成本（fct_department_full_costs.inpatient_full_cost）对比，',
    '差额为未归集到病例的成本（unattributed_cost），单列一行不丢失。差额来源：当月发生、病例尚未出院（或已在上月前出院）的明细成本，',
    '出院记录被隔离的病例，病例成本按年度单位成本计而科室成本按月发生，以及项目叠加法与分摊法的口径差。',
    '科室为院内编码；病例按出院科室、出院月份归集。',
  ].join(''),
  grain: 'One row per hospital, month and department with inpatient cost or discharged cases.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code'],
  columns: {
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    cost_month: { title: '月份', description: '成本月份 / 出院月份（当月第一天）。', type: 'date' },
    dept_code: { title: '科室编码', description: '科室（院内编码）。' },
    inpatient_full_cost: {
      title: '住院全成本',
      description: '科室当月住院全成本（元，成本分摊结果）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    case_count: { title: '出院病例数', description: '当月该科室出院、已计算成本的病例数。', type: 'bigint' },
    case_cost: {
      title: '归集到病例的成本',
      description: '当月该科室出院病例的项目叠加法成本合计（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    case_cost_ccr: {
      title: '归集到病例的成本（成本收入比法）',
      description: '当月该科室出院病例的成本收入比法成本合计（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    unattributed_cost: {
      title: '未归集到病例的成本',
      description: '住院全成本 − 归集到病例的成本（元，对账差额）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
  },
  tests: [{ name: 'reconciles', expression: 'case_cost + unattributed_cost = inpatient_full_cost' }],
  sql: ({ ref }) => sql`
    with full_costs as (
      select * from ${ref('fct_department_full_costs')}
    ),

    cases as (
      select * from ${ref('fct_case_costs')}
    ),

    department_months as (
      select hospital_code, cost_month, dept_code, sum(inpatient_full_cost) as inpatient_full_cost
      from full_costs
      group by 1, 2, 3
    ),

    case_months as (
      select
        hospital_code,
        discharge_month as cost_month,
        dept_code,
        count(*) as case_count,
        sum(case_cost) as case_cost,
        sum(case_cost_ccr) as case_cost_ccr
      from cases
      group by 1, 2, 3
    ),

    final as (
      select
        coalesce(d.hospital_code, c.hospital_code) as hospital_code,
        coalesce(d.cost_month, c.cost_month) as cost_month,
        coalesce(d.dept_code, c.dept_code) as dept_code,
        coalesce(d.inpatient_full_cost, 0)::numeric(18, 2) as inpatient_full_cost,
        coalesce(c.case_count, 0)::bigint as case_count,
        coalesce(c.case_cost, 0)::numeric(18, 2) as case_cost,
        coalesce(c.case_cost_ccr, 0)::numeric(18, 2) as case_cost_ccr,
        (coalesce(d.inpatient_full_cost, 0) - coalesce(c.case_cost, 0))::numeric(18, 2) as unattributed_cost
      from department_months d
      full join case_months c
        on c.hospital_code = d.hospital_code and c.cost_month = d.cost_month and c.dept_code = d.dept_code
    )

    select * from final`,
});
