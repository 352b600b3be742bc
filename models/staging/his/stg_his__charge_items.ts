import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__charge_items',
  materialized: 'view',
  description: 'HIS 收费项目字典：院内项目编码、医保收费项目类别、医保编码与单价。',
  grain: 'One row per hospital and local charge item code.',
  primaryKey: ['hospital_code', 'item_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    item_code: { description: '院内收费项目编码' },
    item_name: { description: '项目名称', tests: ['not_null'] },
    charge_category_code: {
      description: '医保收费项目类别 01–14',
      tests: ['not_null', { relationships: { to: 'charge_categories', field: 'category_code' } }],
    },
    insurance_item_code: { description: '医保项目编码' },
    unit_price: { description: '字典单价（元）', tests: [{ expression: 'unit_price >= 0' }] },
    unit: { description: '计价单位' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'charge_items')}
    ),

    renamed as (
      select
        hospital_code,
        item_code,
        item_name,
        category_code as charge_category_code,
        insurance_code as insurance_item_code,
        unit_price,
        unit
      from source
    )

    select * from renamed`,
});
