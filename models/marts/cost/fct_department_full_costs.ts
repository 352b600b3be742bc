import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

// STAND-IN for the contract of branch cost-alloc, which owns this file: replaced by its model at
// merge. Direct cost from the ledger, no step-down (received_level* = 0), outpatient/inpatient by
// the service split. Only here so that the cost-case models compile and build before the merge.
export default defineModel({
  name: 'fct_department_full_costs',
  materialized: 'table',
  description: '（占位，待 cost-alloc 分支替换）科室全成本：医院 × 月 × 科室 × 成本项目。',
  grain: 'One row per hospital, month, department and cost item.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code', 'cost_item_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    cost_month: { description: '月份', type: 'date' },
    dept_code: { description: '科室编码（院内）' },
    std_dept_code: { description: '标准科室编码' },
    cost_unit_class: { description: '核算单元类别' },
    cost_item_code: { description: '成本项目编码' },
    direct_cost: { description: '直接成本' },
    received_level1: { description: '一级分摊转入' },
    received_level2: { description: '二级分摊转入' },
    received_level3: { description: '三级分摊转入' },
    allocated_out: { description: '分摊转出' },
    full_cost: { description: '全成本' },
    outpatient_full_cost: { description: '门诊全成本' },
    inpatient_full_cost: { description: '住院全成本' },
  },
  sql: ({ ref }) => sql`
    with ledger as (
      select hospital_code, cost_month, dept_code, cost_item_code, sum(amount) as direct_cost
      from ${ref('stg_erp__cost_ledger')}
      group by 1, 2, 3, 4
    ),

    departments as (
      select d.hospital_code, d.dept_code, d.std_dept_code, s.dept_class
      from ${ref('stg_his__departments')} d
      join ${ref('standard_departments')} s on s.std_dept_code = d.std_dept_code
    ),

    split as (
      select * from ${ref('stg_erp__service_split')}
    )

    select
      l.hospital_code,
      l.cost_month,
      l.dept_code,
      d.std_dept_code,
      d.dept_class as cost_unit_class,
      l.cost_item_code,
      l.direct_cost,
      0::numeric as received_level1,
      0::numeric as received_level2,
      0::numeric as received_level3,
      0::numeric as allocated_out,
      l.direct_cost as full_cost,
      round(l.direct_cost * coalesce(s.outpatient_share, 0), 2) as outpatient_full_cost,
      l.direct_cost - round(l.direct_cost * coalesce(s.outpatient_share, 0), 2) as inpatient_full_cost
    from ledger l
    join departments d on d.hospital_code = l.hospital_code and d.dept_code = l.dept_code
    left join split s on s.hospital_code = l.hospital_code and s.split_month = l.cost_month and s.dept_code = l.dept_code`,
});
