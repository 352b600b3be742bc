import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_cost_allocation_drivers',
  materialized: 'table',
  description:
    '三级分摊的分摊参数：每个分摊方（行政后勤类、医疗辅助类、医疗技术类科室）每月按分摊规则种子（seeds/cost/cost_allocation_rules.csv，' +
    '医院规则优先于联盟规则，院内科室优先于标准科室优先于类别）选定的动因（seeds/cost/cost_drivers.csv），及每个受益科室的动因数量与占比。' +
    '受益科室只取分摊级次更靠后的类别（一级给医疗辅助、医疗技术、临床服务类，二级给医疗技术、临床服务类，三级给临床服务类），不含分摊方自身；' +
    '主动因当月在受益科室上合计为零时改用备用动因（is_fallback）；两者都为零的分摊方当月不分摊，成本留在本单元（见 fct_department_full_costs）。',
  grain: 'One row per hospital, month, sending unit and receiving unit.',
  primaryKey: ['hospital_code', 'cost_month', 'sender_dept_code', 'receiver_dept_code'],
  columns: {
    hospital_code: { title: '医院编码', description: '医联体成员医院编码。', tests: ['not_null'] },
    cost_month: {
      title: '成本月份',
      description: '会计期间（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    allocation_level: {
      title: '分摊级次',
      description: '1 行政后勤类、2 医疗辅助类、3 医疗技术类。',
      type: 'integer',
      tests: [{ accepted_values: [1, 2, 3] }],
    },
    sender_dept_code: { title: '分摊科室', description: '分摊方院内科室编码。', tests: ['not_null'] },
    receiver_dept_code: { title: '受益科室', description: '受益方院内科室编码。', tests: ['not_null'] },
    rule_id: { title: '分摊规则', description: '选用的分摊规则编号（种子）。', tests: ['not_null'] },
    driver_code: {
      title: '分摊动因',
      description: '实际使用的动因编码。',
      tests: ['not_null', { relationships: { to: 'cost_drivers', field: 'driver_code' } }],
    },
    is_fallback: { title: '是否备用动因', description: '主动因当月为零而改用备用动因。', type: 'boolean' },
    driver_quantity: {
      title: '动因数量',
      description: '受益科室的动因数量（大于零）。',
      tests: ['not_null', { expression: 'driver_quantity > 0' }],
    },
    total_driver_quantity: {
      title: '动因合计',
      description: '该分摊方当月全部受益科室的动因数量之和。',
      tests: ['not_null'],
    },
  },
  sql: ({ ref }) => sql`
    with units as (
      select * from ${ref('dim_cost_units')}
    ),

    months as (
      select distinct hospital_code, cost_month from ${ref('fct_department_direct_costs')}
    ),

    drivers as (
      select * from ${ref('cost_drivers')}
    ),

    rules as (
      select * from ${ref('cost_allocation_rules')}
    ),

    -- what each driver basis measures: per hospital, month, providing department (if any) and receiver
    measures as (
      select hospital_code, staff_month as cost_month, 'headcount' as basis, null::text as code,
        null::text as service_dept_code, dept_code as receiver_dept_code, total_staff::numeric as quantity
      from ${ref('stg_erp__headcount')}
      union all
      select m.hospital_code, m.cost_month, 'floor_area', null, null, a.dept_code, a.floor_area_m2::numeric
      from months m
      join ${ref('stg_erp__floor_area')} a on a.hospital_code = m.hospital_code
      union all
      select hospital_code, driver_month, 'erp_driver', driver_code, service_dept_code, dept_code, quantity::numeric
      from ${ref('stg_erp__allocation_drivers')}
      union all
      select hospital_code, work_month, 'lab_workload', null, exec_dept_code, order_dept_code, exam_count::numeric
      from ${ref('stg_lab__workload')}
      union all
      select hospital_code, date_trunc('month', charged_at)::date, 'ordered_revenue', null, exec_dept_code,
        order_dept_code, sum(amount)::numeric
      from ${ref('stg_his__charge_lines')}
      group by hospital_code, date_trunc('month', charged_at)::date, exec_dept_code, order_dept_code
    ),

    driver_parts as (
      select d.driver_code, d.basis, d.from_sender, p.code
      from drivers d
      cross join lateral unnest(
        case when d.source_codes is null then array[null::text] else string_to_array(d.source_codes, '|') end
      ) as p(code)
    ),

    sender_rules as (
      select distinct on (u.hospital_code, u.dept_code)
        u.hospital_code,
        u.dept_code,
        u.allocation_level,
        r.rule_id,
        r.driver_code,
        r.fallback_driver_code
      from units u
      join rules r
        on (r.hospital_code is null or r.hospital_code = u.hospital_code)
        and (
          r.sender_dept_code = u.dept_code
          or (r.sender_dept_code is null and r.sender_std_dept_code = u.std_dept_code)
          or (r.sender_dept_code is null and r.sender_std_dept_code is null and r.sender_class = u.cost_unit_class)
        )
      where u.allocation_level is not null
      order by
        u.hospital_code,
        u.dept_code,
        (r.hospital_code is null),
        case when r.sender_dept_code is not null then 0 when r.sender_std_dept_code is not null then 1 else 2 end,
        r.rule_id
    ),

    candidates as (
      select
        m.hospital_code,
        m.cost_month,
        s.allocation_level,
        s.dept_code as sender_dept_code,
        m.receiver_dept_code,
        s.rule_id,
        w.driver_code,
        w.is_fallback,
        sum(m.quantity) as driver_quantity
      from sender_rules s
      cross join lateral (
        values (s.driver_code, false), (s.fallback_driver_code, true)
      ) as w(driver_code, is_fallback)
      join driver_parts p on p.driver_code = w.driver_code
      join measures m
        on m.hospital_code = s.hospital_code
        and m.basis = p.basis
        and m.code is not distinct from p.code
        and (not p.from_sender or m.service_dept_code = s.dept_code)
      join units r on r.hospital_code = m.hospital_code and r.dept_code = m.receiver_dept_code
      where r.dept_code <> s.dept_code
        and (r.allocation_level is null or r.allocation_level > s.allocation_level)
      group by 1, 2, 3, 4, 5, 6, 7, 8
      having sum(m.quantity) > 0
    ),

    chosen as (
      select
        *,
        bool_or(not is_fallback) over (partition by hospital_code, cost_month, sender_dept_code) as has_primary
      from candidates
    ),

    final as (
      select
        hospital_code,
        cost_month,
        allocation_level,
        sender_dept_code,
        receiver_dept_code,
        rule_id,
        driver_code,
        is_fallback,
        driver_quantity,
        sum(driver_quantity) over (partition by hospital_code, cost_month, sender_dept_code) as total_driver_quantity
      from chosen
      where is_fallback = not has_primary
    )

    select * from final`,
});
