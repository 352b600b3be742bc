import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

/**
 * The diagnoses the fund-violation screens read of a stay: its front page's, else its settlement
 * list's. Read by int_fund_violations__stays (main and other diagnoses) and
 * int_fund_violations__raising_cc (the CC/MCC that raised the group).
 */
export default defineModel({
  name: 'int_fund_violations__diagnoses',
  materialized: 'view',
  description: [
    '医保基金违规筛查所用的住院诊断：有病案首页诊断的住院取病案首页（诊断序号照录），',
    '没有的取医保结算清单（全部诊断类别；序号按主诊断在前、再按诊断编码排列）。',
  ].join(''),
  grain: 'One row per stay and recorded diagnosis.',
  primaryKey: ['hospital_code', 'visit_id', 'diagnosis_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '就诊ID（住院号）' },
    diagnosis_seq: {
      description: '诊断序号：病案首页的序号；结算清单按主诊断在前、诊断编码、结算ID排列',
      type: 'integer',
    },
    diagnosis_code: { description: '诊断编码' },
    is_principal: { description: '是否主诊断' },
    admission_condition: { description: '入院病情：1 有，2 临床未确定，3 情况不明，4 无' },
    diagnosis_source: {
      description: '来源：front_page 病案首页 / settlement_list 医保结算清单',
      tests: [{ accepted_values: ['front_page', 'settlement_list'] }],
    },
  },
  unitTests: [
    {
      // V1 has both: the front page's two rows only. V2 has only a settlement list: its rows, the
      // principal first.
      name: 'takes the front page, else the settlement list',
      given: {
        stg_emr__front_page_diagnoses: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'V1',
              diagnosis_seq: 1,
              diagnosis_code: 'J18.900',
              is_principal: true,
              admission_condition: '1',
            },
            {
              hospital_code: 'H1',
              visit_id: 'V1',
              diagnosis_seq: 2,
              diagnosis_code: 'J96.900',
              is_principal: false,
              admission_condition: '4',
            },
          ],
          types: { diagnosis_seq: 'integer' },
        },
        stg_insurance__settlement_diagnoses: [
          {
            hospital_code: 'H1',
            settlement_id: 'S1',
            visit_id: 'V1',
            diagnosis_code: 'J18.000',
            is_principal: true,
            admission_condition: '1',
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            diagnosis_code: 'A09.000',
            is_principal: false,
            admission_condition: '4',
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            diagnosis_code: 'K29.700',
            is_principal: true,
            admission_condition: '1',
          },
        ],
      },
      expect: [
        { visit_id: 'V1', diagnosis_seq: 1, diagnosis_code: 'J18.900', diagnosis_source: 'front_page' },
        { visit_id: 'V1', diagnosis_seq: 2, diagnosis_code: 'J96.900', diagnosis_source: 'front_page' },
        { visit_id: 'V2', diagnosis_seq: 1, diagnosis_code: 'K29.700', diagnosis_source: 'settlement_list' },
        { visit_id: 'V2', diagnosis_seq: 2, diagnosis_code: 'A09.000', diagnosis_source: 'settlement_list' },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with front_page_diagnoses as (
      select * from ${ref('stg_emr__front_page_diagnoses')}
    ),

    settlement_diagnoses as (
      select * from ${ref('stg_insurance__settlement_diagnoses')}
    ),

    final as (
      select
        hospital_code,
        visit_id,
        diagnosis_seq::integer as diagnosis_seq,
        diagnosis_code,
        is_principal,
        admission_condition,
        'front_page' as diagnosis_source
      from front_page_diagnoses

      union all

      select
        s.hospital_code,
        s.visit_id,
        row_number() over (
          partition by s.hospital_code, s.visit_id
          order by s.is_principal desc, s.diagnosis_code, s.settlement_id
        )::integer,
        s.diagnosis_code,
        s.is_principal,
        s.admission_condition,
        'settlement_list'
      from settlement_diagnoses s
      where not exists (
        select 1 from front_page_diagnoses f where f.hospital_code = s.hospital_code and f.visit_id = s.visit_id)
    )

    select * from final`,
});
