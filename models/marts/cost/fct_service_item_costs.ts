import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_service_item_costs',
  materialized: 'table',
  description: [
    '医疗服务项目成本明细表：科室（执行科室）三级分摊前、扣除药品与单独收费材料后的成本（见 int_department_costs__item_base），',
    '按成本比例系数法分摊到该科室当年执行的每个项目，得项目总成本与单位成本，并按人员、材料、折旧摊销、其他拆分（按科室成本构成比例）。',
    '系数：item_cost_methods 为科室选定的收入、工作量（数量）或操作时间（数量 × 标准操作分钟）；',
    '只分摊到医疗服务项目，药品与单独收费材料明细不参与（药剂科等 spread_over_drug_and_material_lines 的科室除外，其成本成为药品的调剂成本）。',
    '成本当量法（item_cost_equivalent / unit_cost_equivalent）：科室当年全部参与项目都在 item_cost_equivalents 设了当量时另算一列，否则为空。',
    '取整：分到分，最大余数法——各项目先取分以下舍去的金额，差额的每一分给舍去部分最大的项目（并列按项目编码），',
    '因此一个科室各项目成本之和恰等于其分摊基数。单位成本 = 项目成本 / 数量，保留 6 位小数。',
    '汇总表（医疗服务项目成本汇总表）即本表按医院、年度、项目汇总（Cube 视图 service_item_cost）。',
  ].join(''),
  grain:
    "One row per hospital, year, executing department and charge item the department's cost is spread over.",
  primaryKey: ['hospital_code', 'cost_year', 'dept_code', 'item_code'],
  // The planner expects one row from the window-function CTEs (4,985 on the full demo) and joins
  // them, the departments and the hospitals in nested loops, rescanning a CTE per row: 2.2 s of the
  // full demo's select (EXPLAIN ANALYZE), 0.09 s hashed.
  plannerSettings: { enable_nestloop: 'off' },
  columns: {
    // ids
    service_item_cost_id: {
      title: '项目成本行编号',
      description: '行标识：医院|年度|执行科室|项目。',
      tests: ['unique'],
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    cost_year: { title: '年度', description: '成本核算年度。', type: 'integer', tests: ['not_null'] },
    dept_code: { title: '执行科室编码', description: '执行该项目的科室（院内编码）。', tests: ['not_null'] },
    dept_name: { title: '执行科室名称', description: '执行科室名称（院内）。' },
    std_dept_code: { title: '标准科室编码', description: '执行科室映射的标准科室编码。' },
    cost_unit_class: {
      title: '核算单元类别',
      description: '执行科室的核算单元类别：临床服务类或医疗技术类。',
    },
    item_code: { title: '项目编码', description: '院内收费项目编码。', tests: ['not_null'] },
    item_name: { title: '项目名称', description: '收费项目名称。' },
    insurance_item_code: { title: '医保项目编码', description: '医保医疗服务项目编码。' },
    charge_category_code: { title: '收费类别编码', description: '医保收费项目类别编码（01–14）。' },
    is_drug: {
      title: '是否药品',
      description: '药品明细（仅药剂科等调剂成本分摊到药品的科室出现）。',
      type: 'boolean',
    },
    is_material: { title: '是否单收材料', description: '单独收费卫生材料明细。', type: 'boolean' },
    // method
    coefficient_basis: {
      title: '分配系数',
      description:
        '实际采用的成本比例系数：revenue 收入、workload 工作量、operating_time 操作时间（缺标准操作时间时回退为收入）。',
    },
    coefficient: { title: '分配系数值', description: '本项目的系数值（收入、数量或数量 × 标准分钟）。' },
    cost_to_charge_ratio: {
      title: '成本收入比',
      description: '执行科室的可分摊成本 ÷ 其参与分摊项目的收入（成本收入比法用）。',
    },
    // amounts
    quantity: { title: '执行数量', description: '当年执行数量（净额）。' },
    revenue: {
      title: '项目收入',
      description: '当年项目收入（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    item_cost: {
      title: '项目总成本',
      description: '成本比例系数法分摊到该项目的成本（元，分到分）。',
      format: 'currency',
      type: 'numeric(18, 2)',
      tests: ['not_null'],
    },
    labour_cost: {
      title: '人员经费',
      description: '项目成本中的人员经费（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    material_cost: {
      title: '卫生材料费',
      description: '项目成本中不单独收费的卫生材料（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    depreciation_cost: {
      title: '折旧与摊销',
      description: '项目成本中的固定资产折旧与无形资产摊销（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    other_cost: {
      title: '其他费用',
      description: '项目成本中的其他运行费用与医疗风险基金（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    unit_cost: {
      title: '单位成本',
      description: '项目总成本 ÷ 执行数量（元/单位，成本比例系数法）。',
      format: 'currency',
    },
    unit_labour_cost: { title: '单位人员经费', description: '人员经费 ÷ 执行数量。' },
    unit_material_cost: { title: '单位材料费', description: '卫生材料费 ÷ 执行数量。' },
    unit_depreciation_cost: { title: '单位折旧摊销', description: '折旧与摊销 ÷ 执行数量。' },
    unit_other_cost: { title: '单位其他费用', description: '其他费用 ÷ 执行数量。' },
    item_cost_equivalent: {
      title: '项目总成本（成本当量法）',
      description: '按成本当量（数量 × 当量）分摊的项目成本（元）；科室未全部设当量时为空。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    unit_cost_equivalent: {
      title: '单位成本（成本当量法）',
      description: '成本当量法项目总成本 ÷ 执行数量。',
      format: 'currency',
    },
  },
  tests: [
    {
      name: 'composition_adds_up',
      expression: 'labour_cost + material_cost + depreciation_cost + other_cost = item_cost',
    },
  ],
  unitTests: [
    {
      // Hand-worked: 检验科 L (医疗技术类) and 外科 S (临床服务类) of hospital H, year 2025.
      //   L holds 1000.00 before level 3: labour 600.00, material 300.00, depreciation 100.00.
      //     Workload basis: CBC × 300 + LFT × 100 = 400 tests → CBC 1000 × 300/400 = 750.00,
      //     LFT 250.00. Composition 60/30/10 %: CBC labour 450.00, material 225.00, depr. 75.00.
      //     Unit cost CBC 750.00/300 = 2.50, LFT 250.00/100 = 2.50.
      //     Equivalents CBC 1, LFT 3: 300 + 300 = 600 → CBC 500.00 (1.666667/test), LFT 500.00 (5.00).
      //     CCR = 1000.00 / (6000 + 4000) = 0.10.
      //   S holds 100.00 (labour), revenue basis, over a bed-day (revenue 30) and a nursing item
      //     (revenue 40) and a billed material (not spread): 100 × 30/70 = 42.857… and
      //     100 × 40/70 = 57.142…; floors 42.85 + 57.14 = 99.99, the leftover cent goes to the
      //     larger remainder (bed 0.714 c > nursing 0.286 c): BED 42.86, NURSE 57.14 → 100.00.
      name: 'spreads by workload, revenue and equivalents to the cent',
      given: {
        int_department_costs__item_base: [
          {
            hospital_code: 'H',
            cost_year: 2025,
            dept_code: 'L',
            std_dept_code: 'A30',
            cost_unit_class: '医疗技术类',
            coefficient_basis: 'workload',
            spread_over_drug_and_material_lines: false,
            spreadable_cost: 1000,
            spreadable_labour_cost: 600,
            spreadable_material_cost: 300,
            spreadable_depreciation_cost: 100,
            spreadable_other_cost: 0,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            dept_code: 'S',
            std_dept_code: 'A04',
            cost_unit_class: '临床服务类',
            coefficient_basis: 'revenue',
            spread_over_drug_and_material_lines: false,
            spreadable_cost: 100,
            spreadable_labour_cost: 100,
            spreadable_material_cost: 0,
            spreadable_depreciation_cost: 0,
            spreadable_other_cost: 0,
          },
        ],
        int_service_items__performed: [
          {
            hospital_code: 'H',
            cost_year: 2025,
            exec_dept_code: 'L',
            item_code: 'CBC',
            item_name: '血常规',
            charge_category_code: '04',
            insurance_item_code: 'N1',
            is_drug: false,
            is_material: false,
            quantity: 300,
            revenue: 6000,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            exec_dept_code: 'L',
            item_code: 'LFT',
            insurance_item_code: 'N2',
            is_drug: false,
            is_material: false,
            quantity: 100,
            revenue: 4000,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            exec_dept_code: 'S',
            item_code: 'BED',
            insurance_item_code: 'N3',
            is_drug: false,
            is_material: false,
            quantity: 1,
            revenue: 30,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            exec_dept_code: 'S',
            item_code: 'NURSE',
            insurance_item_code: 'N4',
            is_drug: false,
            is_material: false,
            quantity: 2,
            revenue: 40,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            exec_dept_code: 'S',
            item_code: 'STENT',
            insurance_item_code: 'N5',
            is_drug: false,
            is_material: true,
            quantity: 1,
            revenue: 900,
          },
        ],
        item_cost_equivalents: {
          rows: [
            { insurance_item_code: 'N1', cost_equivalent: 1, operating_minutes: null },
            { insurance_item_code: 'N2', cost_equivalent: 3, operating_minutes: null },
          ],
          types: { operating_minutes: 'numeric' },
        },
        stg_his__departments: [
          { hospital_code: 'H', dept_code: 'L', dept_name: '检验科' },
          { hospital_code: 'H', dept_code: 'S', dept_name: '外科' },
        ],
        dim_hospitals: [{ hospital_code: 'H', hospital_name: '甲医院' }],
      },
      expect: [
        {
          dept_code: 'L',
          item_code: 'CBC',
          item_cost: 750,
          labour_cost: 450,
          material_cost: 225,
          depreciation_cost: 75,
          other_cost: 0,
          unit_cost: 2.5,
          item_cost_equivalent: 500,
          unit_cost_equivalent: 1.666667,
          cost_to_charge_ratio: 0.1,
        },
        {
          dept_code: 'L',
          item_code: 'LFT',
          item_cost: 250,
          labour_cost: 150,
          material_cost: 75,
          depreciation_cost: 25,
          other_cost: 0,
          unit_cost: 2.5,
          item_cost_equivalent: 500,
          unit_cost_equivalent: 5,
          cost_to_charge_ratio: 0.1,
        },
        {
          dept_code: 'S',
          item_code: 'BED',
          item_cost: 42.86,
          labour_cost: 42.86,
          material_cost: 0,
          depreciation_cost: 0,
          other_cost: 0,
          unit_cost: 42.86,
          item_cost_equivalent: null,
          unit_cost_equivalent: null,
          cost_to_charge_ratio: 1.428571,
        },
        {
          dept_code: 'S',
          item_code: 'NURSE',
          item_cost: 57.14,
          labour_cost: 57.14,
          material_cost: 0,
          depreciation_cost: 0,
          other_cost: 0,
          unit_cost: 28.57,
          item_cost_equivalent: null,
          unit_cost_equivalent: null,
          cost_to_charge_ratio: 1.428571,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with bases as (
      select * from ${ref('int_department_costs__item_base')}
    ),

    performed as (
      select * from ${ref('int_service_items__performed')}
    ),

    equivalents as (
      select * from ${ref('item_cost_equivalents')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    -- the items each unit's cost is spread over, with the drivers they offer
    eligible as (
      select
        b.hospital_code,
        b.cost_year,
        b.dept_code,
        b.std_dept_code,
        b.cost_unit_class,
        b.coefficient_basis,
        b.spreadable_cost,
        b.spreadable_labour_cost,
        b.spreadable_material_cost,
        b.spreadable_depreciation_cost,
        p.item_code,
        p.item_name,
        p.insurance_item_code,
        p.charge_category_code,
        p.is_drug,
        p.is_material,
        p.quantity,
        p.revenue,
        e.operating_minutes,
        e.cost_equivalent
      from bases b
      join performed p
        on p.hospital_code = b.hospital_code and p.cost_year = b.cost_year and p.exec_dept_code = b.dept_code
      left join equivalents e on e.insurance_item_code = p.insurance_item_code
      where p.quantity > 0
        and (b.spread_over_drug_and_material_lines or not (p.is_drug or p.is_material))
    ),

    methods as (
      select
        *,
        -- operating time needs every item timed; otherwise the unit falls back to revenue this year
        case
          when coefficient_basis = 'operating_time'
            and bool_or(operating_minutes is null) over (partition by hospital_code, cost_year, dept_code)
            then 'revenue'
          else coefficient_basis
        end as basis_used,
        bool_and(cost_equivalent is not null) over (partition by hospital_code, cost_year, dept_code)
          as all_equivalent,
        sum(greatest(revenue, 0)) over (partition by hospital_code, cost_year, dept_code) as dept_revenue
      from eligible
    ),

    weighted as (
      select
        *,
        greatest(
          case basis_used
            when 'revenue' then revenue
            when 'workload' then quantity
            when 'operating_time' then quantity * operating_minutes
          end,
          0
        ) as coefficient,
        case when all_equivalent then quantity * cost_equivalent end as equivalent_weight
      from methods
    ),

    -- one allocation routine for both methods: largest remainder to the cent
    weights as (
      select hospital_code, cost_year, dept_code, item_code, spreadable_cost, 'ratio' as method, coefficient as weight
      from weighted
      union all
      select hospital_code, cost_year, dept_code, item_code, spreadable_cost, 'equivalent', equivalent_weight
      from weighted
      where equivalent_weight is not null
    ),

    shares as (
      select
        *,
        spreadable_cost * 100 * weight
          / nullif(sum(weight) over (partition by hospital_code, cost_year, dept_code, method), 0) as exact_cents
      from weights
    ),

    floored as (
      select
        *,
        floor(exact_cents) as floor_cents,
        round(spreadable_cost * 100)
          - sum(floor(exact_cents)) over (partition by hospital_code, cost_year, dept_code, method) as leftover,
        row_number() over (
          partition by hospital_code, cost_year, dept_code, method
          order by exact_cents - floor(exact_cents) desc, item_code
        ) as remainder_rank
      from shares
      where exact_cents is not null
    ),

    allocated as (
      select
        hospital_code,
        cost_year,
        dept_code,
        item_code,
        method,
        ((floor_cents + case when remainder_rank <= leftover then 1 else 0 end) / 100)::numeric(18, 2) as cost
      from floored
    ),

    costed as (
      select
        w.*,
        r.cost as item_cost,
        q.cost as item_cost_equivalent,
        round(r.cost * w.spreadable_labour_cost / nullif(w.spreadable_cost, 0), 2) as labour_cost,
        round(r.cost * w.spreadable_material_cost / nullif(w.spreadable_cost, 0), 2) as material_cost,
        round(r.cost * w.spreadable_depreciation_cost / nullif(w.spreadable_cost, 0), 2) as depreciation_cost
      from weighted w
      join allocated r
        on r.hospital_code = w.hospital_code and r.cost_year = w.cost_year and r.dept_code = w.dept_code
        and r.item_code = w.item_code and r.method = 'ratio'
      left join allocated q
        on q.hospital_code = w.hospital_code and q.cost_year = w.cost_year and q.dept_code = w.dept_code
        and q.item_code = w.item_code and q.method = 'equivalent'
    ),

    final as (
      select
        -- ids
        concat_ws('|', c.hospital_code, c.cost_year, c.dept_code, c.item_code) as service_item_cost_id,
        c.hospital_code,
        h.hospital_name,
        c.cost_year,
        c.dept_code,
        d.dept_name,
        c.std_dept_code,
        c.cost_unit_class,
        c.item_code,
        c.item_name,
        c.insurance_item_code,
        c.charge_category_code,
        c.is_drug,
        c.is_material,
        -- method
        c.basis_used as coefficient_basis,
        c.coefficient,
        round(c.spreadable_cost / nullif(c.dept_revenue, 0), 6) as cost_to_charge_ratio,
        -- amounts
        c.quantity,
        c.revenue::numeric(18, 2) as revenue,
        c.item_cost,
        coalesce(c.labour_cost, 0)::numeric(18, 2) as labour_cost,
        coalesce(c.material_cost, 0)::numeric(18, 2) as material_cost,
        coalesce(c.depreciation_cost, 0)::numeric(18, 2) as depreciation_cost,
        (c.item_cost - coalesce(c.labour_cost, 0) - coalesce(c.material_cost, 0) - coalesce(c.depreciation_cost, 0))::numeric(18, 2)
          as other_cost,
        round(c.item_cost / c.quantity, 6) as unit_cost,
        round(coalesce(c.labour_cost, 0) / c.quantity, 6) as unit_labour_cost,
        round(coalesce(c.material_cost, 0) / c.quantity, 6) as unit_material_cost,
        round(coalesce(c.depreciation_cost, 0) / c.quantity, 6) as unit_depreciation_cost,
        round((c.item_cost - coalesce(c.labour_cost, 0) - coalesce(c.material_cost, 0) - coalesce(c.depreciation_cost, 0)) / c.quantity, 6)
          as unit_other_cost,
        c.item_cost_equivalent,
        round(c.item_cost_equivalent / c.quantity, 6) as unit_cost_equivalent
      from costed c
      left join departments d on d.hospital_code = c.hospital_code and d.dept_code = c.dept_code
      left join hospitals h on h.hospital_code = c.hospital_code
    )

    select * from final`,
});
