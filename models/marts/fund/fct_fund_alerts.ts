import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { observedSeries } from './_alert_indicators.ts';

/** An observation of the unit test (hospital H1). */
const obs = (
  indicator: string,
  scope: string,
  scopeCode: string | null,
  grain: string,
  start: string,
  index: number,
  value: number,
  reference: number | null = null,
  baseCount: number | null = null,
) => ({
  indicator,
  hospital_code: 'H1',
  hospital_name: '一院',
  scope,
  scope_code: scopeCode,
  scope_name: scopeCode,
  period_grain: grain,
  period_start: start,
  period_index: index,
  value,
  reference_value: reference,
  base_count: baseCount,
});

const month = (m: number) => `2024-${String(m).padStart(2, '0')}-01`;

const rule = (
  rule_id: string,
  indicator: string,
  scope: string,
  threshold: number,
  persistence: number,
  more: Record<string, string | number | null> = {},
) => ({
  rule_id,
  rule_name: `规则 ${rule_id}`,
  indicator,
  scope,
  period: 'month',
  basis: 'absolute',
  comparator: '>',
  threshold,
  history_periods: null,
  min_cases: null,
  persistence,
  severity: 'medium',
  responsible_department: '医保办',
  ...more,
});

const rules = (...rows: ReturnType<typeof rule>[]) => ({
  rows,
  types: { threshold: 'numeric', history_periods: 'integer', min_cases: 'integer', persistence: 'integer' },
});

/**
 * Alert episodes, recomputed from all periods on every build: a late delivery can add an episode
 * of an earlier period that has already closed, or revise one away. The notifier
 * (pipelines/alerts/notify-alerts.ts) follows the ids across builds: it announces each episode it
 * has not seen once (open, or already cleared), and revokes a delivered one the mart no longer has.
 */
export default defineModel({
  name: 'fct_fund_alerts',
  materialized: 'table',
  description: [
    '医保基金监管预警：种子 fund_alert_rules 的每条规则在 fct_fund_alert_observations 的观测序列（指标 × 范围 × 月或周）上评估，每个预警事件一行。',
    '比较值：basis = absolute 取指标值；payment_standard 取 指标 / 支付标准 − 1；region 取 指标 − 区域同期值；own_history 取 指标 / 该成员前 history_periods 个有观测期间的均值 − 1（无历史时不评估）。',
    '条件：比较值 > 阈值、< 阈值，或 <> 时 |比较值| > 阈值；规则填了 min_cases 时基数例数不足的期间不成立；比较值为空的期间不成立、并中断连续。',
    '条件连续成立的期间为一段；一段持续达到规则的持续期数即开启预警，开启期间 = 首个成立期间 + 持续期数 − 1。',
    '状态：该段的最后成立期间是该医院该粒度观测的最新期间为 open（仍在预警），否则 closed（条件解除），解除期间为最后成立期间的下一期；',
    '历史事件全部保留（每次运行由全部期间重新得出，同样的数据得出同样的事件与编号）。当前值、基准值与比较值取该段最后成立期间。',
    '规则的指标、范围、期间与基准组合不在观测序列中、比较方式或基准无效、或 own_history 未填 history_periods 时，本模型构建失败并写明规则。',
  ].join(''),
  grain: 'One row per alert episode (rule, hospital, scope member, first period of the run of breaches).',
  primaryKey: ['fund_alert_id'],
  columns: {
    fund_alert_id: {
      title: '预警编号',
      description: '主键：规则|医院|范围成员（全院为 *）|首个成立期间（月为 YYYY-MM，周为周一日期）。',
    },
    rule_id: {
      title: '规则编号',
      description: '种子 fund_alert_rules 的规则编号。',
      tests: ['not_null', { relationships: { to: 'fund_alert_rules', field: 'rule_id' } }],
    },
    rule_name: { title: '规则名称', description: '规则名称。' },
    indicator: { title: '指标', description: '观测序列的指标名。' },
    scope: { title: '范围', description: 'hospital 全院 / department 科室 / group 病组 / drug 药品。' },
    period_grain: { title: '期间粒度', description: 'month 月 / week 周。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    scope_code: { title: '范围成员编码', description: '科室、病组或药品编码（全院为空）。' },
    scope_name: { title: '范围成员名称', description: '科室、病组或药品名称。' },
    first_breach_period: { title: '首个成立期间', description: '条件连续成立的第一期。', type: 'date' },
    opened_period: { title: '开启期间', description: '首个成立期间 + 持续期数 − 1。', type: 'date' },
    last_breach_period: { title: '最后成立期间', description: '条件连续成立的最后一期。', type: 'date' },
    breach_periods: { title: '持续期数', description: '条件连续成立的期数。', type: 'bigint' },
    current_value: { title: '当前值', description: '最后成立期间的指标值。', type: 'numeric' },
    reference_value: {
      title: '基准值',
      description: '最后成立期间的支付标准、区域值或自身历史均值（absolute 为空）。',
      type: 'numeric',
    },
    compared_value: {
      title: '比较值',
      description: '最后成立期间与阈值比较的值（见模型说明）。',
      type: 'numeric',
    },
    basis: { title: '阈值基准', description: 'absolute / payment_standard / region / own_history。' },
    comparator: { title: '比较方式', description: '> / < / <>。' },
    threshold: { title: '阈值', description: '规则阈值。', type: 'numeric' },
    persistence: { title: '规则持续期数', description: '开启预警所需的连续期数。', type: 'integer' },
    severity: { title: '严重程度', description: 'high / medium / low。' },
    responsible_department: { title: '责任部门', description: '预警的责任部门（通知对象）。' },
    status: {
      title: '状态',
      description: 'open 预警中 / closed 已解除。',
      tests: ['not_null', { accepted_values: ['open', 'closed'] }],
    },
    closed_period: { title: '解除期间', description: '条件不再成立的第一期（open 为空）。', type: 'date' },
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
        fct_fund_alert_observations: {
          rows: [
            obs('drug_share', 'hospital', null, 'month', month(1), 24289, 0.3),
            obs('drug_share', 'hospital', null, 'month', month(2), 24290, 0.2),
            obs('drug_share', 'hospital', null, 'month', month(3), 24291, 0.26),
            obs('drug_share', 'hospital', null, 'month', month(4), 24292, 0.27),
            obs('drug_share', 'hospital', null, 'month', month(5), 24293, 0.28),
            obs('avg_length_of_stay_days', 'department', 'A03', 'month', month(1), 24289, 10),
            obs('avg_length_of_stay_days', 'department', 'A03', 'month', month(2), 24290, 11),
            obs('avg_length_of_stay_days', 'department', 'A03', 'month', month(3), 24291, 8),
          ],
          types: { period_start: 'date', value: 'numeric', reference_value: 'numeric', base_count: 'bigint' },
        },
        fund_alert_rules: rules(
          rule('R1', 'drug_share', 'hospital', 0.25, 1),
          rule('R2', 'drug_share', 'hospital', 0.25, 2),
          rule('R3', 'avg_length_of_stay_days', 'department', 9, 2),
        ),
      },
      expect: [
        {
          fund_alert_id: 'R1|H1|*|2024-01',
          opened_period: '2024-01-01',
          last_breach_period: '2024-01-01',
          breach_periods: 1,
          current_value: 0.3,
          status: 'closed',
          closed_period: '2024-02-01',
        },
        {
          fund_alert_id: 'R1|H1|*|2024-03',
          opened_period: '2024-03-01',
          last_breach_period: '2024-05-01',
          breach_periods: 3,
          current_value: 0.28,
          status: 'open',
          closed_period: null,
        },
        {
          fund_alert_id: 'R2|H1|*|2024-03',
          opened_period: '2024-04-01',
          last_breach_period: '2024-05-01',
          breach_periods: 3,
          current_value: 0.28,
          status: 'open',
          closed_period: null,
        },
        {
          fund_alert_id: 'R3|H1|A03|2024-01',
          opened_period: '2024-02-01',
          last_breach_period: '2024-02-01',
          breach_periods: 2,
          current_value: 11,
          status: 'closed',
          closed_period: '2024-03-01',
        },
      ],
    },
    {
      // Group G's weekly average cost against its standard (1 000): 1 050 (+5 %), 1 150 (+15 %),
      // 1 120 (+12 %), 1 080 (+8 %), 20 stays each; the latest week is the 4th. The week before
      // (+50 %) has 3 stays, under R4's minimum of 5, so it is not judged. R4 (> 10 % for two weeks) holds in
      // weeks 2–3 and opens in week 3, closed in week 4; compared value 0.12. Drug D's unit price:
      // 10, 10, 11, then 7 in April: its 3-month history is 31 / 3 = 10.3333, 7 / 10.3333 − 1 =
      // −0.3226 (moved 32 %); Feb (10 / 10 − 1 = 0) and Mar (11 / 10 − 1 = 0.1) do not breach
      // R5 (<> 20 %, 3 periods of history); Jan has no history. H1's 低风险组死亡率 0.01 against the
      // region's 0.005: R6 (region, > 0) opens in that month, which is the latest, so open.
      name: 'compares with the payment standard, the drug’s own history and the region',
      given: {
        fct_fund_alert_observations: {
          rows: [
            obs('avg_case_cost', 'group', 'G', 'week', '2025-02-24', 1312, 1500, 1000, 3),
            obs('avg_case_cost', 'group', 'G', 'week', '2025-03-03', 1313, 1050, 1000, 20),
            obs('avg_case_cost', 'group', 'G', 'week', '2025-03-10', 1314, 1150, 1000, 20),
            obs('avg_case_cost', 'group', 'G', 'week', '2025-03-17', 1315, 1120, 1000, 20),
            obs('avg_case_cost', 'group', 'G', 'week', '2025-03-24', 1316, 1080, 1000, 20),
            obs('purchase_unit_price', 'drug', 'D', 'month', month(1), 24289, 10),
            obs('purchase_unit_price', 'drug', 'D', 'month', month(2), 24290, 10),
            obs('purchase_unit_price', 'drug', 'D', 'month', month(3), 24291, 11),
            obs('purchase_unit_price', 'drug', 'D', 'month', month(4), 24292, 7),
            obs('low_risk_mortality', 'hospital', null, 'month', month(4), 24292, 0.01, 0.005),
          ],
          types: { period_start: 'date', value: 'numeric', reference_value: 'numeric', base_count: 'bigint' },
        },
        fund_alert_rules: rules(
          rule('R4', 'avg_case_cost', 'group', 0.1, 2, {
            period: 'week',
            basis: 'payment_standard',
            min_cases: 5,
          }),
          rule('R5', 'purchase_unit_price', 'drug', 0.2, 1, {
            basis: 'own_history',
            comparator: '<>',
            history_periods: 3,
          }),
          rule('R6', 'low_risk_mortality', 'hospital', 0, 1, { basis: 'region' }),
        ),
      },
      expect: [
        {
          fund_alert_id: 'R4|H1|G|2025-03-10',
          opened_period: '2025-03-17',
          last_breach_period: '2025-03-17',
          breach_periods: 2,
          current_value: 1120,
          reference_value: 1000,
          compared_value: 0.12,
          status: 'closed',
          closed_period: '2025-03-24',
        },
        {
          fund_alert_id: 'R5|H1|D|2024-04',
          opened_period: '2024-04-01',
          last_breach_period: '2024-04-01',
          breach_periods: 1,
          current_value: 7,
          reference_value: 10.3333,
          compared_value: -0.3226,
          status: 'open',
          closed_period: null,
        },
        {
          fund_alert_id: 'R6|H1|*|2024-04',
          opened_period: '2024-04-01',
          last_breach_period: '2024-04-01',
          breach_periods: 1,
          current_value: 0.01,
          reference_value: 0.005,
          compared_value: 0.005,
          status: 'open',
          closed_period: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with observations as (
      select * from ${ref('fct_fund_alert_observations')}
    ),

    rules as (
      select * from ${ref('fund_alert_rules')}
    ),

    series as (
      select * from ${observedSeries}
    ),

    -- a rule the observations cannot answer stops the build, naming the rule and why
    checked as (
      select
        r.*,
        case
          when r.comparator not in ('>', '<', '<>') then 'comparator ' || r.comparator || ' is not > < or <>'
          when r.basis not in ('absolute', 'payment_standard', 'region', 'own_history') then 'basis ' || r.basis || ' is unknown'
          when r.basis = 'own_history' and coalesce(r.history_periods, 0) < 1 then 'own_history needs history_periods ≥ 1'
          when r.persistence < 1 then 'persistence must be at least 1'
          when not exists (
            select 1 from series s
            where s.indicator = r.indicator and s.scope = r.scope and s.period_grain = r.period
              and (r.basis in ('absolute', 'own_history') or s.reference_kind = r.basis)
          ) then 'no observed series ' || r.indicator || ' / ' || r.scope || ' / ' || r.period || ' with basis ' || r.basis
        end as problem
      from rules r
    ),

    valid_rules as (
      select * from checked
      where problem is null
        or ('fund_alert_rules: rule ' || rule_id || ': ' || problem)::numeric is null
    ),

    watched as (
      select
        r.rule_id,
        r.basis,
        r.comparator,
        r.threshold,
        r.history_periods,
        r.min_cases,
        o.hospital_code,
        o.hospital_name,
        o.scope_code,
        o.scope_name,
        coalesce(o.scope_code, '*') as member,
        o.period_start,
        o.period_index,
        o.value,
        o.reference_value,
        o.base_count,
        row_number() over member_periods as seq,
        -- running totals, so a member's last N periods are a difference of two of them
        sum(o.value) over member_periods as running_sum,
        count(o.value) over member_periods as running_count
      from valid_rules r
      join observations o on o.indicator = r.indicator and o.scope = r.scope and o.period_grain = r.period
      window member_periods as (
        partition by r.rule_id, o.hospital_code, o.scope_code order by o.period_start
        rows between unbounded preceding and current row
      )
    ),

    -- own history: the mean of the member's previous history_periods observed periods (those up to
    -- the one before, less those up to the one history_periods + 1 before)
    with_history as (
      select
        w.*,
        (w.running_sum - coalesce(w.value, 0) - coalesce(p.running_sum, 0))
          / nullif(w.running_count - (w.value is not null)::int - coalesce(p.running_count, 0), 0) as history_value
      from watched w
      left join watched p
        on p.rule_id = w.rule_id and p.hospital_code = w.hospital_code and p.member = w.member
        and p.seq = w.seq - w.history_periods - 1
    ),

    compared as (
      select
        w.*,
        case w.basis when 'own_history' then w.history_value when 'absolute' then null else w.reference_value end
          as basis_value,
        case w.basis
          when 'absolute' then w.value
          when 'region' then w.value - w.reference_value
          when 'payment_standard' then w.value / nullif(w.reference_value, 0) - 1
          when 'own_history' then w.value / nullif(w.history_value, 0) - 1
        end as compared_value
      from with_history w
    ),

    breaches as (
      select c.*
      from compared c
      where (c.min_cases is null or c.base_count >= c.min_cases)
        and ((c.comparator = '>' and c.compared_value > c.threshold)
          or (c.comparator = '<' and c.compared_value < c.threshold)
          or (c.comparator = '<>' and abs(c.compared_value) > c.threshold))
    ),

    -- consecutive periods of one rule and member share period_index − their rank: one run of breaches
    islands as (
      select
        b.*,
        b.period_index - row_number() over (
          partition by b.rule_id, b.hospital_code, b.member order by b.period_start
        ) as island
      from breaches b
    ),

    -- each run of breaches with the figures of its last period
    episodes as (
      select
        rule_id,
        hospital_code,
        member,
        island,
        min(scope_code) as scope_code,
        min(period_start) as first_period,
        max(period_start) as last_period,
        count(*) as periods,
        (array_agg(hospital_name order by period_start desc))[1] as hospital_name,
        (array_agg(scope_name order by period_start desc))[1] as scope_name,
        (array_agg(value order by period_start desc))[1] as current_value,
        (array_agg(basis_value order by period_start desc))[1] as basis_value,
        (array_agg(compared_value order by period_start desc))[1] as compared_value
      from islands
      group by 1, 2, 3, 4
    ),

    latest as (
      select hospital_code, period_grain, max(period_start) as latest_period from observations group by 1, 2
    ),

    final as (
      select
        concat_ws('|', e.rule_id, e.hospital_code,
          coalesce(e.scope_code, case when r.scope = 'hospital' then '*' else '-' end),
          to_char(e.first_period, case when r.period = 'week' then 'YYYY-MM-DD' else 'YYYY-MM' end)) as fund_alert_id,
        e.rule_id,
        r.rule_name,
        r.indicator,
        r.scope,
        r.period as period_grain,
        e.hospital_code,
        e.hospital_name,
        e.scope_code,
        e.scope_name,
        e.first_period::date as first_breach_period,
        (e.first_period + g.step * (r.persistence - 1))::date as opened_period,
        e.last_period::date as last_breach_period,
        e.periods::bigint as breach_periods,
        e.current_value,
        round(e.basis_value, 4) as reference_value,
        round(e.compared_value, 4) as compared_value,
        r.basis,
        r.comparator,
        r.threshold,
        r.persistence,
        r.severity,
        r.responsible_department,
        case when e.last_period = l.latest_period then 'open' else 'closed' end as status,
        case when e.last_period < l.latest_period then (e.last_period + g.step)::date end as closed_period
      from episodes e
      join valid_rules r on r.rule_id = e.rule_id
      cross join lateral (
        select case r.period when 'week' then interval '1 week' else interval '1 month' end as step
      ) g
      join latest l on l.hospital_code = e.hospital_code and l.period_grain = r.period
      where e.periods >= r.persistence
    )

    select * from final`,
});
