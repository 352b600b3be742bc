import { sql } from 'kysely';

/**
 * What the fund alert rules (seed fund_alert_rules) may watch: the series of
 * fct_fund_alert_observations, each an indicator at a scope and period grain, and the reference it
 * carries for rules relative to something other than the value itself or its own history.
 */

/** The monthly indicators of fct_fund_indicators, per hospital and per department. */
export const MONTHLY_INDICATORS = [
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

export interface ObservedSeries {
  readonly indicator: string;
  readonly scope: 'hospital' | 'department' | 'group' | 'drug';
  readonly period: 'month' | 'week';
  /** The reference a rule of that basis compares with (absolute and own_history need none). */
  readonly reference?: 'payment_standard' | 'region';
}

export const OBSERVED_SERIES: readonly ObservedSeries[] = [
  ...MONTHLY_INDICATORS.flatMap((indicator) =>
    (['hospital', 'department'] as const).map((scope): ObservedSeries => ({
      indicator,
      scope,
      period: 'month',
      ...(indicator === 'avg_inpatient_charge_yoy_growth' && scope === 'hospital'
        ? { reference: 'region' as const }
        : {}),
    })),
  ),
  { indicator: 'low_risk_mortality', scope: 'hospital', period: 'month', reference: 'region' },
  { indicator: 'avg_case_cost', scope: 'group', period: 'week', reference: 'payment_standard' },
  { indicator: 'purchase_unit_price', scope: 'drug', period: 'month' },
];

/** The series as a relation `s (indicator, scope, period_grain, reference_kind)`, for a `from`. */
export const observedSeries = sql.raw(
  `(values ${OBSERVED_SERIES.map(
    (s) => `('${s.indicator}', '${s.scope}', '${s.period}', ${s.reference ? `'${s.reference}'` : 'null'})`,
  ).join(', ')}) as s (indicator, scope, period_grain, reference_kind)`,
);
