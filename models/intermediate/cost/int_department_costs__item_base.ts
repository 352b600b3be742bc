import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_department_costs__item_base',
  materialized: 'table',
  description: [
    '医疗服务项目成本的分摊基数：每个临床服务类、医疗技术类科室一年的成本，及按哪种系数分摊到它执行的项目上。',
    '口径：取科室经一级、二级分摊后、三级分摊前的成本（直接成本 + 一级转入 + 二级转入）。医技科室在三级分摊中转给临床科室的成本，',
    '在这里留在医技科室、分摊到它执行的检查检验等项目上；临床科室相应地不计三级转入（received_level3），',
    '否则同一笔医技成本会在病例成本中经医技项目和临床项目各计一次。医疗辅助类、行政后勤类科室的成本已在一、二级全部转出，不单独分摊。',
    '扣除按实际（采购成本）直接计入病例的部分：成本明细项目中 is_separately_billed 的药品与可单独收费卫生材料（cost_subitems），',
    '取科室成本明细账的直接成本（fct_department_direct_costs）；药品归 drug 构成（case_cost_components）者记 billed_drug_cost，其余记 billed_material_cost。',
    '系数按 item_cost_methods（标准科室，* 为默认）：revenue 项目收入、workload 项目数量、operating_time 数量 × 标准操作分钟；',
    '项目上的分摊见 fct_service_item_costs；没有可分摊项目的科室成本在那里不出现，由 fct_service_item_cost_departments 列为未分摊对账行。',
  ].join(''),
  grain: 'One row per hospital, year and clinical or medical-technical department.',
  primaryKey: ['hospital_code', 'cost_year', 'dept_code'],
  columns: {
    // ids
    hospital_code: { description: '医院编码' },
    cost_year: { description: '年度', type: 'integer' },
    dept_code: { description: '科室编码（院内）' },
    std_dept_code: { description: '标准科室编码' },
    cost_unit_class: { description: '核算单元类别：临床服务类 / 医疗技术类' },
    // method
    coefficient_basis: { description: '种子选定的分配系数：revenue / workload / operating_time' },
    spread_over_drug_and_material_lines: {
      description: '科室成本是否也分摊到其执行的药品/材料明细',
      type: 'boolean',
    },
    // amounts
    cost_before_level3: {
      description: '三级分摊前成本（直接 + 一级 + 二级转入，元）',
      type: 'numeric(18, 2)',
    },
    billed_drug_cost: { description: '单独收费的药品成本（直接成本，元）', type: 'numeric(18, 2)' },
    billed_material_cost: { description: '可单独收费卫生材料成本（直接成本，元）', type: 'numeric(18, 2)' },
    spreadable_cost: { description: '可分摊到医疗服务项目的成本（元）', type: 'numeric(18, 2)' },
    spreadable_labour_cost: { description: '其中人员经费（元）', type: 'numeric(18, 2)' },
    spreadable_material_cost: { description: '其中卫生材料（不含单独收费，元）', type: 'numeric(18, 2)' },
    spreadable_depreciation_cost: { description: '其中折旧与摊销（元）', type: 'numeric(18, 2)' },
    spreadable_other_cost: { description: '其中其他费用（含风险基金，元）', type: 'numeric(18, 2)' },
  },
  tests: [
    {
      name: 'composition_adds_up',
      expression:
        'spreadable_labour_cost + spreadable_material_cost + spreadable_depreciation_cost + spreadable_other_cost = spreadable_cost',
    },
  ],
  sql: ({ ref }) => sql`
    with full_costs as (
      select * from ${ref('fct_department_full_costs')}
    ),

    direct_costs as (
      select * from ${ref('fct_department_direct_costs')}
    ),

    components as (
      select * from ${ref('case_cost_components')}
    ),

    methods as (
      select * from ${ref('item_cost_methods')}
    ),

    -- cost a service unit holds before it passes anything on at level 3, by cost item
    before_level3 as (
      select
        f.hospital_code,
        extract(year from f.cost_month)::integer as cost_year,
        f.dept_code,
        max(f.std_dept_code) as std_dept_code,
        max(f.cost_unit_class) as cost_unit_class,
        f.cost_item_code,
        sum(f.direct_cost + f.received_level1 + f.received_level2) as amount
      from full_costs f
      where f.cost_unit_class in ('临床服务类', '医疗技术类')
      group by f.hospital_code, 2, f.dept_code, f.cost_item_code
    ),

    billed as (
      select
        hospital_code,
        extract(year from cost_month)::integer as cost_year,
        dept_code,
        cost_item_code,
        sum(direct_cost) as amount
      from direct_costs
      where is_separately_billed
      group by 1, 2, 3, 4
    ),

    by_item as (
      select
        c.hospital_code,
        c.cost_year,
        c.dept_code,
        c.std_dept_code,
        c.cost_unit_class,
        k.component,
        c.amount,
        least(coalesce(b.amount, 0), c.amount) as billed
      from before_level3 c
      join components k on k.cost_item_code = c.cost_item_code
      left join billed b
        on b.hospital_code = c.hospital_code and b.cost_year = c.cost_year
        and b.dept_code = c.dept_code and b.cost_item_code = c.cost_item_code
    ),

    bases as (
      select
        hospital_code,
        cost_year,
        dept_code,
        max(std_dept_code) as std_dept_code,
        max(cost_unit_class) as cost_unit_class,
        sum(amount) as cost_before_level3,
        sum(billed) filter (where component = 'drug') as billed_drug,
        sum(billed) filter (where component <> 'drug') as billed_material,
        sum(amount - billed) filter (where component = 'labour') as labour,
        sum(amount - billed) filter (where component = 'material') as material,
        sum(amount - billed) filter (where component = 'depreciation') as depreciation,
        -- a drug cost a unit holds beyond what it bills separately has no item to go to but its services
        sum(amount - billed) filter (where component not in ('labour', 'material', 'depreciation')) as other
      from by_item
      group by 1, 2, 3
    ),

    chosen as (
      select
        b.*,
        coalesce(m.coefficient_basis, d.coefficient_basis, 'revenue') as coefficient_basis,
        coalesce(m.spread_over_drug_and_material_lines, d.spread_over_drug_and_material_lines, false)
          as spread_over_drug_and_material_lines
      from bases b
      left join methods m on m.std_dept_code = b.std_dept_code
      left join methods d on d.std_dept_code = '*'
    ),

    final as (
      select
        -- ids
        hospital_code,
        cost_year,
        dept_code,
        std_dept_code,
        cost_unit_class,
        -- method
        coefficient_basis,
        spread_over_drug_and_material_lines,
        -- amounts
        cost_before_level3::numeric(18, 2) as cost_before_level3,
        coalesce(billed_drug, 0)::numeric(18, 2) as billed_drug_cost,
        coalesce(billed_material, 0)::numeric(18, 2) as billed_material_cost,
        (coalesce(labour, 0) + coalesce(material, 0) + coalesce(depreciation, 0) + coalesce(other, 0))::numeric(18, 2)
          as spreadable_cost,
        coalesce(labour, 0)::numeric(18, 2) as spreadable_labour_cost,
        coalesce(material, 0)::numeric(18, 2) as spreadable_material_cost,
        coalesce(depreciation, 0)::numeric(18, 2) as spreadable_depreciation_cost,
        coalesce(other, 0)::numeric(18, 2) as spreadable_other_cost
      from chosen
    )

    select * from final`,
});
