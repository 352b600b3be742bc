import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__charge_lines',
  materialized: 'view',
  description: 'HIS 收费明细：按源字段改名、类型已在入库时校验，仅含通过阻断规则的行。',
  grain: 'One row per delivered charge line (hospital, line id).',
  primaryKey: ['hospital_code', 'charge_line_id'],
  columns: {
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    charge_line_id: { description: '明细流水号', tests: ['not_null'] },
    visit_type: {
      description: '就诊类型：inpatient 住院 / outpatient 门诊',
      tests: [{ accepted_values: ['inpatient', 'outpatient'] }],
    },
    visit_id: { description: '就诊号（住院号或门诊号）', tests: ['not_null'] },
    charged_at: { description: '收费时间' },
    item_code: { description: '院内收费项目编码' },
    charge_category_code: { description: '医保收费项目类别 01–14' },
    quantity: { description: '数量' },
    unit_price: { description: '单价（元）' },
    amount: { description: '金额（元）', tests: ['not_null'] },
    order_dept_code: { description: '开单科室（院内编码）' },
    exec_dept_code: { description: '执行科室（院内编码）' },
    batch_id: { description: '入库批次号', tests: ['not_null'] },
    source_line: { description: '交付文件中的行号' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'charge_lines')}
    ),

    renamed as (
      select
        -- ids
        hospital_code,
        line_id as charge_line_id,
        case visit_type when 'I' then 'inpatient' when 'O' then 'outpatient' end as visit_type,
        visit_id,
        item_code,
        category_code as charge_category_code,
        order_dept_code,
        exec_dept_code,
        -- dates
        charge_time as charged_at,
        -- amounts
        quantity,
        unit_price,
        amount,
        -- lineage
        batch_id,
        source_line
      from source
    )

    select * from renamed`,
});
