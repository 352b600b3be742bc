import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { count, money, ratio } from '../../../core/engine/column-helpers.ts';
import { settlementColumns, settlementSelect } from './_settlement_columns.ts';

/** A stay of the unit test with everything but what the example varies. */
const stay = (
  visit: string,
  dept: string | null,
  month: string,
  los: number,
  charges: number,
  standard: number,
) => ({
  hospital_code: 'H1',
  visit_id: visit,
  dept_code: dept,
  discharge_month: month,
  length_of_stay_days: los,
  total_charges: charges,
  payment_standard: standard,
});

export default defineModel({
  name: 'fct_fund_indicators',
  materialized: 'table',
  description: [
    '医保基金监管指标（国家医保基金运行效率指标的院内口径）：按医院 × 标准科室 × 月份（department 层级）与医院 × 月份（hospital 全院层级）。',
    '次均费用：门诊次均费用 = 门诊收入（HIS 收费明细，收费月、开单科室）/ 门急诊人次（就诊月、就诊科室）；住院次均费用 = 出院患者医疗费总额 / 出院人次（fct_inpatient_cases，出院月、出院科室；医疗费总额取结算清单，否则首页，否则 HIS）；',
    '另一口径 住院收入（收费月、开单科室）/ 出院人次 见 avg_inpatient_revenue_per_discharge。环比 = 本月 / 上月 − 1，同比 = 本月 / 上年同月 − 1（以未舍入的次均费用计算；上期无值或为 0 时为空）。',
    '药占比 = 药品收入 / 医疗收入（全部收费明细，门诊与住院合计，按收费月、开单科室）；药品与中药饮片、卫生材料的类别由种子 charge_categories 的 is_drug、is_herbal_pieces、is_material 决定。',
    'drug_share 含中药饮片；drug_share_excl_herbal_pieces 为不含中药饮片口径（分子剔除饮片，分母仍为全部医疗收入）。',
    '白蛋白、球蛋白、凝血因子等血液制品按药品收费（医保收费类别 09 西药费），计入药品；输血用血（血浆等，类别 14 其他费）不计药品，也不计卫生材料。',
    '耗占比 = 卫生材料收入 / 医疗收入。百元医疗收入（不含药品收入）卫生材料消耗 = 卫生材料消耗 / (医疗收入 − 药品收入) × 100，卫生材料消耗为 ERP/HRP 科室直接成本中种子 material_cost_items 所列成本项目（默认 02 卫生材料费）的金额（fct_department_direct_costs，会计期间、核算科室的标准科室）；另一口径以卫生材料收入为分子（收费口径）见 material_charges_per_100_non_drug_revenue。药品收入含中药饮片。',
    '平均住院日 = 出院者占用总床日（出院病例实际住院天数之和）/ 出院人次，按出院月。',
    '结算与拒付只计有医保结算清单的出院病例（按其出院月、出院科室，结算单按病例汇总见 int_settlements__cleared）：申报 = 结算清单有申报金额；已结算 = 清算状态在种子 settlement_statuses 中 is_settled；',
    '结算率（例数）= 已结算结算单数 / 申报结算单数；结算率（金额）= 已结算净额（已结算单的申报金额 − 拒付 − 扣款）/ 申报金额；另一口径 已结算单的申报金额 / 申报金额 见 settlement_rate_by_declared_amount。',
    '拒付率 = (拒付 + 扣款) / 申报金额（全部申报，含待审核单已返回的拒付）；只计拒付的口径见 refused_only_rate；拒付原因见 fct_fund_refusals_by_reason。',
    '基金结余率（医保视角）= (Σ 支付标准 − Σ 医疗费总额) / Σ 支付标准，只计有医保结算清单且支付标准大于 0 的出院病例；基金支付总额取结算清单基金支付，分基金类型见 fct_fund_payments_by_type。',
  ].join(''),
  grain:
    'One row per aggregation level (department, hospital), hospital, month and (department level) standard department.',
  primaryKey: 'fund_indicator_id',
  columns: {
    // ids
    fund_indicator_id: {
      title: '基金指标行编号',
      description: '主键：层级|医院|月份|科室（全院层级科室为 *，出院科室未知为 -）。',
    },
    aggregation_level: {
      title: '汇总层级',
      description: 'department 医院×科室 / hospital 全院。',
      tests: ['not_null', { accepted_values: ['department', 'hospital'] }],
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    hospital_level: { title: '医院等级', description: "医院等级，'3' 三级，'2' 二级，'1' 一级。" },
    department_code: {
      title: '科室编码',
      description:
        '标准科室编码（科室层级：门诊与收费按开单/就诊科室，住院与结算按出院科室；全院层级为空）。',
    },
    department_name: { title: '科室名称', description: '标准科室名称。' },
    month: { title: '月份', description: '月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    year: { title: '年度', description: '年度。', type: 'integer' },
    // outpatient
    outpatient_visits: count('门急诊人次', 'HIS 门诊就诊人次（就诊月、就诊科室）。'),
    outpatient_charges: money('门诊收入', '门诊收费明细金额之和（收费月、开单科室）。'),
    avg_outpatient_charge: money('门诊次均费用', '门诊收入 / 门急诊人次（元）。'),
    avg_outpatient_charge_mom_growth: ratio('门诊次均费用环比', '本月门诊次均费用 / 上月 − 1。'),
    avg_outpatient_charge_yoy_growth: ratio('门诊次均费用同比', '本月门诊次均费用 / 上年同月 − 1。'),
    // inpatient
    discharges: count('出院人次', '出院病例数（含自费病例，出院月、出院科室）。'),
    discharged_total_charges: money('出院患者医疗费总额', '出院病例医疗费总额之和（元）。'),
    avg_inpatient_charge: money('住院次均费用', '出院患者医疗费总额 / 出院人次（元）。'),
    avg_inpatient_charge_mom_growth: ratio('住院次均费用环比', '本月住院次均费用 / 上月 − 1。'),
    avg_inpatient_charge_yoy_growth: ratio('住院次均费用同比', '本月住院次均费用 / 上年同月 − 1。'),
    inpatient_charges: money('住院收入', '住院收费明细金额之和（收费月、开单科室）。'),
    avg_inpatient_revenue_per_discharge: money(
      '住院次均费用（收入口径）',
      '另一口径：住院收入 / 出院人次（元）。',
    ),
    discharged_bed_days: count('出院者占用总床日', '出院病例实际住院天数之和。'),
    avg_length_of_stay_days: {
      title: '平均住院日',
      description: '出院者占用总床日 / 出院人次（天）。',
      type: 'numeric(12, 4)',
    },
    // charge structure
    medical_charges: money('医疗收入', '门诊与住院全部收费明细金额之和（收费月、开单科室）。'),
    drug_charges: money('药品收入', '药品类别（含中药饮片）收费金额。'),
    herbal_pieces_charges: money('中药饮片收入', '中药饮片类别收费金额。'),
    material_charges: money('卫生材料收入', '卫生材料类别收费金额。'),
    drug_share: ratio('药占比', '药品收入（含中药饮片）/ 医疗收入。'),
    drug_share_excl_herbal_pieces: ratio('药占比（不含中药饮片）', '(药品收入 − 中药饮片收入) / 医疗收入。'),
    material_share: ratio('耗占比', '卫生材料收入 / 医疗收入。'),
    material_cost: money(
      '卫生材料消耗',
      'ERP/HRP 科室直接成本中计入卫生材料消耗的成本项目金额（元，种子 material_cost_items）。',
    ),
    material_cost_per_100_non_drug_revenue: {
      title: '百元医疗收入（不含药品收入）卫生材料消耗',
      description: '卫生材料消耗 / (医疗收入 − 药品收入) × 100（元）。',
      type: 'numeric(12, 4)',
    },
    material_charges_per_100_non_drug_revenue: {
      title: '百元医疗收入（不含药品收入）卫生材料收入',
      description: '另一口径（收费口径）：卫生材料收入 / (医疗收入 − 药品收入) × 100（元）。',
      type: 'numeric(12, 4)',
    },
    ...settlementColumns,
  },
  unitTests: [
    {
      // Worked by hand for hospital H1, department A03 (and one stay whose department is unknown).
      // Outpatient: 2024-01 300 yuan over 3 visits = 100; 2024-02 220 / 2 = 110 (+10 % on the month);
      // 2025-01 330 / 3 = 110 (+10 % on the year). Inpatient 2024-01: V1 1 000 yuan 4 days, V2 3 000
      // yuan 6 days: 2 000 a stay, 5 days. V2's settlement (settled) declares 2 000, 300 refused and
      // 100 deducted: 1 600 settled. V1's (pending) declares 500. Over both: 结算率 1 / 2 = 0.5 by
      // cases, 1 600 / 2 500 = 0.64 by amount (2 000 / 2 500 = 0.8 by declared amount), 拒付率
      // 400 / 2 500 = 0.16 (300 / 2 500 = 0.12 refused only).
      // Standards 1 200 + 2 500 against 1 000 + 3 000: 结余率 −300 / 3 700 = −0.0811.
      // Charges 2024-01: drugs 200 (of which herbal 50), materials 100, other 700 = 1 000 yuan:
      // 药占比 0.2, without herbal 0.15, 耗占比 0.1; per 100 yuan of non-drug revenue the ledger's 80 yuan
      // of 卫生材料费 (item 02; item 07 is not a material) is 80 / 800 × 100 = 10, the charged 100 is 12.5.
      name: 'computes per-visit charges with growth, shares, stay, settlement, refusal and fund balance rates',
      given: {
        int_department_activity: {
          rows: [
            { hospital_code: 'H1', activity_month: '2024-01-01', dept_code: 'd1', outpatient_visits: 2 },
            { hospital_code: 'H1', activity_month: '2024-01-01', dept_code: 'd2', outpatient_visits: 1 },
            { hospital_code: 'H1', activity_month: '2024-02-01', dept_code: 'd1', outpatient_visits: 2 },
            { hospital_code: 'H1', activity_month: '2025-01-01', dept_code: 'd1', outpatient_visits: 3 },
          ],
          types: { activity_month: 'date', outpatient_visits: 'bigint' },
        },
        stg_his__departments: [
          { hospital_code: 'H1', dept_code: 'd1', std_dept_code: 'A03' },
          { hospital_code: 'H1', dept_code: 'd2', std_dept_code: 'A03' },
        ],
        int_charge_lines__standardised: {
          rows: [
            {
              hospital_code: 'H1',
              visit_type: 'outpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '09',
              amount: 200,
            },
            {
              hospital_code: 'H1',
              visit_type: 'outpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '03',
              amount: 100,
            },
            {
              hospital_code: 'H1',
              visit_type: 'inpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '10',
              amount: 50,
            },
            {
              hospital_code: 'H1',
              visit_type: 'inpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '09',
              amount: -50,
            },
            {
              hospital_code: 'H1',
              visit_type: 'inpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '08',
              amount: 100,
            },
            {
              hospital_code: 'H1',
              visit_type: 'inpatient',
              department_code: 'A03',
              charge_month: '2024-01-01',
              charge_category_code: '03',
              amount: 600,
            },
            {
              hospital_code: 'H1',
              visit_type: 'outpatient',
              department_code: 'A03',
              charge_month: '2024-02-01',
              charge_category_code: '03',
              amount: 220,
            },
            {
              hospital_code: 'H1',
              visit_type: 'outpatient',
              department_code: 'A03',
              charge_month: '2025-01-01',
              charge_category_code: '03',
              amount: 330,
            },
          ],
          types: { charge_month: 'date', amount: 'numeric' },
        },
        charge_categories: [
          { category_code: '03', is_drug: false, is_herbal_pieces: false, is_material: false },
          { category_code: '08', is_drug: false, is_herbal_pieces: false, is_material: true },
          { category_code: '09', is_drug: true, is_herbal_pieces: false, is_material: false },
          { category_code: '10', is_drug: true, is_herbal_pieces: true, is_material: false },
        ],
        fct_inpatient_cases: {
          rows: [
            stay('V1', 'A03', '2024-01-01', 4, 1000, 1200),
            stay('V2', 'A03', '2024-01-01', 6, 3000, 2500),
            stay('V3', null, '2024-01-01', 2, 800, 0),
          ],
          types: { discharge_month: 'date', payment_standard: 'numeric', total_charges: 'numeric' },
        },
        int_settlements__cleared: [
          {
            hospital_code: 'H1',
            visit_id: 'V1',
            declared_case_count: 1,
            settled_case_count: 0,
            declared_amount: 500,
            settled_declared_amount: 0,
            settled_amount: 0,
            refused_amount: 0,
            deducted_amount: 0,
            fund_paid_amount: 500,
          },
          {
            hospital_code: 'H1',
            visit_id: 'V2',
            declared_case_count: 1,
            settled_case_count: 1,
            declared_amount: 2000,
            settled_declared_amount: 2000,
            settled_amount: 1600,
            refused_amount: 300,
            deducted_amount: 100,
            fund_paid_amount: 2000,
          },
        ],
        fct_department_direct_costs: {
          rows: [
            {
              hospital_code: 'H1',
              cost_month: '2024-01-01',
              std_dept_code: 'A03',
              cost_item_code: '02',
              direct_cost: 80,
            },
            {
              hospital_code: 'H1',
              cost_month: '2024-01-01',
              std_dept_code: 'A03',
              cost_item_code: '07',
              direct_cost: 500,
            },
          ],
          types: { cost_month: 'date', direct_cost: 'numeric' },
        },
        material_cost_items: [{ cost_item_code: '02' }],
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院', hospital_level: '3' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
      },
      expect: [
        {
          fund_indicator_id: 'department|H1|2024-01|A03',
          outpatient_visits: 3,
          avg_outpatient_charge: 100,
          avg_outpatient_charge_mom_growth: null,
          avg_outpatient_charge_yoy_growth: null,
          discharges: 2,
          avg_inpatient_charge: 2000,
          avg_inpatient_revenue_per_discharge: 350,
          avg_length_of_stay_days: 5,
          medical_charges: 1000,
          drug_share: 0.2,
          drug_share_excl_herbal_pieces: 0.15,
          material_share: 0.1,
          material_cost: 80,
          material_cost_per_100_non_drug_revenue: 10,
          material_charges_per_100_non_drug_revenue: 12.5,
          declared_case_count: 2,
          settled_case_count: 1,
          settled_amount: 1600,
          settlement_rate_by_cases: 0.5,
          settlement_rate_by_amount: 0.64,
          settlement_rate_by_declared_amount: 0.8,
          refusal_rate: 0.16,
          refused_only_rate: 0.12,
          fund_paid_amount: 2500,
          fund_balance_amount: -300,
          fund_balance_rate: -0.0811,
        },
        {
          fund_indicator_id: 'department|H1|2024-01|-',
          outpatient_visits: 0,
          avg_outpatient_charge: null,
          avg_outpatient_charge_mom_growth: null,
          avg_outpatient_charge_yoy_growth: null,
          discharges: 1,
          avg_inpatient_charge: 800,
          avg_inpatient_revenue_per_discharge: 0,
          avg_length_of_stay_days: 2,
          medical_charges: 0,
          drug_share: null,
          drug_share_excl_herbal_pieces: null,
          material_share: null,
          material_cost: 0,
          material_cost_per_100_non_drug_revenue: null,
          material_charges_per_100_non_drug_revenue: null,
          declared_case_count: 0,
          settled_case_count: 0,
          settled_amount: 0,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          settlement_rate_by_declared_amount: null,
          refusal_rate: null,
          refused_only_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        },
        {
          fund_indicator_id: 'hospital|H1|2024-01|*',
          outpatient_visits: 3,
          avg_outpatient_charge: 100,
          avg_outpatient_charge_mom_growth: null,
          avg_outpatient_charge_yoy_growth: null,
          discharges: 3,
          avg_inpatient_charge: 1600,
          avg_inpatient_revenue_per_discharge: 233.33,
          avg_length_of_stay_days: 4,
          medical_charges: 1000,
          drug_share: 0.2,
          drug_share_excl_herbal_pieces: 0.15,
          material_share: 0.1,
          material_cost: 80,
          material_cost_per_100_non_drug_revenue: 10,
          material_charges_per_100_non_drug_revenue: 12.5,
          declared_case_count: 2,
          settled_case_count: 1,
          settled_amount: 1600,
          settlement_rate_by_cases: 0.5,
          settlement_rate_by_amount: 0.64,
          settlement_rate_by_declared_amount: 0.8,
          refusal_rate: 0.16,
          refused_only_rate: 0.12,
          fund_paid_amount: 2500,
          fund_balance_amount: -300,
          fund_balance_rate: -0.0811,
        },
        ...['department|H1|2024-02|A03', 'hospital|H1|2024-02|*'].map((id) => ({
          fund_indicator_id: id,
          outpatient_visits: 2,
          avg_outpatient_charge: 110,
          avg_outpatient_charge_mom_growth: 0.1,
          avg_outpatient_charge_yoy_growth: null,
          discharges: 0,
          avg_inpatient_charge: null,
          avg_inpatient_revenue_per_discharge: null,
          avg_length_of_stay_days: null,
          medical_charges: 220,
          drug_share: 0,
          drug_share_excl_herbal_pieces: 0,
          material_share: 0,
          material_cost: 0,
          material_cost_per_100_non_drug_revenue: 0,
          material_charges_per_100_non_drug_revenue: 0,
          declared_case_count: 0,
          settled_case_count: 0,
          settled_amount: 0,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          settlement_rate_by_declared_amount: null,
          refusal_rate: null,
          refused_only_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        })),
        ...['department|H1|2025-01|A03', 'hospital|H1|2025-01|*'].map((id) => ({
          fund_indicator_id: id,
          outpatient_visits: 3,
          avg_outpatient_charge: 110,
          avg_outpatient_charge_mom_growth: null,
          avg_outpatient_charge_yoy_growth: 0.1,
          discharges: 0,
          avg_inpatient_charge: null,
          avg_inpatient_revenue_per_discharge: null,
          avg_length_of_stay_days: null,
          medical_charges: 330,
          drug_share: 0,
          drug_share_excl_herbal_pieces: 0,
          material_share: 0,
          material_cost: 0,
          material_cost_per_100_non_drug_revenue: 0,
          material_charges_per_100_non_drug_revenue: 0,
          declared_case_count: 0,
          settled_case_count: 0,
          settled_amount: 0,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          settlement_rate_by_declared_amount: null,
          refusal_rate: null,
          refused_only_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        })),
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with activity as (
      select * from ${ref('int_department_activity')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    charge_lines as (
      select * from ${ref('int_charge_lines__standardised')}
    ),

    -- which charge categories count as drug, 中药饮片 and material: edited by finance in the seed
    categories as (
      select * from ${ref('charge_categories')}
    ),

    cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    -- declared, settled, refused and deducted per stay (clearing statuses from the seed settlement_statuses)
    case_settlements as (
      select * from ${ref('int_settlements__cleared')}
    ),

    direct_costs as (
      select * from ${ref('fct_department_direct_costs')}
    ),

    -- which cost items count as 卫生材料消耗: edited by finance in the seed
    material_cost_items as (
      select * from ${ref('material_cost_items')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    standard_departments as (
      select * from ${ref('standard_departments')}
    ),

    -- outpatient visits by visit month and the visit's department, mapped to the standard department
    outpatient_parts as (
      select
        a.hospital_code,
        a.activity_month as month,
        d.std_dept_code as department_code,
        a.outpatient_visits::numeric as outpatient_visits
      from activity a
      left join departments d on d.hospital_code = a.hospital_code and d.dept_code = a.dept_code
      where a.outpatient_visits > 0
    ),

    -- revenue by charge month and ordering department
    charge_parts as (
      select
        c.hospital_code,
        c.charge_month as month,
        c.department_code,
        case when c.visit_type = 'outpatient' then c.amount else 0 end as outpatient_charges,
        case when c.visit_type = 'inpatient' then c.amount else 0 end as inpatient_charges,
        c.amount as medical_charges,
        case when k.is_drug then c.amount else 0 end as drug_charges,
        case when k.is_herbal_pieces then c.amount else 0 end as herbal_pieces_charges,
        case when k.is_material then c.amount else 0 end as material_charges
      from charge_lines c
      left join categories k on k.category_code = c.charge_category_code
    ),

    -- materials consumed by accounting month and the cost unit's standard department (ERP/HRP ledger)
    cost_parts as (
      select d.hospital_code, d.cost_month as month, d.std_dept_code as department_code, d.direct_cost as material_cost
      from direct_costs d
      join material_cost_items m on m.cost_item_code = d.cost_item_code
    ),

    -- discharges by discharge month and discharge department, with their settlement lists
    case_parts as (
      select
        c.hospital_code,
        c.discharge_month as month,
        c.dept_code as department_code,
        1 as discharges,
        c.total_charges as discharged_total_charges,
        c.length_of_stay_days as discharged_bed_days,
        s.declared_case_count,
        s.settled_case_count,
        s.declared_amount,
        s.settled_declared_amount,
        s.settled_amount,
        s.refused_amount,
        s.deducted_amount,
        s.fund_paid_amount,
        case when s.visit_id is not null and c.payment_standard > 0 then c.payment_standard end as fund_standard_amount,
        case when s.visit_id is not null and c.payment_standard > 0 then c.total_charges end as fund_actual_amount
      from cases c
      left join case_settlements s on s.hospital_code = c.hospital_code and s.visit_id = c.visit_id
    ),

    parts as (
      select hospital_code, month, department_code, outpatient_visits,
        null::numeric as outpatient_charges, null::numeric as inpatient_charges, null::numeric as medical_charges,
        null::numeric as drug_charges, null::numeric as herbal_pieces_charges, null::numeric as material_charges,
        null::numeric as discharges, null::numeric as discharged_total_charges, null::numeric as discharged_bed_days,
        null::numeric as declared_case_count, null::numeric as settled_case_count, null::numeric as declared_amount,
        null::numeric as settled_declared_amount, null::numeric as settled_amount, null::numeric as refused_amount,
        null::numeric as deducted_amount, null::numeric as fund_paid_amount, null::numeric as fund_standard_amount,
        null::numeric as fund_actual_amount, null::numeric as material_cost
      from outpatient_parts
      union all
      select hospital_code, month, department_code, null,
        outpatient_charges, inpatient_charges, medical_charges, drug_charges, herbal_pieces_charges, material_charges,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null
      from charge_parts
      union all
      select hospital_code, month, department_code, null, null, null, null, null, null, null,
        discharges, discharged_total_charges, discharged_bed_days, declared_case_count, settled_case_count,
        declared_amount, settled_declared_amount, settled_amount, refused_amount, deducted_amount, fund_paid_amount,
        fund_standard_amount, fund_actual_amount, null
      from case_parts
      union all
      select hospital_code, month, department_code, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, material_cost
      from cost_parts
    ),

    summed as (
      select
        case when grouping(department_code) = 0 then 'department' else 'hospital' end as aggregation_level,
        hospital_code,
        month,
        department_code,
        coalesce(sum(outpatient_visits), 0) as outpatient_visits,
        coalesce(sum(outpatient_charges), 0) as outpatient_charges,
        coalesce(sum(inpatient_charges), 0) as inpatient_charges,
        coalesce(sum(medical_charges), 0) as medical_charges,
        coalesce(sum(drug_charges), 0) as drug_charges,
        coalesce(sum(herbal_pieces_charges), 0) as herbal_pieces_charges,
        coalesce(sum(material_charges), 0) as material_charges,
        coalesce(sum(discharges), 0) as discharges,
        coalesce(sum(discharged_total_charges), 0) as discharged_total_charges,
        coalesce(sum(discharged_bed_days), 0) as discharged_bed_days,
        coalesce(sum(declared_case_count), 0) as declared_case_count,
        coalesce(sum(settled_case_count), 0) as settled_case_count,
        coalesce(sum(declared_amount), 0) as declared_amount,
        coalesce(sum(settled_declared_amount), 0) as settled_declared_amount,
        coalesce(sum(settled_amount), 0) as settled_amount,
        coalesce(sum(refused_amount), 0) as refused_amount,
        coalesce(sum(deducted_amount), 0) as deducted_amount,
        coalesce(sum(fund_paid_amount), 0) as fund_paid_amount,
        coalesce(sum(fund_standard_amount), 0) as fund_standard_amount,
        coalesce(sum(fund_actual_amount), 0) as fund_actual_amount,
        coalesce(sum(material_cost), 0) as material_cost
      from parts
      group by hospital_code, month, grouping sets ((department_code), ())
    ),

    -- per-visit charges unrounded, so growth is computed on the exact figures
    averaged as (
      select
        s.*,
        s.outpatient_charges / nullif(s.outpatient_visits, 0) as avg_outpatient_exact,
        s.discharged_total_charges / nullif(s.discharges, 0) as avg_inpatient_exact
      from summed s
    ),

    final as (
      select
        -- ids
        concat_ws('|', a.aggregation_level, a.hospital_code, to_char(a.month, 'YYYY-MM'),
          case when a.aggregation_level = 'hospital' then '*' else coalesce(a.department_code, '-') end) as fund_indicator_id,
        a.aggregation_level,
        a.hospital_code,
        h.hospital_name,
        h.hospital_level,
        a.department_code,
        sd.std_dept_name as department_name,
        -- dates
        a.month,
        extract(year from a.month)::integer as year,
        -- outpatient
        a.outpatient_visits::bigint as outpatient_visits,
        a.outpatient_charges::numeric(18, 2) as outpatient_charges,
        round(a.avg_outpatient_exact, 2)::numeric(18, 2) as avg_outpatient_charge,
        round(a.avg_outpatient_exact / nullif(pm.avg_outpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_outpatient_charge_mom_growth,
        round(a.avg_outpatient_exact / nullif(py.avg_outpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_outpatient_charge_yoy_growth,
        -- inpatient
        a.discharges::bigint as discharges,
        a.discharged_total_charges::numeric(18, 2) as discharged_total_charges,
        round(a.avg_inpatient_exact, 2)::numeric(18, 2) as avg_inpatient_charge,
        round(a.avg_inpatient_exact / nullif(pm.avg_inpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_inpatient_charge_mom_growth,
        round(a.avg_inpatient_exact / nullif(py.avg_inpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_inpatient_charge_yoy_growth,
        a.inpatient_charges::numeric(18, 2) as inpatient_charges,
        round(a.inpatient_charges / nullif(a.discharges, 0), 2)::numeric(18, 2) as avg_inpatient_revenue_per_discharge,
        a.discharged_bed_days::bigint as discharged_bed_days,
        round(a.discharged_bed_days / nullif(a.discharges, 0), 4)::numeric(12, 4) as avg_length_of_stay_days,
        -- charge structure
        a.medical_charges::numeric(18, 2) as medical_charges,
        a.drug_charges::numeric(18, 2) as drug_charges,
        a.herbal_pieces_charges::numeric(18, 2) as herbal_pieces_charges,
        a.material_charges::numeric(18, 2) as material_charges,
        round(a.drug_charges / nullif(a.medical_charges, 0), 4)::numeric(12, 4) as drug_share,
        round((a.drug_charges - a.herbal_pieces_charges) / nullif(a.medical_charges, 0), 4)::numeric(12, 4)
          as drug_share_excl_herbal_pieces,
        round(a.material_charges / nullif(a.medical_charges, 0), 4)::numeric(12, 4) as material_share,
        a.material_cost::numeric(18, 2) as material_cost,
        round(a.material_cost * 100 / nullif(a.medical_charges - a.drug_charges, 0), 4)::numeric(12, 4)
          as material_cost_per_100_non_drug_revenue,
        round(a.material_charges * 100 / nullif(a.medical_charges - a.drug_charges, 0), 4)::numeric(12, 4)
          as material_charges_per_100_non_drug_revenue,
        ${settlementSelect}
      from averaged a
      left join averaged pm
        on pm.aggregation_level = a.aggregation_level and pm.hospital_code = a.hospital_code
        and pm.department_code is not distinct from a.department_code
        and pm.month = (a.month - interval '1 month')::date
      left join averaged py
        on py.aggregation_level = a.aggregation_level and py.hospital_code = a.hospital_code
        and py.department_code is not distinct from a.department_code
        and py.month = (a.month - interval '1 year')::date
      left join hospitals h on h.hospital_code = a.hospital_code
      left join standard_departments sd on sd.std_dept_code = a.department_code
    )

    select * from final`,
});
