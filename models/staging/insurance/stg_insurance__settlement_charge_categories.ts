import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__settlement_charge_categories',
  materialized: 'view',
  description: '医保结算清单收费项目类别：每个类别的金额及甲类、乙类、全自费、其他。',
  grain: 'One row per settlement and 医疗收费项目类别 (hospital, settlement id, category).',
  primaryKey: ['hospital_code', 'settlement_id', 'charge_category_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID' },
    charge_category_code: {
      description: '医疗收费项目类别 01–14',
      tests: [{ relationships: { to: 'charge_categories', field: 'category_code' } }],
    },
    amount: { description: '金额（元）', tests: ['not_null'] },
    class_a_amount: { description: '甲类费用（元）' },
    class_b_amount: { description: '乙类金额（元）' },
    own_expense_amount: { description: '全自费金额（元）' },
    other_amount: { description: '其他金额（元）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'settlement_charge_categories')}
    )

    select
      hospital_code,
      setl_id as settlement_id,
      mdtrt_id as visit_id,
      med_chrgitm as charge_category_code,
      amt as amount,
      claa_sumfee as class_a_amount,
      clab_amt as class_b_amount,
      fulamt_ownpay_amt as own_expense_amount,
      oth_amt as other_amount
    from source`,
});
