import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { count, money, ratio } from '../../../core/engine/column-helpers.ts';
import { settlementColumns, settlementSelect } from './_settlement_columns.ts';

/** A stay of the unit test. */
const stay = (
  visit: string,
  drg: string | null,
  month: string,
  los: number,
  charges: number,
  standard: number,
) => ({
  hospital_code: 'H1',
  visit_id: visit,
  drg_code: drg,
  drg_name: drg,
  discharge_month: month,
  length_of_stay_days: los,
  total_charges: charges,
  payment_standard: standard,
});

export default defineModel({
  name: 'fct_fund_drg_indicators',
  materialized: 'table',
  description: [
    '医保基金监管指标（病组口径）：医院 × DRG 病组 × 出院月份。病组取 fct_inpatient_cases（医保方结果优先，否则病案首页院内分组）；未入组病例为一行（drg_code 为空）。',
    '住院次均费用 = 出院患者医疗费总额 / 出院人次，环比 = 本月 / 上月 − 1，同比 = 本月 / 上年同月 − 1（未舍入的次均费用；上期无该病组病例时为空）；平均住院日 = 实际住院天数之和 / 出院人次。',
    '结算率、拒付率、基金结余率与 fct_fund_indicators 同口径（结算单按病例汇总见 int_settlements__cleared：结算率（例数）= 已结算 / 申报结算单数，结算率（金额）= (已结算单申报金额 − 拒付 − 扣款) / 申报金额，',
    '另一口径 已结算单申报金额 / 申报金额；拒付率 = (拒付 + 扣款) / 申报金额，另一口径只计拒付；基金结余率 = (Σ 支付标准 − Σ 医疗费总额) / Σ 支付标准，只计有结算清单且支付标准大于 0 的病例）。',
    '药占比与耗占比按收费明细的收费月与开单科室计算，不按病组归集，见 fct_fund_indicators。',
  ].join(''),
  grain: 'One row per hospital, discharge month and DRG group (ungrouped stays as one row).',
  primaryKey: 'fund_drg_indicator_id',
  columns: {
    // ids
    fund_drg_indicator_id: {
      title: '病组基金指标行编号',
      description: '主键：医院|月份|病组（未入组为 -）。',
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    hospital_level: { title: '医院等级', description: "医院等级，'3' 三级，'2' 二级，'1' 一级。" },
    month: { title: '出院月份', description: '出院月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    year: { title: '年度', description: '出院年度。', type: 'integer' },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码；空为未入组。' },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    // inpatient
    discharges: count('出院人次', '该病组出院病例数（含自费病例）。'),
    discharged_total_charges: money('出院患者医疗费总额', '该病组出院病例医疗费总额之和（元）。'),
    avg_inpatient_charge: money('住院次均费用', '出院患者医疗费总额 / 出院人次（元）。'),
    avg_inpatient_charge_mom_growth: ratio('住院次均费用环比', '本月住院次均费用 / 上月 − 1。'),
    avg_inpatient_charge_yoy_growth: ratio('住院次均费用同比', '本月住院次均费用 / 上年同月 − 1。'),
    discharged_bed_days: count('出院者占用总床日', '出院病例实际住院天数之和。'),
    avg_length_of_stay_days: {
      title: '平均住院日',
      description: '出院者占用总床日 / 出院人次（天）。',
      type: 'numeric(12, 4)',
    },
    ...settlementColumns,
  },
  unitTests: [
    {
      // Group A: 2024-01 V1 1 000 yuan 2 days and V2 3 000 yuan 4 days (2 000 a stay, 3 days);
      // 2024-02 V3 2 200 (+10 % on the month); 2025-01 V4 2 400 (+20 % on the year, no December
      // stay so no month-on-month). V2 declares 1 000 and is settled with 100 refused: 结算率 1 by
      // cases, 0.9 by amount, 拒付率 0.1; its standard 2 500 against 3 000: 结余率 −0.2. V5 is ungrouped.
      name: 'computes per-group charges with growth, stay, settlement, refusal and fund balance rates',
      given: {
        fct_inpatient_cases: {
          rows: [
            stay('V1', 'A', '2024-01-01', 2, 1000, 1500),
            stay('V2', 'A', '2024-01-01', 4, 3000, 2500),
            stay('V3', 'A', '2024-02-01', 5, 2200, 2500),
            stay('V4', 'A', '2025-01-01', 3, 2400, 2500),
            stay('V5', null, '2024-01-01', 7, 900, 0),
          ],
          types: {
            discharge_month: 'date',
            payment_standard: 'numeric',
            total_charges: 'numeric',
            drg_name: 'text',
          },
        },
        int_settlements__cleared: [
          {
            hospital_code: 'H1',
            visit_id: 'V2',
            declared_case_count: 1,
            settled_case_count: 1,
            declared_amount: 1000,
            settled_declared_amount: 1000,
            settled_amount: 900,
            refused_amount: 100,
            deducted_amount: 0,
            fund_paid_amount: 1000,
          },
        ],
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院', hospital_level: '3' }],
      },
      expect: [
        {
          fund_drg_indicator_id: 'H1|2024-01|A',
          discharges: 2,
          avg_inpatient_charge: 2000,
          avg_inpatient_charge_mom_growth: null,
          avg_inpatient_charge_yoy_growth: null,
          avg_length_of_stay_days: 3,
          settlement_rate_by_cases: 1,
          settlement_rate_by_amount: 0.9,
          refusal_rate: 0.1,
          fund_paid_amount: 1000,
          fund_balance_amount: -500,
          fund_balance_rate: -0.2,
        },
        {
          fund_drg_indicator_id: 'H1|2024-02|A',
          discharges: 1,
          avg_inpatient_charge: 2200,
          avg_inpatient_charge_mom_growth: 0.1,
          avg_inpatient_charge_yoy_growth: null,
          avg_length_of_stay_days: 5,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          refusal_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        },
        {
          fund_drg_indicator_id: 'H1|2025-01|A',
          discharges: 1,
          avg_inpatient_charge: 2400,
          avg_inpatient_charge_mom_growth: null,
          avg_inpatient_charge_yoy_growth: 0.2,
          avg_length_of_stay_days: 3,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          refusal_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        },
        {
          fund_drg_indicator_id: 'H1|2024-01|-',
          discharges: 1,
          avg_inpatient_charge: 900,
          avg_inpatient_charge_mom_growth: null,
          avg_inpatient_charge_yoy_growth: null,
          avg_length_of_stay_days: 7,
          settlement_rate_by_cases: null,
          settlement_rate_by_amount: null,
          refusal_rate: null,
          fund_paid_amount: 0,
          fund_balance_amount: 0,
          fund_balance_rate: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    -- declared, settled, refused and deducted per stay (clearing statuses from the seed settlement_statuses)
    case_settlements as (
      select * from ${ref('int_settlements__cleared')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    summed as (
      select
        c.hospital_code,
        c.discharge_month as month,
        c.drg_code,
        min(c.drg_name) as drg_name,
        count(*) as discharges,
        sum(c.total_charges) as discharged_total_charges,
        sum(c.length_of_stay_days) as discharged_bed_days,
        coalesce(sum(s.declared_case_count), 0) as declared_case_count,
        coalesce(sum(s.settled_case_count), 0) as settled_case_count,
        coalesce(sum(s.declared_amount), 0) as declared_amount,
        coalesce(sum(s.settled_declared_amount), 0) as settled_declared_amount,
        coalesce(sum(s.settled_amount), 0) as settled_amount,
        coalesce(sum(s.refused_amount), 0) as refused_amount,
        coalesce(sum(s.deducted_amount), 0) as deducted_amount,
        coalesce(sum(s.fund_paid_amount), 0) as fund_paid_amount,
        coalesce(sum(c.payment_standard) filter (where s.visit_id is not null and c.payment_standard > 0), 0)
          as fund_standard_amount,
        coalesce(sum(c.total_charges) filter (where s.visit_id is not null and c.payment_standard > 0), 0)
          as fund_actual_amount
      from cases c
      left join case_settlements s on s.hospital_code = c.hospital_code and s.visit_id = c.visit_id
      group by 1, 2, 3
    ),

    -- per-stay charges unrounded, so growth is computed on the exact figures
    averaged as (
      select s.*, s.discharged_total_charges / nullif(s.discharges, 0) as avg_inpatient_exact
      from summed s
    ),

    final as (
      select
        -- ids
        concat_ws('|', a.hospital_code, to_char(a.month, 'YYYY-MM'), coalesce(a.drg_code, '-')) as fund_drg_indicator_id,
        a.hospital_code,
        h.hospital_name,
        h.hospital_level,
        -- dates
        a.month,
        extract(year from a.month)::integer as year,
        -- group
        a.drg_code,
        a.drg_name,
        -- inpatient
        a.discharges::bigint as discharges,
        a.discharged_total_charges::numeric(18, 2) as discharged_total_charges,
        round(a.avg_inpatient_exact, 2)::numeric(18, 2) as avg_inpatient_charge,
        round(a.avg_inpatient_exact / nullif(pm.avg_inpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_inpatient_charge_mom_growth,
        round(a.avg_inpatient_exact / nullif(py.avg_inpatient_exact, 0) - 1, 4)::numeric(12, 4)
          as avg_inpatient_charge_yoy_growth,
        a.discharged_bed_days::bigint as discharged_bed_days,
        round(a.discharged_bed_days::numeric / nullif(a.discharges, 0), 4)::numeric(12, 4) as avg_length_of_stay_days,
        ${settlementSelect}
      from averaged a
      left join averaged pm
        on pm.hospital_code = a.hospital_code and pm.drg_code is not distinct from a.drg_code
        and pm.month = (a.month - interval '1 month')::date
      left join averaged py
        on py.hospital_code = a.hospital_code and py.drg_code is not distinct from a.drg_code
        and py.month = (a.month - interval '1 year')::date
      left join hospitals h on h.hospital_code = a.hospital_code
    )

    select * from final`,
});
