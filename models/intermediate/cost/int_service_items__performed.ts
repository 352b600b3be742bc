import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_service_items__performed',
  materialized: 'table',
  description:
    '科室执行的收费项目：按执行科室（HIS 收费明细的执行科室，院内编码）× 收费项目 × 年汇总的数量与收入（门诊与住院合计，退费冲减）。' +
    '医疗服务项目成本的分配基础（收入、工作量、操作时间、成本当量均由此计算）；由按项目汇总的收费明细（int_charge_lines__summed_by_item）再汇总。',
  grain: 'One row per hospital, year, executing department and charge item.',
  primaryKey: ['hospital_code', 'cost_year', 'exec_dept_code', 'item_code'],
  columns: {
    // ids
    hospital_code: { description: '医院编码' },
    cost_year: { description: '年度', type: 'integer' },
    exec_dept_code: { description: '执行科室（院内编码）' },
    exec_std_dept_code: { description: '执行科室的标准科室编码（未映射为空）' },
    item_code: { description: '院内收费项目编码' },
    item_name: { description: '项目名称' },
    insurance_item_code: { description: '医保项目编码' },
    charge_category_code: { description: '医保收费项目类别' },
    // flags
    is_drug: { description: '是否药品（按采购成本直接计入病例）', type: 'boolean' },
    is_material: { description: '是否单独收费卫生材料（按采购成本直接计入病例）', type: 'boolean' },
    // amounts
    quantity: { description: '执行数量（净额）' },
    revenue: { description: '项目收入（元，净额）' },
  },
  sql: ({ ref }) => sql`
    with item_sums as (
      select * from ${ref('int_charge_lines__summed_by_item')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    items as (
      select * from ${ref('stg_his__charge_items')}
    ),

    performed as (
      select
        hospital_code,
        extract(year from charge_month)::integer as cost_year,
        exec_dept_code,
        item_code,
        -- one category per item; a line delivered under another category does not split the item
        max(charge_category_code) as charge_category_code,
        bool_or(is_drug) as is_drug,
        bool_or(is_material) as is_material,
        sum(quantity) as quantity,
        sum(amount) as revenue
      from item_sums
      -- lines without an executing department or an item are summed under ''
      where exec_dept_code <> '' and item_code <> ''
      group by 1, 2, 3, 4
    ),

    final as (
      select
        -- ids
        p.hospital_code,
        p.cost_year,
        p.exec_dept_code,
        d.std_dept_code as exec_std_dept_code,
        p.item_code,
        i.item_name,
        i.insurance_item_code,
        p.charge_category_code,
        -- flags
        p.is_drug,
        p.is_material,
        -- amounts
        p.quantity,
        p.revenue
      from performed p
      left join departments d on d.hospital_code = p.hospital_code and d.dept_code = p.exec_dept_code
      left join items i on i.hospital_code = p.hospital_code and i.item_code = p.item_code
    )

    select * from final`,
});
