import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { diagnosis, inpatientCase, stayTypes } from './_violation_fixtures.ts';

/**
 * The stays the fund-violation screens read, each with its admission time and diagnoses. A table of
 * its own so that PostgreSQL plans the screens on its real size: as a CTE of the screen it was
 * estimated at a few rows, and the screen ran for over a quarter of an hour on the full demo.
 */
export default defineModel({
  name: 'int_fund_violations__stays',
  materialized: 'table',
  description: [
    '医保基金违规筛查所用的住院病例：fct_inpatient_cases 的病组、倍率、住院天数与费用，加入院时间（int_inpatient_cases__grouped）',
    '与诊断（int_fund_violations__diagnoses：病案首页，否则结算清单）；主诊断取序号最小者，其他诊断连同入院病情按序号列出。',
    '筛查所比的病组 screened_drg_code：病例的病组，医保未入组时取病案首页院内分组。',
  ].join(''),
  grain: 'One row per inpatient stay of fct_inpatient_cases.',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    patient_key: { description: '患者键（加盐 SHA-256）' },
    insured_person_key: { description: '参保人键（加盐 SHA-256）' },
    dept_code: { description: '出院科室的标准科室编码' },
    admitted_at: { description: '入院时间' },
    discharged_at: { description: '出院时间' },
    discharge_month: { description: '出院月份（当月第一天）', type: 'date' },
    length_of_stay_days: { description: '住院天数' },
    icu_hours: { description: '重症监护时长（小时）' },
    ventilation_hours: { description: '呼吸机使用时长（小时）' },
    is_surgical: { description: '是否手术病例' },
    drg_code: { description: 'DRG 病组（医保结算结果，否则病案首页院内分组；fct_inpatient_cases）' },
    screened_drg_code: {
      description:
        '筛查所比的病组：病例的 DRG 病组；医保未给出病组（结算清单未入组）时取病案首页院内分组结果（int_inpatient_cases__grouped.front_page_drg_code）',
    },
    outlier_class: { description: '倍率类型' },
    charge_to_standard_ratio: { description: '费用倍率' },
    low_outlier_ratio: { description: '低倍率界值' },
    high_outlier_ratio: { description: '高倍率界值' },
    outlier_threshold_source: { description: '界值来源' },
    payment_standard: { description: '支付标准（元）' },
    total_charges: { description: '医疗费总额（元）' },
    reference_mean_charge: { description: '同级参考次均费用（元）' },
    reference_mean_los_days: { description: '同级参考平均住院日' },
    main_diagnosis_code: { description: '主诊断编码（病案首页，否则结算清单）' },
    other_diagnoses: { description: '其他诊断（编码与入院病情，按诊断序号）' },
  },
  unitTests: [
    {
      // V1: two principal rows (the lower sequence leads), two others listed by sequence, one
      // without an admission condition; admitted at 09:00; the payer's group ES31 is the one screened
      // (not the front page's ES33). V2: no diagnosis, no admission time, left ungrouped by the payer:
      // the front page's own group GZ15 is screened.
      name: 'adds the admission time, the main diagnosis and the other diagnoses',
      given: {
        fct_inpatient_cases: {
          rows: [inpatientCase('V1', { drg_code: 'ES31' }), inpatientCase('V2', { drg_code: null })],
          types: stayTypes,
        },
        int_inpatient_cases__grouped: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'V1',
              admitted_at: '2024-03-12 09:00',
              front_page_drg_code: 'ES33',
            },
            { hospital_code: 'H1', visit_id: 'V2', admitted_at: null, front_page_drg_code: 'GZ15' },
          ],
          types: { admitted_at: 'timestamp' },
        },
        int_fund_violations__diagnoses: {
          rows: [
            diagnosis('V1', 2, 'J18.000', true, '1'),
            diagnosis('V1', 1, 'J18.900', true, '1'),
            diagnosis('V1', 4, 'E87.100', false, null),
            diagnosis('V1', 3, 'J96.900', false, '4'),
          ],
          types: { diagnosis_seq: 'integer' },
        },
      },
      expect: [
        {
          visit_id: 'V1',
          admitted_at: '2024-03-12 09:00:00',
          main_diagnosis_code: 'J18.900',
          other_diagnoses: 'J96.900（入院病情 4）、E87.100',
          screened_drg_code: 'ES31',
        },
        {
          visit_id: 'V2',
          admitted_at: null,
          main_diagnosis_code: null,
          other_diagnoses: null,
          screened_drg_code: 'GZ15',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    grouped as (
      select * from ${ref('int_inpatient_cases__grouped')}
    ),

    diagnoses as (
      select * from ${ref('int_fund_violations__diagnoses')}
    ),

    main_diagnoses as (
      select distinct on (hospital_code, visit_id) hospital_code, visit_id, diagnosis_code
      from diagnoses
      where is_principal
      order by hospital_code, visit_id, diagnosis_seq
    ),

    other_diagnoses as (
      select
        hospital_code,
        visit_id,
        string_agg(diagnosis_code || coalesce('（入院病情 ' || admission_condition || '）', ''), '、'
          order by diagnosis_seq) as other_diagnoses
      from diagnoses
      where not is_principal and diagnosis_code is not null
      group by 1, 2
    ),

    final as (
      select
        c.hospital_code,
        c.visit_id,
        c.patient_key,
        c.insured_person_key,
        c.dept_code,
        g.admitted_at,
        c.discharged_at,
        c.discharge_month,
        c.length_of_stay_days,
        c.icu_hours,
        c.ventilation_hours,
        c.is_surgical,
        c.drg_code,
        coalesce(c.drg_code, g.front_page_drg_code) as screened_drg_code,
        c.outlier_class,
        c.charge_to_standard_ratio,
        c.low_outlier_ratio,
        c.high_outlier_ratio,
        c.outlier_threshold_source,
        c.payment_standard,
        c.total_charges,
        c.reference_mean_charge,
        c.reference_mean_los_days,
        m.diagnosis_code as main_diagnosis_code,
        o.other_diagnoses
      from cases c
      left join grouped g on g.hospital_code = c.hospital_code and g.visit_id = c.visit_id
      left join main_diagnoses m on m.hospital_code = c.hospital_code and m.visit_id = c.visit_id
      left join other_diagnoses o on o.hospital_code = c.hospital_code and o.visit_id = c.visit_id
    )

    select * from final`,
});
