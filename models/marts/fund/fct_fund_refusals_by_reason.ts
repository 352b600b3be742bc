import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_fund_refusals_by_reason',
  materialized: 'table',
  description: [
    '拒付与扣款分原因：医院 × 出院科室 × 出院月份 × 拒付原因代码（医保结算清单返回的拒付原因，名称取种子 refusal_reasons）。',
    '只计有申报金额且拒付或扣款大于 0 的结算单；结算清单只对拒付给出原因，只有扣款的结算单原因为空（refuse_reason_code 为空，名称为“未注明原因”）。',
    'refusal_rate_contribution = 该原因的 (拒付 + 扣款) / 该医院科室当月全部申报金额；同一医院科室月份各原因之和即 fct_fund_indicators.refusal_rate（未舍入）。',
  ].join(''),
  grain: 'One row per hospital, discharge department, discharge month and refusal reason code.',
  primaryKey: 'fund_refusal_id',
  columns: {
    fund_refusal_id: {
      title: '拒付行编号',
      description: '主键：医院|月份|科室（未知为 -）|原因代码（空为 -）。',
    },
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
    refuse_reason_code: {
      title: '拒付原因代码',
      description: '结算清单返回的拒付原因代码；只有扣款时为空。',
    },
    refuse_reason_name: {
      title: '拒付原因',
      description: '拒付原因名称（种子 refusal_reasons）；代码不在种子中时为代码本身，为空时为“未注明原因”。',
    },
    settlement_count: { title: '结算单数', description: '有拒付或扣款的结算单数。', type: 'bigint' },
    refused_amount: {
      title: '拒付金额',
      description: '拒付金额之和（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    deducted_amount: {
      title: '扣款金额',
      description: '扣款金额之和（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    refusal_rate_contribution: {
      title: '拒付率（该原因）',
      description: '(拒付 + 扣款) / 该医院科室当月全部申报金额。',
      format: 'percent',
      type: 'numeric(12, 4)',
    },
  },
  unitTests: [
    {
      // Declared in the month: 1 000 + 2 000 + 1 000 = 4 000. R01 refuses 200 and deducts 40 (6 %);
      // the deduction-only list (no reason) 160 (4 %); S3 has neither.
      name: 'splits refusals and deductions by the payer’s reason code',
      given: {
        stg_insurance__settlements: [
          {
            hospital_code: 'H1',
            settlement_id: 'S1',
            visit_id: 'V1',
            declared_amount: 1000,
            refused_amount: 200,
            deducted_amount: 40,
            refuse_reason_code: 'R01',
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            declared_amount: 2000,
            refused_amount: 0,
            deducted_amount: 160,
            refuse_reason_code: null,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S3',
            visit_id: 'V3',
            declared_amount: 1000,
            refused_amount: 0,
            deducted_amount: 0,
            refuse_reason_code: null,
          },
        ],
        fct_inpatient_cases: {
          rows: [
            { hospital_code: 'H1', visit_id: 'V1', dept_code: 'A03', discharge_month: '2024-01-01' },
            { hospital_code: 'H1', visit_id: 'V2', dept_code: 'A03', discharge_month: '2024-01-01' },
            { hospital_code: 'H1', visit_id: 'V3', dept_code: 'A03', discharge_month: '2024-01-01' },
          ],
          types: { discharge_month: 'date' },
        },
        refusal_reasons: [{ refuse_reason_code: 'R01', refuse_reason_name: '超标准收费' }],
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
      },
      expect: [
        {
          fund_refusal_id: 'H1|2024-01|A03|R01',
          refuse_reason_name: '超标准收费',
          settlement_count: 1,
          refused_amount: 200,
          deducted_amount: 40,
          refusal_rate_contribution: 0.06,
        },
        {
          fund_refusal_id: 'H1|2024-01|A03|-',
          refuse_reason_name: '未注明原因',
          settlement_count: 1,
          refused_amount: 0,
          deducted_amount: 160,
          refusal_rate_contribution: 0.04,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with settlements as (
      select * from ${ref('stg_insurance__settlements')}
    ),

    cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    reasons as (
      select * from ${ref('refusal_reasons')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    standard_departments as (
      select * from ${ref('standard_departments')}
    ),

    declared as (
      select
        s.hospital_code,
        c.discharge_month as month,
        c.dept_code as department_code,
        nullif(s.refuse_reason_code, '') as refuse_reason_code,
        s.settlement_id,
        s.declared_amount,
        s.refused_amount,
        s.deducted_amount
      from settlements s
      join cases c on c.hospital_code = s.hospital_code and c.visit_id = s.visit_id
      where s.declared_amount is not null
    ),

    by_reason as (
      select
        hospital_code,
        month,
        department_code,
        refuse_reason_code,
        count(*) filter (where refused_amount > 0 or deducted_amount > 0) as settlement_count,
        sum(refused_amount) as refused_amount,
        sum(deducted_amount) as deducted_amount,
        sum(sum(declared_amount)) over (partition by hospital_code, month, department_code) as month_declared_amount
      from declared
      group by 1, 2, 3, 4
    ),

    final as (
      select
        -- ids
        concat_ws('|', b.hospital_code, to_char(b.month, 'YYYY-MM'), coalesce(b.department_code, '-'),
          coalesce(b.refuse_reason_code, '-')) as fund_refusal_id,
        b.hospital_code,
        h.hospital_name,
        b.department_code,
        sd.std_dept_name as department_name,
        -- dates
        b.month,
        extract(year from b.month)::integer as year,
        -- reason
        b.refuse_reason_code,
        case when b.refuse_reason_code is null then '未注明原因' else coalesce(r.refuse_reason_name, b.refuse_reason_code) end
          as refuse_reason_name,
        -- amounts
        b.settlement_count,
        b.refused_amount::numeric(18, 2) as refused_amount,
        b.deducted_amount::numeric(18, 2) as deducted_amount,
        round((b.refused_amount + b.deducted_amount) / nullif(b.month_declared_amount, 0), 4)::numeric(12, 4)
          as refusal_rate_contribution
      from by_reason b
      left join reasons r on r.refuse_reason_code = b.refuse_reason_code
      left join hospitals h on h.hospital_code = b.hospital_code
      left join standard_departments sd on sd.std_dept_code = b.department_code
      where b.settlement_count > 0
    )

    select * from final`,
});
