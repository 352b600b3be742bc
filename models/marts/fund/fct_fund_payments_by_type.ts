import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_fund_payments_by_type',
  materialized: 'table',
  description: [
    '基金支付分基金类型：医院 × 出院科室 × 出院月份 × 基金支付类型（统筹基金、大额/大病、医疗救助…）的基金支付金额。',
    '取医保结算清单的基金支付明细（stg_insurance__fund_payments），病例的月份与科室取 fct_inpatient_cases（出院月、出院科室），与 fct_fund_indicators 一致；',
    '被隔离的明细（如负数金额）不计，故各类型之和可能小于结算清单的基金支付总额（fct_fund_indicators.fund_paid_amount）。',
  ].join(''),
  grain: 'One row per hospital, discharge department, discharge month and fund payment type.',
  primaryKey: 'fund_payment_id',
  columns: {
    fund_payment_id: { title: '基金支付行编号', description: '主键：医院|月份|科室（未知为 -）|基金类型。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    department_code: { title: '科室编码', description: '出院科室的标准科室编码。' },
    department_name: { title: '科室名称', description: '标准科室名称。' },
    month: { title: '月份', description: '出院月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    year: { title: '年度', description: '出院年度。', type: 'integer' },
    fund_type_code: {
      title: '基金支付类型',
      description: '基金支付类型编码，如 310100 职工统筹。',
      tests: ['not_null'],
    },
    fund_type_name: { title: '基金支付类型名称', description: '结算清单上的基金支付类型名称。' },
    settlement_count: { title: '结算单数', description: '有该类型基金支付的结算单数。', type: 'bigint' },
    fund_paid_amount: {
      title: '基金支付',
      description: '该类型基金支付金额之和（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
      tests: ['not_null'],
    },
    share_of_fund_paid: {
      title: '占基金支付比例',
      description: '占该医院、科室、月份各类型基金支付合计的比例。',
      format: 'percent',
      type: 'numeric(12, 4)',
    },
  },
  unitTests: [
    {
      name: 'sums fund payments by type in the stay’s discharge month and department',
      given: {
        stg_insurance__fund_payments: [
          {
            hospital_code: 'H1',
            settlement_id: 'S1',
            visit_id: 'V1',
            fund_type_code: '310100',
            fund_type_name: '统筹',
            fund_paid_amount: 300,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            fund_type_code: '310100',
            fund_type_name: '统筹',
            fund_paid_amount: 500,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            fund_type_code: '330100',
            fund_type_name: '大额',
            fund_paid_amount: 200,
          },
        ],
        fct_inpatient_cases: {
          rows: [
            { hospital_code: 'H1', visit_id: 'V1', dept_code: 'A03', discharge_month: '2024-01-01' },
            { hospital_code: 'H1', visit_id: 'V2', dept_code: 'A03', discharge_month: '2024-01-01' },
          ],
          types: { discharge_month: 'date' },
        },
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
      },
      expect: [
        {
          fund_payment_id: 'H1|2024-01|A03|310100',
          settlement_count: 2,
          fund_paid_amount: 800,
          share_of_fund_paid: 0.8,
        },
        {
          fund_payment_id: 'H1|2024-01|A03|330100',
          settlement_count: 1,
          fund_paid_amount: 200,
          share_of_fund_paid: 0.2,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with fund_payments as (
      select * from ${ref('stg_insurance__fund_payments')}
    ),

    cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    standard_departments as (
      select * from ${ref('standard_departments')}
    ),

    by_type as (
      select
        f.hospital_code,
        c.discharge_month as month,
        c.dept_code as department_code,
        f.fund_type_code,
        min(f.fund_type_name) as fund_type_name,
        count(distinct f.settlement_id) as settlement_count,
        sum(f.fund_paid_amount) as fund_paid_amount
      from fund_payments f
      join cases c on c.hospital_code = f.hospital_code and c.visit_id = f.visit_id
      group by 1, 2, 3, 4
    ),

    final as (
      select
        -- ids
        concat_ws('|', b.hospital_code, to_char(b.month, 'YYYY-MM'), coalesce(b.department_code, '-'), b.fund_type_code)
          as fund_payment_id,
        b.hospital_code,
        h.hospital_name,
        b.department_code,
        sd.std_dept_name as department_name,
        -- dates
        b.month,
        extract(year from b.month)::integer as year,
        -- fund
        b.fund_type_code,
        b.fund_type_name,
        b.settlement_count,
        b.fund_paid_amount::numeric(18, 2) as fund_paid_amount,
        round(b.fund_paid_amount / nullif(sum(b.fund_paid_amount) over (
          partition by b.hospital_code, b.month, b.department_code), 0), 4)::numeric(12, 4) as share_of_fund_paid
      from by_type b
      left join hospitals h on h.hospital_code = b.hospital_code
      left join standard_departments sd on sd.std_dept_code = b.department_code
    )

    select * from final`,
});
