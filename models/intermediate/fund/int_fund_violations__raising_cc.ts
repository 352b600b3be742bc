import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import {
  chargeItem,
  chargeLine,
  chargeLineTypes,
  diagnosis,
  screenedStay,
  stayTypes,
} from './_violation_fixtures.ts';

/**
 * 高套编码's first half: the CC/MCC diagnoses that raised a stay's group, with the 医保 item codes
 * that would treat them. int_fund_violations__screened looks for those codes among the stay's
 * charge lines and checks the stay's own conditions. A table of its own so that the screen's join of
 * it to the charge lines is planned on its real size: as a CTE it was estimated at a few rows, and
 * the join ran as an index scan over a whole hospital's lines per diagnosis.
 */
export default defineModel({
  name: 'int_fund_violations__raising_cc',
  materialized: 'table',
  description: [
    '高套编码筛查的诊断部分：所比病组（int_fund_violations__stays.screened_drg_code：医保病组，医保未入组时取病案首页院内分组）为伴严重并发症/合并症（编码末位 1）或伴并发症/合并症（末位 3）的病例，',
    '其他诊断（病案首页，否则结算清单；另加结算清单所报诊断，医保按其分组）中使病组升至该级的 CC/MCC（末位 1 须 MCC，末位 3 为 CC 或 MCC；CHS-DRG 并发症表种子 drg_cc_mcc，不计与主诊断同排除表者，drg_principal_exclusions），',
    '入院病情在规则的 admission_conditions 内（空为不限），且种子 fund_cc_supporting_items 列有治疗该诊断的收费项目（诊断编码前缀 → 医保项目编码前缀，多条前缀相符时合并）。',
    '种子未列的诊断不列。是否有这些项目的收费由 int_fund_violations__screened 判定。',
  ].join(''),
  grain: "One row per upcoding rule, stay and secondary diagnosis that raised the stay's group.",
  primaryKey: ['rule_id', 'hospital_code', 'visit_id', 'diagnosis_code'],
  columns: {
    rule_id: { description: '规则编号（rule_code = upcoding）' },
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    diagnosis_code: { description: '使病组升级的其他诊断编码' },
    cc_level: { description: 'CC 或 MCC（drg_cc_mcc）' },
    admission_condition: { description: '该诊断的入院病情' },
    supporting_codes: { description: '治疗该诊断的医保项目编码或前缀（| 分隔，fund_cc_supporting_items）' },
  },
  unitTests: [
    {
      // B1 ES31 (ends in 1): J96.900 an MCC of table 109, principal J18.900 in table 101 (not
      //   excluded), condition 4, listed in the seed (J96: oxygen 00120800002, ventilator
      //   00310603001) → a row, whether or not anything was billed (the screen checks that).
      // B3 has J96.900 present on admission (1): not screened.
      // B4 carries the CC E87.100 (condition 4) in ES31: a CC does not raise a group to level 1.
      //   B5 is B4 in ES33 (ends in 3): the CC raises it → a row.
      // B6 has J96.900 excluded by its principal J96.000 (same table 109): no row.
      // B7 has the MCC I50.900, which the seed does not list: not screened.
      // B8 is B1 with no group at all (neither the payer's nor the front page's): no row.
      // B9's front page has no J96.900, but its settlement list declares it (condition 4): a row.
      // B10 was left ungrouped by the payer; the front page's own grouping put it in ES31: a row.
      name: 'lists the secondary CC/MCC that raised the group, with the items that would treat them',
      given: {
        fund_violation_rules: [
          { rule_id: 'FV02', rule_code: 'upcoding', admission_conditions: '4' },
          { rule_id: 'FV04', rule_code: 'duplicate_charge', admission_conditions: null },
        ],
        fund_cc_supporting_items: [
          { diagnosis_prefix: 'J96', insurance_item_codes: '00120800002|00310603001' },
          { diagnosis_prefix: 'E87', insurance_item_codes: 'XB05XA' },
        ],
        int_fund_violations__stays: {
          rows: [
            ...['B1', 'B3', 'B4', 'B7'].map((v) =>
              screenedStay(v, { drg_code: 'ES31', main_diagnosis_code: 'J18.900' }),
            ),
            screenedStay('B5', { drg_code: 'ES33', main_diagnosis_code: 'J18.900' }),
            screenedStay('B6', { drg_code: 'ES31', main_diagnosis_code: 'J96.000' }),
            screenedStay('B8', { drg_code: null, screened_drg_code: null, main_diagnosis_code: 'J18.900' }),
            screenedStay('B9', { drg_code: 'ES31', main_diagnosis_code: 'J18.900' }),
            screenedStay('B10', {
              drg_code: null,
              screened_drg_code: 'ES31',
              main_diagnosis_code: 'J18.900',
            }),
          ],
          types: stayTypes,
        },
        int_fund_violations__diagnoses: {
          rows: [
            ...['B1', 'B3', 'B4', 'B5', 'B7', 'B8'].map((v) => diagnosis(v, 1, 'J18.900', true, '1')),
            diagnosis('B1', 2, 'J96.900', false, '4'),
            diagnosis('B3', 2, 'J96.900', false, '1'),
            diagnosis('B4', 2, 'E87.100', false, '4'),
            diagnosis('B5', 2, 'E87.100', false, '4'),
            diagnosis('B6', 1, 'J96.000', true, '1'),
            diagnosis('B6', 2, 'J96.900', false, '4'),
            diagnosis('B7', 2, 'I50.900', false, '4'),
            diagnosis('B8', 2, 'J96.900', false, '4'),
            diagnosis('B9', 1, 'J18.900', true, '1'),
            diagnosis('B10', 1, 'J18.900', true, '1'),
            diagnosis('B10', 2, 'J96.900', false, '4'),
          ],
          types: { diagnosis_seq: 'integer' },
        },
        stg_insurance__settlement_diagnoses: [
          {
            hospital_code: 'H1',
            visit_id: 'B9',
            diagnosis_code: 'J18.900',
            is_principal: true,
            admission_condition: '1',
          },
          {
            hospital_code: 'H1',
            visit_id: 'B9',
            diagnosis_code: 'J96.900',
            is_principal: false,
            admission_condition: '4',
          },
        ],
        drg_cc_mcc: [
          { diag_code: 'J96.900', cc_level: 'MCC', exclusion_table: '109' },
          { diag_code: 'E87.100', cc_level: 'CC', exclusion_table: '52' },
          { diag_code: 'I50.900', cc_level: 'MCC', exclusion_table: '77' },
        ],
        drg_principal_exclusions: [
          { diag_code: 'J18.900', exclusion_table: '101' },
          { diag_code: 'J96.000', exclusion_table: '109' },
        ],
      },
      expect: [
        {
          rule_id: 'FV02',
          visit_id: 'B1',
          diagnosis_code: 'J96.900',
          cc_level: 'MCC',
          admission_condition: '4',
          supporting_codes: '00120800002|00310603001',
        },
        ...['B10', 'B9'].map((v) => ({
          rule_id: 'FV02',
          visit_id: v,
          diagnosis_code: 'J96.900',
          cc_level: 'MCC',
          admission_condition: '4',
          supporting_codes: '00120800002|00310603001',
        })),
        {
          rule_id: 'FV02',
          visit_id: 'B5',
          diagnosis_code: 'E87.100',
          cc_level: 'CC',
          admission_condition: '4',
          supporting_codes: 'XB05XA',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with rules as (
      select * from ${ref('fund_violation_rules')}
    ),

    stays as (
      select * from ${ref('int_fund_violations__stays')}
    ),

    -- The stay's diagnoses (front page, else settlement list) and, besides, its settlement lists':
    -- the payer groups on what was declared, which may carry a CC the front page does not.
    diagnoses as (
      select hospital_code, visit_id, diagnosis_code, is_principal, admission_condition
      from ${ref('int_fund_violations__diagnoses')}
      union all
      select hospital_code, visit_id, diagnosis_code, is_principal, admission_condition
      from ${ref('stg_insurance__settlement_diagnoses')}
    ),

    cc_mcc as (
      select * from ${ref('drg_cc_mcc')}
    ),

    principal_exclusions as (
      select * from ${ref('drg_principal_exclusions')}
    ),

    cc_supporting_items as (
      select * from ${ref('fund_cc_supporting_items')}
    ),

    -- the stay's CC/MCC secondary diagnoses that raised its group (an MCC for a group ending in 1, a
    -- CC or MCC for one ending in 3; not excluded by the principal's table), recorded with one of the
    -- rule's admission conditions (all when none is listed); a code recorded twice counts once
    raising as (
      select
        r.rule_id,
        d.hospital_code,
        d.visit_id,
        d.diagnosis_code,
        cc.cc_level,
        min(d.admission_condition) as admission_condition
      from diagnoses d
      join rules r on r.rule_code = 'upcoding'
      join stays s on s.hospital_code = d.hospital_code and s.visit_id = d.visit_id
      join cc_mcc cc on cc.diag_code = d.diagnosis_code
      left join principal_exclusions pe on pe.diag_code = s.main_diagnosis_code
      where not d.is_principal
        and (right(s.screened_drg_code, 1) = '3' or (right(s.screened_drg_code, 1) = '1' and cc.cc_level = 'MCC'))
        and (r.admission_conditions is null
          or d.admission_condition = any(string_to_array(r.admission_conditions, '|')))
        and (pe.exclusion_table is null or cc.exclusion_table is distinct from pe.exclusion_table)
      group by 1, 2, 3, 4, 5
    ),

    -- ... that the seed says how to treat
    final as (
      select
        ra.rule_id,
        ra.hospital_code,
        ra.visit_id,
        ra.diagnosis_code,
        ra.cc_level,
        ra.admission_condition,
        string_agg(sp.insurance_item_codes, '|' order by sp.diagnosis_prefix) as supporting_codes
      from raising ra
      join cc_supporting_items sp on starts_with(ra.diagnosis_code, sp.diagnosis_prefix)
      group by 1, 2, 3, 4, 5, 6
    )

    select * from final`,
});
