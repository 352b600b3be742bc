import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_charge_lines__standardised',
  materialized: 'view',
  description:
    '收费明细映射到联盟统一字典：开单科室映射为标准科室，费用类别带药品/中药饮片/耗材标识。科室口径为开单科室（开单收入）。',
  grain: 'One row per charge line (hospital, line id).',
  primaryKey: ['hospital_code', 'charge_line_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    charge_line_id: { description: '明细流水号' },
    department_code: { description: '标准科室编码（开单科室）', tests: ['not_null'] },
    department_name: { description: '标准科室名称' },
    charge_category_code: { description: '医保收费项目类别', tests: ['not_null', { relationships: { to: 'charge_categories', field: 'category_code' } }] },
    amount: { description: '金额（元）' },
  },
  sql: ({ ref }) => sql`
    with charge_lines as (
      select * from ${ref('stg_his__charge_lines')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    standard_departments as (
      select * from ${ref('standard_departments')}
    ),

    categories as (
      select * from ${ref('charge_categories')}
    ),

    final as (
      select
        -- ids
        c.hospital_code,
        c.charge_line_id,
        c.visit_type,
        c.visit_id,
        c.item_code,
        d.std_dept_code as department_code,
        s.std_dept_name as department_name,
        c.charge_category_code,
        k.category_name as charge_category_name,
        -- flags
        k.is_drug,
        k.is_herbal_pieces,
        k.is_material,
        -- dates
        c.charged_at,
        date_trunc('month', c.charged_at)::date as charge_month,
        -- amounts
        c.quantity,
        c.unit_price,
        c.amount
      from charge_lines c
      left join departments d on d.hospital_code = c.hospital_code and d.dept_code = c.order_dept_code
      left join standard_departments s on s.std_dept_code = d.std_dept_code
      left join categories k on k.category_code = c.charge_category_code
    )

    select * from final`,
});
