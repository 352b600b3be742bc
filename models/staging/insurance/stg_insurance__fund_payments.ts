import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__fund_payments',
  materialized: 'view',
  description: '医保结算清单基金支付：每个基金支付类型一行（统筹、大病、医疗救助…）。',
  grain: 'One row per settlement and fund payment type (hospital, settlement id, fund type).',
  primaryKey: ['hospital_code', 'settlement_id', 'fund_type_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID' },
    fund_type_code: { description: '基金支付类型' },
    fund_type_name: { description: '基金支付类型名称' },
    fund_paid_amount: { description: '基金支付金额（元）', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'fund_payments')}
    )

    select
      hospital_code,
      setl_id as settlement_id,
      mdtrt_id as visit_id,
      fund_pay_type as fund_type_code,
      fund_pay_type_name as fund_type_name,
      fund_payamt as fund_paid_amount
    from source`,
});
