import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

/** The monthly indicators of fct_fund_indicators a rule of the seed fund_alert_rules may watch. */
const INDICATORS = [
  'avg_outpatient_charge',
  'avg_outpatient_charge_mom_growth',
  'avg_outpatient_charge_yoy_growth',
  'avg_inpatient_charge',
  'avg_inpatient_charge_mom_growth',
  'avg_inpatient_charge_yoy_growth',
  'avg_length_of_stay_days',
  'drug_share',
  'drug_share_excl_herbal_pieces',
  'material_share',
  'material_cost_per_100_non_drug_revenue',
  'settlement_rate_by_cases',
  'settlement_rate_by_amount',
  'refusal_rate',
  'fund_balance_rate',
] as const;

/** A hospital-level (department null) or department-level row of fct_fund_indicators for the unit test. */
const row = (month: string, department: string | null, values: Record<string, number>) => ({
  aggregation_level: department === null ? 'hospital' : 'department',
  hospital_code: 'H1',
  hospital_name: '一院',
  department_code: department,
  department_name: department === null ? null : '内科',
  month,
  ...Object.fromEntries(INDICATORS.map((c) => [c, null])),
  ...values,
});

const rule = (
  rule_id: string,
  indicator: string,
  scope: string,
  threshold: number,
  persistence_months: number,
) => ({
  rule_id,
  rule_name: `规则 ${rule_id}`,
  indicator,
  scope,
  comparator: '>',
  threshold,
  persistence_months,
  severity: 'medium',
  responsible_department: '医保办',
});

export default defineModel({
  name: 'fct_fund_alerts',
  materialized: 'table',
  description: [
    '医保基金监管预警：种子 fund_alert_rules 的每条规则在 fct_fund_indicators 上按月评估，每个预警事件一行。',
    '条件（指标 比较符 阈值）连续成立的月份为一段；一段持续达到规则的持续月数即开启预警，开启月份 = 首个成立月份 + 持续月数 − 1。',
    '状态：该段的最后成立月份是该医院数据的最新月份为 open（仍在预警），否则 closed（条件解除），解除月份为最后成立月份的次月；',
    '历史事件全部保留（每次运行由全部月份重新得出，同样的数据得出同样的事件）。指标为空的月份不成立、并中断连续。',
    '当前值为该段最后成立月份的指标值。科室范围的规则按科室评估；全院范围按全院行。',
  ].join(''),
  grain: 'One row per alert episode (rule, hospital, department, first month of the run of breaches).',
  primaryKey: ['fund_alert_id'],
  columns: {
    fund_alert_id: { title: '预警编号', description: '主键：规则|医院|科室（全院为 *）|首个成立月份。' },
    rule_id: {
      title: '规则编号',
      description: '种子 fund_alert_rules 的规则编号。',
      tests: ['not_null', { relationships: { to: 'fund_alert_rules', field: 'rule_id' } }],
    },
    rule_name: { title: '规则名称', description: '规则名称。' },
    indicator: {
      title: '指标',
      description:
        'fct_fund_indicators 的指标列（规则只能用 INDICATORS 所列指标；种子写了别的指标时本模型构建失败，错误信息中写明该指标）。',
    },
    scope: { title: '范围', description: 'hospital 全院 / department 科室。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    department_code: { title: '科室编码', description: '标准科室编码（全院范围为空）。' },
    department_name: { title: '科室名称', description: '标准科室名称。' },
    breach_from_month: { title: '首个成立月份', description: '条件连续成立的第一个月。', type: 'date' },
    opened_month: { title: '开启月份', description: '首个成立月份 + 持续月数 − 1。', type: 'date' },
    last_breach_month: { title: '最后成立月份', description: '条件连续成立的最后一个月。', type: 'date' },
    breach_months: { title: '持续月数', description: '条件连续成立的月数。', type: 'bigint' },
    current_value: { title: '当前值', description: '最后成立月份的指标值。', type: 'numeric' },
    comparator: { title: '比较方式', description: '> 或 <。' },
    threshold: { title: '阈值', description: '规则阈值。', type: 'numeric' },
    persistence_months: { title: '规则持续月数', description: '开启预警所需的连续月数。', type: 'integer' },
    severity: { title: '严重程度', description: 'high / medium / low。' },
    responsible_department: { title: '责任部门', description: '预警的责任部门。' },
    status: {
      title: '状态',
      description: 'open 预警中 / closed 已解除。',
      tests: ['not_null', { accepted_values: ['open', 'closed'] }],
    },
    closed_month: { title: '解除月份', description: '条件不再成立的第一个月（open 为空）。', type: 'date' },
  },
  unitTests: [
    {
      // Hospital H1's 药占比 by month: Jan 0.30, Feb 0.20, Mar 0.26, Apr 0.27, May 0.28 (May is its
      // latest month). R1 (> 0.25, one month): Jan alone (closed in Feb) and Mar–May (open, 0.28).
      // R2 (> 0.25, two months): Jan is too short; Mar–May opens in Apr. R3 (department A03's
      // 平均住院日 > 9, two months): Jan 10, Feb 11, Mar 8 → Jan–Feb opens in Feb, closed in Mar,
      // current value 11.
      name: 'opens an alert when the condition holds for the rule’s months, and closes it when it clears',
      given: {
        fct_fund_indicators: {
          rows: [
            row('2024-01-01', null, { drug_share: 0.3 }),
            row('2024-02-01', null, { drug_share: 0.2 }),
            row('2024-03-01', null, { drug_share: 0.26 }),
            row('2024-04-01', null, { drug_share: 0.27 }),
            row('2024-05-01', null, { drug_share: 0.28 }),
            row('2024-01-01', 'A03', { avg_length_of_stay_days: 10 }),
            row('2024-02-01', 'A03', { avg_length_of_stay_days: 11 }),
            row('2024-03-01', 'A03', { avg_length_of_stay_days: 8 }),
          ],
          types: { month: 'date', ...Object.fromEntries(INDICATORS.map((c) => [c, 'numeric'])) },
        },
        fund_alert_rules: [
          rule('R1', 'drug_share', 'hospital', 0.25, 1),
          rule('R2', 'drug_share', 'hospital', 0.25, 2),
          rule('R3', 'avg_length_of_stay_days', 'department', 9, 2),
        ],
      },
      expect: [
        {
          fund_alert_id: 'R1|H1|*|2024-01',
          opened_month: '2024-01-01',
          last_breach_month: '2024-01-01',
          breach_months: 1,
          current_value: 0.3,
          status: 'closed',
          closed_month: '2024-02-01',
        },
        {
          fund_alert_id: 'R1|H1|*|2024-03',
          opened_month: '2024-03-01',
          last_breach_month: '2024-05-01',
          breach_months: 3,
          current_value: 0.28,
          status: 'open',
          closed_month: null,
        },
        {
          fund_alert_id: 'R2|H1|*|2024-03',
          opened_month: '2024-04-01',
          last_breach_month: '2024-05-01',
          breach_months: 3,
          current_value: 0.28,
          status: 'open',
          closed_month: null,
        },
        {
          fund_alert_id: 'R3|H1|A03|2024-01',
          opened_month: '2024-02-01',
          last_breach_month: '2024-02-01',
          breach_months: 2,
          current_value: 11,
          status: 'closed',
          closed_month: '2024-03-01',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with indicators as (
      select * from ${ref('fct_fund_indicators')}
    ),

    rules as (
      select * from ${ref('fund_alert_rules')}
    ),

    latest as (
      select hospital_code, max(month) as latest_month from indicators group by 1
    ),

    observed as (
      select
        r.rule_id,
        i.hospital_code,
        i.hospital_name,
        i.department_code,
        i.department_name,
        i.month,
        case r.indicator
          ${sql.raw(INDICATORS.map((c) => `when '${c}' then i.${c}::numeric`).join('\n          '))}
          -- a rule naming any other indicator stops the build with the indicator in the message
          else ('fund_alert_rules: unknown indicator ' || r.indicator)::numeric
        end as value,
        r.comparator,
        r.threshold
      from rules r
      join indicators i on i.aggregation_level = r.scope
    ),

    breaches as (
      select
        o.*,
        (extract(year from o.month) * 12 + extract(month from o.month))::integer as month_index
      from observed o
      where (o.comparator = '>' and o.value > o.threshold) or (o.comparator = '<' and o.value < o.threshold)
    ),

    -- consecutive months of one rule and place share month_index − their rank: one run of breaches
    islands as (
      select
        b.*,
        b.month_index - row_number() over (
          partition by b.rule_id, b.hospital_code, b.department_code order by b.month
        ) as island
      from breaches b
    ),

    episodes as (
      select
        rule_id,
        hospital_code,
        department_code,
        island,
        min(month) as first_month,
        max(month) as last_month,
        count(*) as months
      from islands
      group by 1, 2, 3, 4
    ),

    final as (
      select
        concat_ws('|', e.rule_id, e.hospital_code, coalesce(e.department_code, '*'), to_char(e.first_month, 'YYYY-MM'))
          as fund_alert_id,
        e.rule_id,
        r.rule_name,
        r.indicator,
        r.scope,
        e.hospital_code,
        v.hospital_name,
        e.department_code,
        v.department_name,
        e.first_month::date as breach_from_month,
        (e.first_month + make_interval(months => (r.persistence_months - 1)::integer))::date as opened_month,
        e.last_month::date as last_breach_month,
        e.months::bigint as breach_months,
        v.value as current_value,
        r.comparator,
        r.threshold,
        r.persistence_months,
        r.severity,
        r.responsible_department,
        case when e.last_month = l.latest_month then 'open' else 'closed' end as status,
        case when e.last_month < l.latest_month then (e.last_month + interval '1 month')::date end as closed_month
      from episodes e
      join rules r on r.rule_id = e.rule_id
      join latest l on l.hospital_code = e.hospital_code
      join islands v
        on v.rule_id = e.rule_id and v.hospital_code = e.hospital_code
        and v.department_code is not distinct from e.department_code and v.month = e.last_month
      where e.months >= r.persistence_months
    )

    select * from final`,
});
