import type { FormatName } from './format';

/**
 * The management cockpit's key indicators and where each is read: `fund` from fund_efficiency,
 * `drg` from drg_performance, a growth from its indicator's value against the same period one year
 * earlier. `shared` names the alliance's shared aggregate a member may read the region's value from
 * (the sharing policy decides whether it is open; a growth's region is that measure now against
 * the same period one year earlier, from the same shared view); staff read the region from the
 * same view over every hospital. Names, targets and the better direction are data
 * (seeds/management/kpi_targets.csv, view kpi_targets); the `id` is the seed's `indicator`.
 */
export interface CockpitIndicator {
  readonly id: string;
  readonly source: 'fund' | 'drg';
  /** The measure of the source view; for a growth, the measure it is the growth of. */
  readonly measure: string;
  readonly growth?: boolean;
  readonly format: FormatName;
  readonly shared?: {
    readonly view: 'alliance_drg_benchmark' | 'alliance_charge_benchmark' | 'alliance_fund_benchmark';
    readonly measure: string;
  };
}

export const sourceViews = { fund: 'fund_efficiency', drg: 'drg_performance' } as const;

/** A shared aggregate the cockpit reads the members' region values from. */
export type CockpitSharedView = NonNullable<CockpitIndicator['shared']>['view'];

export const cockpitIndicators: readonly CockpitIndicator[] = [
  {
    id: 'cmi',
    source: 'drg',
    measure: 'cmi',
    format: 'decimal4',
    shared: { view: 'alliance_drg_benchmark', measure: 'cmi' },
  },
  {
    id: 'avg_inpatient_charge',
    source: 'fund',
    measure: 'avg_inpatient_charge',
    format: 'compact',
    shared: { view: 'alliance_fund_benchmark', measure: 'avg_inpatient_charge' },
  },
  {
    id: 'avg_inpatient_charge_growth',
    source: 'fund',
    measure: 'avg_inpatient_charge',
    growth: true,
    format: 'percent',
    shared: { view: 'alliance_fund_benchmark', measure: 'avg_inpatient_charge' },
  },
  {
    id: 'avg_outpatient_charge',
    source: 'fund',
    measure: 'avg_outpatient_charge',
    format: 'compact',
    shared: { view: 'alliance_fund_benchmark', measure: 'avg_outpatient_charge' },
  },
  {
    id: 'avg_outpatient_charge_growth',
    source: 'fund',
    measure: 'avg_outpatient_charge',
    growth: true,
    format: 'percent',
    shared: { view: 'alliance_fund_benchmark', measure: 'avg_outpatient_charge' },
  },
  {
    id: 'drug_share',
    source: 'fund',
    measure: 'drug_share',
    format: 'percent',
    shared: { view: 'alliance_charge_benchmark', measure: 'drug_charge_ratio' },
  },
  {
    id: 'material_share',
    source: 'fund',
    measure: 'material_share',
    format: 'percent',
    shared: { view: 'alliance_charge_benchmark', measure: 'material_charge_ratio' },
  },
  {
    id: 'avg_length_of_stay_days',
    source: 'fund',
    measure: 'avg_length_of_stay_days',
    format: 'decimal',
    shared: { view: 'alliance_fund_benchmark', measure: 'avg_length_of_stay_days' },
  },
  {
    id: 'fund_balance_rate',
    source: 'fund',
    measure: 'fund_balance_rate',
    format: 'percent',
    shared: { view: 'alliance_fund_benchmark', measure: 'fund_balance_rate' },
  },
  {
    id: 'low_risk_mortality',
    source: 'drg',
    measure: 'low_risk_mortality',
    format: 'percent2',
    shared: { view: 'alliance_drg_benchmark', measure: 'low_risk_mortality' },
  },
];

/** The shared aggregates the indicators name (each once). */
export function sharedViewsOf(
  indicators: readonly CockpitIndicator[] = cockpitIndicators,
): CockpitSharedView[] {
  return [...new Set(indicators.flatMap((i) => (i.shared ? [i.shared.view] : [])))];
}

/** The measures of one source view the cockpit reads (each once). */
export function measuresOf(source: CockpitIndicator['source']): string[] {
  const view = sourceViews[source];
  return [
    ...new Set(cockpitIndicators.filter((i) => i.source === source).map((i) => `${view}.${i.measure}`)),
  ];
}

/** Growth against the same period a year earlier: now / before − 1 (null without a base). */
export function growthRate(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return now / before - 1;
}
