import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_cost_allocation_drivers',
  materialized: 'table',
  // analysed from a 3,000-row sample, as int_charge_lines__summed_by_item says why
  plannerSettings: { default_statistics_target: '10' },
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
  unitTests: [
    {
      // The five units of the hand-worked example (int_department_costs__allocated) in one month:
      // - ADM: the alliance allocates 行政后勤类 by floor area (R1), this hospital by headcount (R2);
      //   the hospital's rule wins → SUP 1, LAB 2, MED 3, SUR 3 heads (ADM's own 2 heads excluded), Σ 9.
      // - SUP: its standard department's rule (R4, packs) beats its class rule (R3, headcount); only
      //   the packs SUP itself delivered count (XXX's 5 packs to MED do not) → LAB, MED, SUR 1 each.
      // - LAB: no LAB_TESTS rows this month (only December's) → fallback ORDERED_REVENUE: charge
      //   lines LAB executed, by ordering unit: MED 200, SUR 100; SUP's 30 is dropped
      //   (医疗辅助类 does not receive at level 3), MED's own-executed 500 is not LAB's → Σ 300.
      name: 'rules by precedence, sender-own drivers, eligible receivers, fallback',
      given: {
        dim_cost_units: [
          ['ADM', 'D01', '行政后勤类', 1],
          ['SUP', 'C01', '医疗辅助类', 2],
          ['LAB', 'A30', '医疗技术类', 3],
          ['MED', 'A03', '临床服务类', null],
          ['SUR', 'A04', '临床服务类', null],
        ].map(([dept, std, cls, level]) => ({
          hospital_code: 'H',
          dept_code: dept!,
          std_dept_code: std!,
          cost_unit_class: cls!,
          allocation_level: level ?? null,
        })),
        fct_department_direct_costs: {
          rows: [{ hospital_code: 'H', cost_month: '2024-01-01' }],
          types: { cost_month: 'date' },
        },
        cost_drivers: [
          ['HEADCOUNT', 'headcount', null, false],
          ['FLOOR_AREA', 'floor_area', null, false],
          ['STERILE_PACKS', 'erp_driver', 'STERILE_PACKS', true],
          ['LAB_TESTS', 'erp_driver', 'LAB_TESTS', true],
          ['ORDERED_REVENUE', 'ordered_revenue', null, true],
        ].map(([code, basis, source, own]) => ({
          driver_code: code!,
          basis: basis!,
          source_codes: source ?? null,
          from_sender: own!,
        })),
        cost_allocation_rules: [
          ['R1', null, null, '行政后勤类', 'FLOOR_AREA', null],
          ['R2', 'H', null, '行政后勤类', 'HEADCOUNT', null],
          ['R3', null, null, '医疗辅助类', 'HEADCOUNT', null],
          ['R4', null, 'C01', null, 'STERILE_PACKS', 'HEADCOUNT'],
          ['R5', null, 'A30', null, 'LAB_TESTS', 'ORDERED_REVENUE'],
        ].map(([id, hospital, std, cls, driver, fallback]) => ({
          rule_id: id!,
          hospital_code: hospital ?? null,
          sender_dept_code: null,
          sender_std_dept_code: std ?? null,
          sender_class: cls ?? null,
          driver_code: driver!,
          fallback_driver_code: fallback ?? null,
        })),
        stg_erp__headcount: {
          rows: [
            ['ADM', 2],
            ['SUP', 1],
            ['LAB', 2],
            ['MED', 3],
            ['SUR', 3],
          ].map(([dept, heads]) => ({
            hospital_code: 'H',
            staff_month: '2024-01-01',
            dept_code: dept!,
            total_staff: heads!,
          })),
          types: { staff_month: 'date' },
        },
        stg_erp__floor_area: ['ADM', 'SUP', 'LAB', 'MED', 'SUR'].map((dept) => ({
          hospital_code: 'H',
          dept_code: dept,
          floor_area_m2: dept === 'SUR' ? 50 : 10,
        })),
        stg_erp__allocation_drivers: {
          rows: [
            ['2024-01-01', 'STERILE_PACKS', 'SUP', 'LAB', 1],
            ['2024-01-01', 'STERILE_PACKS', 'SUP', 'MED', 1],
            ['2024-01-01', 'STERILE_PACKS', 'SUP', 'SUR', 1],
            ['2024-01-01', 'STERILE_PACKS', 'XXX', 'MED', 5],
            ['2023-12-01', 'LAB_TESTS', 'LAB', 'MED', 7],
          ].map(([month, driver, service, dept, quantity]) => ({
            hospital_code: 'H',
            driver_month: month!,
            driver_code: driver!,
            service_dept_code: service!,
            dept_code: dept!,
            quantity: quantity!,
          })),
          types: { driver_month: 'date' },
        },
        stg_lab__workload: {
          rows: [
            {
              hospital_code: 'H',
              work_month: '2024-01-01',
              exec_dept_code: 'LAB',
              order_dept_code: 'MED',
              exam_count: 4,
            },
          ],
          types: { work_month: 'date' },
        },
        int_charge_lines__summed_by_department: {
          rows: [
            ['LAB', 'MED', 200],
            ['LAB', 'SUR', 100],
            ['LAB', 'SUP', 30],
            ['MED', 'MED', 500],
          ].map(([exec, order, amount]) => ({
            hospital_code: 'H',
            charge_month: '2024-01-01',
            exec_dept_code: exec!,
            order_dept_code: order!,
            amount: amount!,
          })),
          types: { charge_month: 'date' },
        },
      },
      expect: [
        ['ADM', 'SUP', 'R2', 'HEADCOUNT', false, 1, 9],
        ['ADM', 'LAB', 'R2', 'HEADCOUNT', false, 2, 9],
        ['ADM', 'MED', 'R2', 'HEADCOUNT', false, 3, 9],
        ['ADM', 'SUR', 'R2', 'HEADCOUNT', false, 3, 9],
        ['SUP', 'LAB', 'R4', 'STERILE_PACKS', false, 1, 3],
        ['SUP', 'MED', 'R4', 'STERILE_PACKS', false, 1, 3],
        ['SUP', 'SUR', 'R4', 'STERILE_PACKS', false, 1, 3],
        ['LAB', 'MED', 'R5', 'ORDERED_REVENUE', true, 200, 300],
        ['LAB', 'SUR', 'R5', 'ORDERED_REVENUE', true, 100, 300],
      ].map(([sender, receiver, rule, driver, fallback, quantity, total]) => ({
        sender_dept_code: sender!,
        receiver_dept_code: receiver!,
        rule_id: rule!,
        driver_code: driver!,
        is_fallback: fallback!,
        driver_quantity: quantity!,
        total_driver_quantity: total!,
      })),
    },
  ],
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
    measured as (
      select hospital_code, staff_month as cost_month, 'headcount' as basis, '' as code,
        '' as service_dept_code, dept_code as receiver_dept_code, total_staff::numeric as quantity
      from ${ref('stg_erp__headcount')}
      union all
      select m.hospital_code, m.cost_month, 'floor_area', '', '', a.dept_code, a.floor_area_m2::numeric
      from months m
      join ${ref('stg_erp__floor_area')} a on a.hospital_code = m.hospital_code
      union all
      select hospital_code, driver_month, 'erp_driver', driver_code, service_dept_code, dept_code, quantity::numeric
      from ${ref('stg_erp__allocation_drivers')}
      union all
      select hospital_code, work_month, 'lab_workload', '', exec_dept_code, order_dept_code, exam_count::numeric
      from ${ref('stg_lab__workload')}
      union all
      select hospital_code, charge_month, 'ordered_revenue', '', exec_dept_code, order_dept_code, amount
      from ${ref('int_charge_lines__summed_by_department')}
    ),

    -- only ledger months, only known receiving units (with their level, to test eligibility)
    measures as (
      select m.*, r.allocation_level as receiver_level
      from measured m
      join months mo on mo.hospital_code = m.hospital_code and mo.cost_month = m.cost_month
      join units r on r.hospital_code = m.hospital_code and r.dept_code = m.receiver_dept_code
    ),

    driver_parts as (
      select d.driver_code, d.basis, d.from_sender, p.code
      from drivers d
      cross join lateral unnest(
        case when d.source_codes is null then array[''] else string_to_array(d.source_codes, '|') end
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

    -- each sender's primary and fallback driver, as the measures they sum
    sender_drivers as (
      select
        s.hospital_code,
        s.dept_code as sender_dept_code,
        s.allocation_level,
        s.rule_id,
        w.driver_code,
        w.is_fallback,
        p.basis,
        p.code,
        p.from_sender
      from sender_rules s
      cross join lateral (
        values (s.driver_code, false), (s.fallback_driver_code, true)
      ) as w(driver_code, is_fallback)
      join driver_parts p on p.driver_code = w.driver_code
    ),

    -- equality joins only (hashable): what the sender itself provided, or what anyone measured
    matched as (
      select d.*, m.cost_month, m.receiver_dept_code, m.receiver_level, m.quantity
      from sender_drivers d
      join measures m
        on m.hospital_code = d.hospital_code and m.basis = d.basis and m.code = d.code
        and m.service_dept_code = d.sender_dept_code
      where d.from_sender
      union all
      select d.*, m.cost_month, m.receiver_dept_code, m.receiver_level, m.quantity
      from sender_drivers d
      join measures m on m.hospital_code = d.hospital_code and m.basis = d.basis and m.code = d.code
      where not d.from_sender
    ),

    candidates as (
      select
        x.hospital_code,
        x.cost_month,
        x.allocation_level,
        x.sender_dept_code,
        x.receiver_dept_code,
        x.rule_id,
        x.driver_code,
        x.is_fallback,
        sum(x.quantity) as driver_quantity
      from matched x
      where x.receiver_dept_code <> x.sender_dept_code
        and (x.receiver_level is null or x.receiver_level > x.allocation_level)
      group by 1, 2, 3, 4, 5, 6, 7, 8
      having sum(x.quantity) > 0
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
