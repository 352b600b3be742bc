import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { MONTHLY_INDICATORS, observedSeries } from './_alert_indicators.ts';

const nulls = Object.fromEntries(MONTHLY_INDICATORS.map((c) => [c, null]));

export default defineModel({
  name: 'fct_fund_alert_observations',
  materialized: 'table',
  description: [
    '医保基金监管预警的观测序列：预警规则（种子 fund_alert_rules）可监测的每个指标、范围与期间一行，带相对基准。',
    '月度：fct_fund_indicators 的全院与科室指标；低风险组死亡率（fct_drg_performance_rollups 全院月度）；药品采购单价 = ERP 采购记录中该药当月金额之和 / 数量之和（只计数量与金额为正的记录；药品按 HIS 收费项目的收费类别，种子 charge_categories 的 is_drug）。',
    '周度：病组次均成本（fct_fund_drg_weeks，基准为次均支付标准）。',
    '区域基准：住院次均费用同比的区域值 = 医院所属医保局区域参考（同级医院）当年次均费用 / 上年 − 1，区域次均费用 = Σ 例数 × 次均费用 / Σ 例数；',
    '低风险组死亡率的区域值 = int_drg_groups__risk_classes 中该医保局当年第 1 级（低风险）病组的 Σ 死亡数 / Σ 例数（该局未发布区域参考值时为医联体病例，见 risk_basis）。',
    '医院所属医保局取该院当年出院病例最多的医保局（fct_inpatient_cases.publisher_code 的众数）。自身历史基准由 fct_fund_alerts 按规则的 history_periods 计算。',
  ].join(''),
  grain: 'One row per indicator, hospital, scope member and period.',
  primaryKey: 'observation_id',
  columns: {
    observation_id: { title: '观测编号', description: '主键：指标|医院|范围成员（全院为 *）|粒度|期间。' },
    indicator: {
      title: '指标',
      description: '指标名（见种子 fund_alert_rules 的 indicator）。',
      tests: ['not_null'],
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    scope: {
      title: '范围',
      description: 'hospital 全院 / department 科室 / group 病组 / drug 药品。',
      tests: ['not_null', { accepted_values: ['hospital', 'department', 'group', 'drug'] }],
    },
    scope_code: { title: '范围成员编码', description: '科室、病组或药品（收费项目）编码；全院为空。' },
    scope_name: { title: '范围成员名称', description: '科室、病组或药品名称。' },
    period_grain: {
      title: '期间粒度',
      description: 'month 月 / week 周。',
      tests: ['not_null', { accepted_values: ['month', 'week'] }],
    },
    period_start: { title: '期间', description: '月份第一天或周一。', type: 'date', tests: ['not_null'] },
    period_index: {
      title: '期间序号',
      description: '连续期间的序号（月：年 × 12 + 月；周：自 2000-01-03 起的周数），判断是否连续用。',
      type: 'integer',
    },
    value: { title: '指标值', description: '该期的指标值。', type: 'numeric' },
    base_count: {
      title: '基数例数',
      description: '指标所依据的病例数（病组周：成本比较例数；低风险组死亡率：低风险组病例数；其余为空）。',
      type: 'bigint',
    },
    reference_kind: {
      title: '基准类型',
      description: 'payment_standard 支付标准 / region 区域；空为只能按绝对值或自身历史比较。',
    },
    reference_value: { title: '基准值', description: '该期的支付标准或区域值。', type: 'numeric' },
  },
  unitTests: [
    {
      // H1 (level 3, publisher P1) in 2025-01: its 住院次均费用同比 0.08 against the region's
      // (level 3) 2025 次均费用 (10 × 1 100 + 10 × 1 300) / 20 = 1 200 over 2024's 1 000 − 1 = 0.2.
      // Low-risk mortality 0.01 against P1 2025's class-1 deaths 2 / cases 400 = 0.005 (the class-2
      // group does not count). Drug D: 10 units for 55 yuan → 5.5 a unit.
      name: 'unpivots the monthly indicators and attaches the region’s growth and low-risk mortality',
      given: {
        fct_fund_indicators: {
          rows: [
            {
              aggregation_level: 'hospital',
              hospital_code: 'H1',
              hospital_name: '一院',
              department_code: null,
              department_name: null,
              month: '2025-01-01',
              ...nulls,
              avg_inpatient_charge_yoy_growth: 0.08,
            },
          ],
          types: { month: 'date', ...Object.fromEntries(MONTHLY_INDICATORS.map((c) => [c, 'numeric'])) },
        },
        // a week without costed stays is not observed
        fct_fund_drg_weeks: {
          rows: [
            {
              hospital_code: 'H1',
              hospital_name: '一院',
              week_start: '2025-01-06',
              drg_code: 'G',
              drg_name: 'G',
              costed_discharges: 0,
              avg_case_cost: null,
              avg_payment_standard: null,
            },
          ],
          types: { week_start: 'date', avg_case_cost: 'numeric', avg_payment_standard: 'numeric' },
        },
        fct_drg_performance_rollups: {
          rows: [
            {
              aggregation_level: 'hospital',
              period_grain: 'month',
              hospital_code: 'H1',
              hospital_name: '一院',
              period_start: '2025-01-01',
              low_risk_mortality: 0.01,
              low_risk_cases: 100,
            },
          ],
          types: { period_start: 'date', low_risk_mortality: 'numeric' },
        },
        fct_inpatient_cases: [{ hospital_code: 'H1', year: 2025, publisher_code: 'P1', hospital_level: '3' }],
        stg_insurance__regional_reference: {
          rows: [
            {
              publisher_code: 'P1',
              year: 2024,
              drg_code: 'A',
              hospital_level: '3',
              cases: 20,
              mean_charge: 1000,
            },
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'A',
              hospital_level: '3',
              cases: 10,
              mean_charge: 1100,
            },
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'B',
              hospital_level: '3',
              cases: 10,
              mean_charge: 1300,
            },
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'B',
              hospital_level: '2',
              cases: 10,
              mean_charge: 9000,
            },
          ],
          types: { mean_charge: 'numeric' },
        },
        int_drg_groups__risk_classes: {
          rows: [
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'A',
              risk_class: 1,
              basis_cases: 300,
              basis_deaths: 1,
            },
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'C',
              risk_class: 1,
              basis_cases: 100,
              basis_deaths: 1,
            },
            {
              publisher_code: 'P1',
              year: 2025,
              drg_code: 'B',
              risk_class: 2,
              basis_cases: 100,
              basis_deaths: 9,
            },
          ],
          types: { basis_cases: 'numeric', basis_deaths: 'numeric' },
        },
        // drug D bought twice in January: 10 units for 55 yuan; a return (negative) does not count;
        // X is not a drug (category 01)
        stg_erp__purchases: {
          rows: [
            { hospital_code: 'H1', item_code: 'D', purchase_month: '2025-01-01', quantity: 4, amount: 22 },
            { hospital_code: 'H1', item_code: 'D', purchase_month: '2025-01-01', quantity: 6, amount: 33 },
            { hospital_code: 'H1', item_code: 'D', purchase_month: '2025-01-01', quantity: -1, amount: -5.5 },
            { hospital_code: 'H1', item_code: 'X', purchase_month: '2025-01-01', quantity: 1, amount: 9 },
          ],
          types: { purchase_month: 'date', quantity: 'numeric', amount: 'numeric' },
        },
        charge_categories: [
          { category_code: '09', is_drug: true },
          { category_code: '01', is_drug: false },
        ],
        stg_his__charge_items: [
          { hospital_code: 'H1', item_code: 'D', item_name: '药品 D', charge_category_code: '09' },
          { hospital_code: 'H1', item_code: 'X', item_name: '床位', charge_category_code: '01' },
        ],
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
      },
      expect: [
        // the other monthly indicators of that row, empty there and without a reference
        ...MONTHLY_INDICATORS.filter((c) => c !== 'avg_inpatient_charge_yoy_growth').map((c) => ({
          observation_id: `${c}|H1|*|month|2025-01-01`,
          scope_name: null,
          value: null,
          reference_kind: null,
          reference_value: null,
        })),
        {
          observation_id: 'avg_inpatient_charge_yoy_growth|H1|*|month|2025-01-01',
          scope_name: null,
          value: 0.08,
          reference_kind: 'region',
          reference_value: 0.2,
        },
        {
          observation_id: 'low_risk_mortality|H1|*|month|2025-01-01',
          scope_name: null,
          value: 0.01,
          reference_kind: 'region',
          reference_value: 0.005,
        },
        {
          observation_id: 'purchase_unit_price|H1|D|month|2025-01-01',
          scope_name: '药品 D',
          value: 5.5,
          reference_kind: null,
          reference_value: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with indicators as (
      select * from ${ref('fct_fund_indicators')} where aggregation_level in ('hospital', 'department')
    ),

    group_weeks as (
      select * from ${ref('fct_fund_drg_weeks')}
    ),

    hospital_months as (
      select * from ${ref('fct_drg_performance_rollups')}
      where aggregation_level = 'hospital' and period_grain = 'month'
    ),

    cases as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    reference as (
      select * from ${ref('stg_insurance__regional_reference')}
    ),

    risk as (
      select * from ${ref('int_drg_groups__risk_classes')}
    ),

    purchases as (
      select * from ${ref('stg_erp__purchases')}
    ),

    categories as (
      select * from ${ref('charge_categories')}
    ),

    items as (
      select * from ${ref('stg_his__charge_items')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    series as (
      select * from ${observedSeries}
    ),

    -- the 医保局 whose region a hospital is compared with, per year: the one of most of its stays
    hospital_publishers as (
      select
        hospital_code,
        year,
        mode() within group (order by publisher_code) as publisher_code,
        min(hospital_level) as hospital_level
      from cases
      group by 1, 2
    ),

    region_charges as (
      select publisher_code, year, hospital_level, sum(cases * mean_charge) / nullif(sum(cases), 0) as mean_charge
      from reference
      group by 1, 2, 3
    ),

    region_growth as (
      select c.publisher_code, c.year, c.hospital_level, c.mean_charge / nullif(p.mean_charge, 0) - 1 as growth
      from region_charges c
      join region_charges p
        on p.publisher_code = c.publisher_code and p.hospital_level = c.hospital_level and p.year = c.year - 1
    ),

    region_low_risk as (
      select publisher_code, year, sum(basis_deaths) / nullif(sum(basis_cases), 0) as mortality
      from risk
      where risk_class = 1
      group by 1, 2
    ),

    -- drugs (by the HIS item's charge category) as bought through the ERP
    drug_months as (
      select p.hospital_code, p.item_code, p.purchase_month, sum(p.amount) as amount, sum(p.quantity) as quantity
      from purchases p
      join items it on it.hospital_code = p.hospital_code and it.item_code = p.item_code
      join categories c on c.category_code = it.charge_category_code and c.is_drug
      where p.quantity > 0 and p.amount > 0
      group by 1, 2, 3
    ),

    observed as (
      select
        u.indicator,
        i.hospital_code,
        i.hospital_name,
        i.aggregation_level as scope,
        i.department_code as scope_code,
        i.department_name as scope_name,
        'month' as period_grain,
        i.month as period_start,
        u.value,
        null::numeric as reference_value,
        null::bigint as base_count
      from indicators i
      cross join lateral (
        values ${sql.raw(MONTHLY_INDICATORS.map((c) => `('${c}', i.${c}::numeric)`).join(', '))}
      ) as u (indicator, value)

      union all

      select
        'low_risk_mortality', hospital_code, hospital_name, 'hospital', null, null, 'month', period_start,
        low_risk_mortality::numeric, null, low_risk_cases::bigint
      from hospital_months

      union all

      select
        'avg_case_cost', hospital_code, hospital_name, 'group', drg_code, drg_name, 'week', week_start,
        avg_case_cost, avg_payment_standard, costed_discharges
      from group_weeks
      where costed_discharges > 0

      union all

      select
        'purchase_unit_price', d.hospital_code, h.hospital_name, 'drug', d.item_code, it.item_name, 'month', d.purchase_month,
        round(d.amount / d.quantity, 4), null, null
      from drug_months d
      left join hospitals h on h.hospital_code = d.hospital_code
      left join items it on it.hospital_code = d.hospital_code and it.item_code = d.item_code
    ),

    final as (
      select
        concat_ws('|', o.indicator, o.hospital_code,
          coalesce(o.scope_code, case when o.scope = 'hospital' then '*' else '-' end),
          o.period_grain, to_char(o.period_start, 'YYYY-MM-DD')) as observation_id,
        o.indicator,
        o.hospital_code,
        o.hospital_name,
        o.scope,
        o.scope_code,
        o.scope_name,
        o.period_grain,
        o.period_start::date as period_start,
        case o.period_grain
          when 'month' then (extract(year from o.period_start) * 12 + extract(month from o.period_start))::integer
          else ((o.period_start::date - date '2000-01-03') / 7)::integer
        end as period_index,
        o.value,
        o.base_count,
        s.reference_kind,
        case
          when s.reference_kind = 'payment_standard' then o.reference_value
          when s.reference_kind = 'region' and o.indicator = 'low_risk_mortality' then rl.mortality
          when s.reference_kind = 'region' and o.indicator = 'avg_inpatient_charge_yoy_growth' then rg.growth
        end as reference_value
      from observed o
      left join series s on s.indicator = o.indicator and s.scope = o.scope and s.period_grain = o.period_grain
      left join hospital_publishers hp
        on hp.hospital_code = o.hospital_code and hp.year = extract(year from o.period_start)::integer
      left join region_growth rg
        on rg.publisher_code = hp.publisher_code and rg.year = hp.year and rg.hospital_level = hp.hospital_level
      left join region_low_risk rl on rl.publisher_code = hp.publisher_code and rl.year = hp.year
    )

    select * from final`,
});
