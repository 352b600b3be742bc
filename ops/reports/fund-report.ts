import { ConfigError } from '../../core/errors.ts';
import type pg from 'pg';
import fundIndicators from '../../models/marts/fund/fct_fund_indicators.ts';
import drgRollups from '../../models/marts/drg/fct_drg_performance_rollups.ts';
import { MONTHLY_INDICATORS } from '../../models/marts/fund/_alert_indicators.ts';
import { count, money, text, totalsOf, type ReportColumn, type ReportTable } from './cost-report.ts';

export interface FundReport {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly hospitalCode?: string;
  readonly unitName: string;
  readonly tables: readonly ReportTable[];
}

/** A column without a 合计 (a ratio, a rank, a per-case amount). */
const number = (key: string, header: string, kind: ReportColumn['kind'] = 'number'): ReportColumn => ({
  key,
  header,
  kind,
});

/** The indicators' Chinese names, as the marts' columns title them (BI users read the same). */
const indicatorTitles: Record<string, string> = {
  ...Object.fromEntries(MONTHLY_INDICATORS.map((c) => [c, fundIndicators.columns[c]?.title ?? c])),
  low_risk_mortality: drgRollups.columns.low_risk_mortality?.title ?? 'low_risk_mortality',
};

/** A report month must look like 2025-03; anything else is a usage error naming the value. */
export function assertReportMonth(month: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new ConfigError(`--month must look like 2025-03 (got "${month}")`);
}

/**
 * The monthly fund supervision report (医保基金监管月报) of one month, for one hospital or every
 * member, read from the published fund marts: the hospital's indicators beside the region's and the
 * alert rules watching them, the alerts open that month, the violations flagged that month by rule
 * and responsible department, and each overspending DRG group's three largest causes (超支原因 TOP3).
 */
export async function loadFundReport(
  pool: pg.Pool,
  options: { readonly month: string; readonly hospitalCode?: string },
): Promise<FundReport> {
  const start = `${options.month}-01`;
  const hospital = options.hospitalCode ?? null;
  const { rows: names } = await pool.query<{ hospital_name: string }>(
    `select hospital_name from marts.dim_hospitals where $1::text is null or hospital_code = $1 order by hospital_code`,
    [hospital],
  );
  if (hospital !== null && names.length === 0)
    throw new Error(`no hospital ${hospital} in marts.dim_hospitals`);
  const unitName = hospital === null ? '医联体全部成员单位' : names[0]!.hospital_name;

  // indicators: the month's hospital-wide observations, the region's where one applies, and the
  // hospital-wide monthly rules that watch each (breached when an alert episode covers the month)
  const { rows: indicators } = await pool.query(
    `select o.hospital_code, o.hospital_name, o.indicator, o.value, round(o.reference_value, 4) as reference_value,
            (select string_agg(r.rule_name, '；' order by r.rule_id) from ref.fund_alert_rules r
              where r.indicator = o.indicator and r.scope = 'hospital' and r.period = 'month') as rules,
            (select string_agg(a.rule_name, '；' order by a.rule_id) from marts.fct_fund_alerts a
              where a.hospital_code = o.hospital_code and a.indicator = o.indicator and a.scope = 'hospital'
                and a.period_grain = 'month' and $1::date between a.first_breach_period and a.last_breach_period
            ) as breached
       from marts.fct_fund_alert_observations o
      where o.scope = 'hospital' and o.period_grain = 'month' and o.period_start = $1::date
        and ($2::text is null or o.hospital_code = $2)
      order by o.hospital_code, o.indicator`,
    [start, hospital],
  );
  const order = Object.keys(indicatorTitles);
  const indicatorRows = indicators
    .filter((r) => order.includes(r.indicator))
    .sort((a, b) =>
      a.hospital_code === b.hospital_code
        ? order.indexOf(a.indicator) - order.indexOf(b.indicator)
        : a.hospital_code.localeCompare(b.hospital_code),
    )
    .map((r) => ({
      hospital_name: r.hospital_name,
      indicator: indicatorTitles[r.indicator] ?? r.indicator,
      value: r.value,
      reference_value: r.reference_value,
      rules: r.rules,
      status: r.breached ? `超阈值：${r.breached}` : r.rules ? '正常' : '—',
    }));

  // alerts open in the month: opened by its end and not closed by its start
  const { rows: alerts } = await pool.query(
    `select fund_alert_id, hospital_name, rule_name,
            case when scope = 'hospital' then '全院' else coalesce(scope_name, scope_code, '未知') end as member,
            to_char(opened_period, 'YYYY-MM-DD') as opened, breach_periods::int as breach_periods,
            current_value, reference_value,
            case comparator when '<>' then '偏离超过 ' else comparator || ' ' end || threshold::text as threshold,
            severity, responsible_department, status
       from marts.fct_fund_alerts
      where opened_period < ($1::date + interval '1 month') and (closed_period is null or closed_period > $1::date)
        and ($2::text is null or hospital_code = $2)
      order by hospital_code, opened_period, fund_alert_id`,
    [start, hospital],
  );

  // violations flagged in the month, by rule and responsible department, with their review status
  const { rows: violations } = await pool.query(
    `select hospital_name, rule_id, rule_name, responsible_department, count(*)::int as flags,
            count(distinct visit_id)::int as cases, sum(amount_at_issue) as amount_at_issue,
            count(*) filter (where review_status = 'confirmed')::int as confirmed,
            count(*) filter (where review_status = 'dismissed')::int as dismissed,
            count(*) filter (where review_status = 'pending')::int as pending
       from marts.fct_fund_violation_flags
      where flag_month = $1::date and ($2::text is null or hospital_code = $2)
      group by hospital_code, hospital_name, rule_id, rule_name, responsible_department
      order by hospital_code, rule_id`,
    [start, hospital],
  );

  const { rows: causes } = await pool.query(
    `select hospital_code, drg_code || ' ' || coalesce(drg_name, '') as drg, cases, total_charges,
            payment_standard_total, overspend_amount, cause_rank,
            case dimension when 'category' then '收费类别' else '开单科室' end as dimension,
            coalesce(member_name, member_code, '未知') as member, actual_per_case, standard_per_case, excess_per_case
       from marts.fct_fund_overspend_causes
      where month = $1::date and ($2::text is null or hospital_code = $2)
      order by hospital_code, overspend_amount desc, drg_code, cause_rank`,
    [start, hospital],
  );

  const violationColumns = [
    text('hospital_name', '医院'),
    text('rule_id', '规则编号'),
    text('rule_name', '规则'),
    text('responsible_department', '责任部门'),
    count('flags', '疑点数'),
    count('cases', '病例数'),
    money('amount_at_issue', '涉及金额'),
    count('confirmed', '已确认'),
    count('dismissed', '已排除'),
    count('pending', '待审核'),
  ];
  const causeColumns = [
    text('hospital_code', '医院编码'),
    text('drg', '病组'),
    count('cases', '病例数'),
    money('total_charges', '医疗费总额'),
    money('payment_standard_total', '支付标准合计'),
    money('overspend_amount', '超支金额'),
    number('cause_rank', '名次', 'count'),
    text('dimension', '维度'),
    text('member', '类别或科室'),
    number('actual_per_case', '实际例均', 'money'),
    number('standard_per_case', '标准例均', 'money'),
    number('excess_per_case', '例均差额', 'money'),
  ];

  const tables: ReportTable[] = [
    {
      sheet: '监管指标',
      title: `医保基金监管指标（${options.month}）`,
      columns: [
        text('hospital_name', '医院'),
        text('indicator', '指标'),
        number('value', '本月值'),
        number('reference_value', '区域值'),
        text('rules', '预警规则'),
        text('status', '状态'),
      ],
      rows: indicatorRows,
      totals: {},
    },
    {
      sheet: '预警事件',
      title: `本月预警事件（${options.month}）`,
      columns: [
        text('fund_alert_id', '预警编号'),
        text('hospital_name', '医院'),
        text('rule_name', '规则'),
        text('member', '范围'),
        text('opened', '开启期间'),
        number('breach_periods', '持续期数', 'count'),
        number('current_value', '当前值'),
        number('reference_value', '基准值'),
        text('threshold', '阈值'),
        text('severity', '严重程度'),
        text('responsible_department', '责任部门'),
        text('status', '当前状态'),
      ],
      rows: alerts,
      totals: {},
    },
    {
      sheet: '违规筛查',
      title: `违规筛查（${options.month}）`,
      columns: violationColumns,
      rows: violations,
      totals: totalsOf(violationColumns, violations),
    },
    {
      sheet: '超支病组原因',
      title: `超支病组原因 TOP3（${options.month}）`,
      columns: causeColumns,
      rows: causes,
      // each group's figures repeat on its three cause rows: the 合计 counts each group once
      totals: totalsOf(
        causeColumns,
        causes.filter((r) => r.cause_rank === 1),
      ),
    },
  ];
  return { month: options.month, ...(hospital ? { hospitalCode: hospital } : {}), unitName, tables };
}
