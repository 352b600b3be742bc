import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__purchases',
  materialized: 'view',
  description: 'ERP/HRP 采购入库：药品、试剂、胶片与卫生材料，按物资与月，含采购单价（价格随月变动）。',
  grain: 'One row per hospital, month and purchased item.',
  primaryKey: ['hospital_code', 'purchase_month', 'item_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    purchase_month: { description: '期间（月初日期）', tests: ['not_null'] },
    item_code: { description: '物资编码' },
    item_name: { description: '物资名称' },
    purchase_class: { description: '物资类别' },
    quantity: { description: '数量' },
    unit_price: { description: '采购单价（元）' },
    amount: { description: '金额（元）', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'purchases')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as purchase_month,
      item_code,
      item_name,
      purchase_class,
      quantity,
      unit_price,
      amount
    from source`,
});
