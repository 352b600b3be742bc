import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { exampleDirectCosts } from './_hand_worked_example.ts';

const money = (title: string, description: string) => ({
  title,
  description,
  type: 'numeric(18, 2)',
  format: 'currency' as const,
  tests: ['not_null' as const],
});

export default defineModel({
  name: 'fct_department_full_costs',
  materialized: 'table',
  // analysed from a 3,000-row sample, as int_charge_lines__summed_by_item says why
  plannerSettings: { default_statistics_target: '10' },
  description:
    '科室全成本表（临床服务类科室全成本表，及其余三类单元的成本去向）：医院 × 月 × 核算单元 × 成本项目的直接成本、' +
    '一级/二级/三级分摊转入（int_department_costs__allocated，逐项目、最大余额法到分）、本单元分出、' +
    '全成本 = 直接成本 + 各级转入 − 分出。临床服务类的全成本即其“医疗成本”口径的科室全成本；' +
    '其余三类单元的全成本为零，除非某月其动因与备用动因都为零而未能分出——这部分“留在本单元的成本”照实列在该单元的全成本中，' +
    '因此全院各单元全成本之和始终等于入库账面成本。门诊/住院全成本按该单元当月 ERP 划分比例（无比例时按 dim_cost_units 的默认占比）划分：' +
    '门诊 = round(全成本 × 门诊占比, 2)，住院 = 全成本 − 门诊。全成本构成分析取 full_cost_share（该项目占本单元当月全成本的比例）。',
  grain: 'One row per hospital, month, local department (cost unit of any class) and cost item.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code', 'cost_item_code'],
  columns: {
    department_cost_id: {
      title: '科室成本编号',
      description: '医院|科室|月份|成本项目 组成的行标识。',
      tests: ['unique', 'not_null'],
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    cost_month: {
      title: '成本月份',
      description: '会计期间（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    dept_code: { title: '科室编码', description: '院内科室编码（核算单元）。', tests: ['not_null'] },
    std_dept_code: { title: '标准科室编码', description: '联盟标准科室编码。', tests: ['not_null'] },
    cost_unit_class: {
      title: '核算单元类别',
      description: '临床服务类、医疗技术类、医疗辅助类或行政后勤类。',
      tests: [{ accepted_values: ['临床服务类', '医疗技术类', '医疗辅助类', '行政后勤类'] }],
    },
    cost_item_code: { title: '成本项目编码', description: '成本项目编码 01–07。', tests: ['not_null'] },
    hospital_name: { title: '医院名称', description: '医联体成员医院名称。' },
    dept_name: { title: '科室名称', description: '院内科室名称。' },
    std_dept_name: { title: '标准科室名称', description: '联盟标准科室名称。' },
    cost_item_name: { title: '成本项目', description: '成本项目名称。' },
    controllability: {
      title: '可控性',
      description: '可控/不可控（成本项目种子）。',
      tests: [{ accepted_values: ['可控', '不可控'] }],
    },
    cost_behaviour: {
      title: '成本性态',
      description: '固定/变动（成本项目种子），本量利分析按此划分。',
      tests: [{ accepted_values: ['固定', '变动'] }],
    },
    direct_cost: money('直接成本', '本单元账面直接成本（元）。'),
    received_level1: money('一级分摊转入', '从行政后勤类科室分摊转入（元）。'),
    received_level2: money('二级分摊转入', '从医疗辅助类科室分摊转入（元）。'),
    received_level3: money('三级分摊转入', '从医疗技术类科室分摊转入（元）。'),
    indirect_cost: money('间接成本', '各级分摊转入之和（元）。'),
    allocated_out: money('分出成本', '本单元分摊给其他单元的成本（直接成本与已转入之和，元）。'),
    full_cost: money('全成本', '直接成本 + 各级转入 − 分出（元）；临床服务类科室即其全成本。'),
    outpatient_share: {
      title: '门诊占比',
      description: '当月门诊成本占比（ERP 划分比例，无则取默认占比）。',
      type: 'numeric(9, 6)',
      format: 'percent',
    },
    outpatient_full_cost: money('门诊全成本', '全成本按当月门诊占比划分的部分（元，四舍五入到分）。'),
    inpatient_full_cost: money('住院全成本', '全成本减门诊全成本（元），两者之和等于全成本。'),
    full_cost_share: {
      title: '占科室全成本比例',
      description: '该成本项目占本单元当月全成本的比例（全成本构成分析）。',
      type: 'numeric(9, 6)',
      format: 'percent',
    },
  },
  unitTests: [
    {
      // The hand-worked example of int_department_costs__allocated, carried on (yuan):
      //   MED 01: 300.00 direct + 33.34 (L1) + 20.37 (L2) + 81.73 (L3) = 435.44
      //   MED 02:  40.00 + 0 + 6.67 + 24.45 = 71.12            → MED full 506.56
      //   SUR 01: 200.00 + 33.33 + 20.37 + 40.86 = 294.56
      //   SUR 02:  60.00 + 0 + 6.66 + 12.22 = 78.88            → SUR full 373.44
      //   Σ clinical 880.00 = the ledger (100 + 70 + 110 + 340 + 260); every sender ends at 0:
      //   SUP 01 50.00 + 11.11 − 61.11, LAB 01 80.00 + 22.22 + 20.37 − 122.59, LAB 02 30.00 + 6.67 − 36.67.
      // MED's ERP split gives outpatient 0.25: 01 round(435.44 × 0.25) = 108.86, inpatient 326.58;
      // 02 round(71.12 × 0.25) = 17.78, inpatient 53.34. SUR has no split row and is a ward
      // (default share 0): all inpatient. Shares of full cost: 435.44 / 506.56 = 0.859602,
      // 71.12 / 506.56 = 0.140398, 294.56 / 373.44 = 0.788775, 78.88 / 373.44 = 0.211225.
      name: 'full cost = direct + received per level − allocated out, split by service',
      given: {
        dim_cost_units: [
          ['ADM', '行政后勤类', 1],
          ['SUP', '医疗辅助类', 1],
          ['LAB', '医疗技术类', 0.5],
          ['MED', '临床服务类', 0.5],
          ['SUR', '临床服务类', 0],
        ].map(([dept, cls, share]) => ({
          hospital_code: 'H',
          dept_code: dept!,
          dept_name: dept!,
          std_dept_code: dept!,
          std_dept_name: dept!,
          cost_unit_class: cls!,
          default_outpatient_share: share!,
        })),
        cost_items: [
          {
            cost_item_code: '01',
            cost_item_name: '人员经费',
            controllability: '可控',
            cost_behaviour: '固定',
          },
          {
            cost_item_code: '02',
            cost_item_name: '卫生材料费',
            controllability: '可控',
            cost_behaviour: '变动',
          },
        ],
        dim_hospitals: [{ hospital_code: 'H', hospital_name: '示例医院' }],
        stg_erp__service_split: {
          rows: [{ hospital_code: 'H', split_month: '2024-01-01', dept_code: 'MED', outpatient_share: 0.25 }],
          types: { split_month: 'date' },
        },
        fct_department_direct_costs: exampleDirectCosts,
        int_department_costs__allocated: {
          rows: [
            ['ADM', 'SUP', '01', 1, 11.11],
            ['ADM', 'LAB', '01', 1, 22.22],
            ['ADM', 'MED', '01', 1, 33.34],
            ['ADM', 'SUR', '01', 1, 33.33],
            ['SUP', 'LAB', '01', 2, 20.37],
            ['SUP', 'MED', '01', 2, 20.37],
            ['SUP', 'SUR', '01', 2, 20.37],
            ['SUP', 'LAB', '02', 2, 6.67],
            ['SUP', 'MED', '02', 2, 6.67],
            ['SUP', 'SUR', '02', 2, 6.66],
            ['LAB', 'MED', '01', 3, 81.73],
            ['LAB', 'SUR', '01', 3, 40.86],
            ['LAB', 'MED', '02', 3, 24.45],
            ['LAB', 'SUR', '02', 3, 12.22],
          ].map(([sender, receiver, item, level, amount]) => ({
            hospital_code: 'H',
            cost_month: '2024-01-01',
            sender_dept_code: sender!,
            receiver_dept_code: receiver!,
            cost_item_code: item!,
            allocation_level: level!,
            allocated_amount: amount!,
          })),
          types: { cost_month: 'date', allocation_level: 'integer' },
        },
      },
      expect: [
        ['ADM', '01', 100, 0, 0, 0, 100, 0, 0, 0, null],
        ['SUP', '01', 50, 11.11, 0, 0, 61.11, 0, 0, 0, null],
        ['SUP', '02', 20, 0, 0, 0, 20, 0, 0, 0, null],
        ['LAB', '01', 80, 22.22, 20.37, 0, 122.59, 0, 0, 0, null],
        ['LAB', '02', 30, 0, 6.67, 0, 36.67, 0, 0, 0, null],
        ['MED', '01', 300, 33.34, 20.37, 81.73, 0, 435.44, 108.86, 326.58, 0.859602],
        ['MED', '02', 40, 0, 6.67, 24.45, 0, 71.12, 17.78, 53.34, 0.140398],
        ['SUR', '01', 200, 33.33, 20.37, 40.86, 0, 294.56, 0, 294.56, 0.788775],
        ['SUR', '02', 60, 0, 6.66, 12.22, 0, 78.88, 0, 78.88, 0.211225],
      ].map(([dept, item, direct, l1, l2, l3, out, full, op, ip, share]) => ({
        dept_code: dept!,
        cost_item_code: item!,
        direct_cost: direct!,
        received_level1: l1!,
        received_level2: l2!,
        received_level3: l3!,
        allocated_out: out!,
        full_cost: full!,
        outpatient_full_cost: op!,
        inpatient_full_cost: ip!,
        full_cost_share: share ?? null,
      })),
    },
  ],
  sql: ({ ref }) => sql`
    with units as (
      select * from ${ref('dim_cost_units')}
    ),

    items as (
      select * from ${ref('cost_items')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    split as (
      select * from ${ref('stg_erp__service_split')}
    ),

    allocated as (
      select * from ${ref('int_department_costs__allocated')}
    ),

    movements as (
      select hospital_code, cost_month, dept_code, cost_item_code, direct_cost, 0 as level, 0 as amount
      from ${ref('fct_department_direct_costs')}
      union all
      select hospital_code, cost_month, receiver_dept_code, cost_item_code, 0, allocation_level, allocated_amount
      from allocated
      union all
      select hospital_code, cost_month, sender_dept_code, cost_item_code, 0, -1, allocated_amount
      from allocated
    ),

    cells as (
      select
        hospital_code,
        cost_month,
        dept_code,
        cost_item_code,
        sum(direct_cost) as direct_cost,
        sum(amount) filter (where level = 1) as received_level1,
        sum(amount) filter (where level = 2) as received_level2,
        sum(amount) filter (where level = 3) as received_level3,
        sum(amount) filter (where level = -1) as allocated_out
      from movements
      group by 1, 2, 3, 4
    ),

    costed as (
      select
        c.*,
        coalesce(c.received_level1, 0) + coalesce(c.received_level2, 0) + coalesce(c.received_level3, 0)
          as indirect_cost,
        c.direct_cost + coalesce(c.received_level1, 0) + coalesce(c.received_level2, 0)
          + coalesce(c.received_level3, 0) - coalesce(c.allocated_out, 0) as full_cost,
        coalesce(s.outpatient_share, u.default_outpatient_share) as outpatient_share
      from cells c
      join units u on u.hospital_code = c.hospital_code and u.dept_code = c.dept_code
      left join split s on s.hospital_code = c.hospital_code and s.dept_code = c.dept_code and s.split_month = c.cost_month
    ),

    final as (
      select
        -- ids
        concat_ws('|', c.hospital_code, c.dept_code, to_char(c.cost_month, 'YYYY-MM'), c.cost_item_code)
          as department_cost_id,
        c.hospital_code,
        h.hospital_name,
        c.cost_month,
        c.dept_code,
        u.dept_name,
        u.std_dept_code,
        u.std_dept_name,
        u.cost_unit_class,
        c.cost_item_code,
        i.cost_item_name,
        i.controllability,
        i.cost_behaviour,
        -- amounts
        c.direct_cost::numeric(18, 2) as direct_cost,
        coalesce(c.received_level1, 0)::numeric(18, 2) as received_level1,
        coalesce(c.received_level2, 0)::numeric(18, 2) as received_level2,
        coalesce(c.received_level3, 0)::numeric(18, 2) as received_level3,
        c.indirect_cost::numeric(18, 2) as indirect_cost,
        coalesce(c.allocated_out, 0)::numeric(18, 2) as allocated_out,
        c.full_cost::numeric(18, 2) as full_cost,
        round(c.outpatient_share, 6)::numeric(9, 6) as outpatient_share,
        round(c.full_cost * c.outpatient_share, 2)::numeric(18, 2) as outpatient_full_cost,
        (c.full_cost - round(c.full_cost * c.outpatient_share, 2))::numeric(18, 2) as inpatient_full_cost,
        round(
          c.full_cost / nullif(sum(c.full_cost) over (partition by c.hospital_code, c.cost_month, c.dept_code), 0),
          6
        )::numeric(9, 6) as full_cost_share
      from costed c
      join units u on u.hospital_code = c.hospital_code and u.dept_code = c.dept_code
      left join items i on i.cost_item_code = c.cost_item_code
      left join hospitals h on h.hospital_code = c.hospital_code
    )

    select * from final`,
});
