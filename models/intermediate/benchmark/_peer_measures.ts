/**
 * The measures the alliance's own peer benchmark compares, hospital by hospital, per subject (DRG
 * group, 病种, department: _peer_pools.ts), hospital level and period: what each means, how it is worked out from the inpatient case fact,
 * which direction is better (the "best quartile" a gap is measured to). Not a model: files
 * starting with `_` are not loaded as models.
 */
import { sql, type RawBuilder } from 'kysely';

export interface PeerMeasure {
  readonly title: string;
  /** How the hospital's value is worked out, in the users' words. */
  readonly definition: string;
  /** Lower is better for costs, charges, stay and mortality: the best quartile is then p25. */
  readonly better: 'lower' | 'higher';
  /** The value (per hospital, group and year) over the grouped cases `c` aggregated. */
  readonly value: RawBuilder<unknown>;
  /** The cases behind the value (the weight of the case-weighted mean). */
  readonly cases: RawBuilder<unknown>;
}

/** Cases with a case cost and a positive weight: the base of the CMI-adjusted cost. */
const weighted = sql`c.case_cost is not null and c.drg_weight > 0`;

export const PEER_MEASURES = {
  cost_per_case: {
    title: '例均成本',
    definition: '例均成本 = Σ 病例成本 / 有病例成本的入组病例数（元）。',
    better: 'lower',
    value: sql`sum(c.case_cost) / nullif(count(c.case_cost), 0)`,
    cases: sql`count(c.case_cost)`,
  },
  charge_per_case: {
    title: '例均费用',
    definition: '例均费用 = Σ 医疗费总额 / 有医疗费的入组病例数（元）。',
    better: 'lower',
    value: sql`sum(c.total_charges) / nullif(count(c.total_charges), 0)`,
    cases: sql`count(c.total_charges)`,
  },
  length_of_stay: {
    title: '平均住院日',
    definition: '平均住院日 = Σ 住院天数 / 有住院天数的入组病例数。',
    better: 'lower',
    value: sql`sum(c.length_of_stay_days)::numeric / nullif(count(c.length_of_stay_days), 0)`,
    cases: sql`count(c.length_of_stay_days)`,
  },
  mortality: {
    title: '病死率',
    definition: '病死率 = 死亡的入组病例数 / 入组病例数（0–1）。',
    better: 'lower',
    value: sql`count(*) filter (where c.is_death)::numeric / nullif(count(*), 0)`,
    cases: sql`count(*)`,
  },
  cost_per_weight: {
    title: 'CMI 校正成本',
    definition: 'CMI 校正成本（每权重成本）= Σ 病例成本 / Σ RW，取有病例成本且 RW > 0 的入组病例（元）。',
    better: 'lower',
    value: sql`sum(c.case_cost) filter (where ${weighted}) / nullif(sum(c.drg_weight) filter (where ${weighted}), 0)`,
    cases: sql`count(*) filter (where ${weighted})`,
  },
} as const satisfies Record<string, PeerMeasure>;

/**
 * The fund-supervision indicators compared across the hospitals of a level, month by month, over
 * the hospital rows `f` of fct_fund_indicators (one row per hospital and month: the value is the
 * row's own ratio of its parts, to 4 decimals). The shares are weighted by the month's 人次
 * (outpatient visits + discharges) in the pool's weighted mean.
 */
export const FUND_PEER_MEASURES = {
  avg_inpatient_charge: {
    title: '住院次均费用',
    definition: '住院次均费用 = 出院患者医疗费总额 / 出院人次（元）。',
    better: 'lower',
    value: sql`f.discharged_total_charges / nullif(f.discharges, 0)`,
    cases: sql`f.discharges`,
  },
  avg_outpatient_charge: {
    title: '门诊次均费用',
    definition: '门诊次均费用 = 门诊收入 / 门急诊人次（元）。',
    better: 'lower',
    value: sql`f.outpatient_charges / nullif(f.outpatient_visits, 0)`,
    cases: sql`f.outpatient_visits`,
  },
  drug_share: {
    title: '药占比',
    definition: '药占比 = 药品收入（含中药饮片）/ 医疗收入（0–1），权重为门急诊人次 + 出院人次。',
    better: 'lower',
    value: sql`f.drug_charges / nullif(f.medical_charges, 0)`,
    cases: sql`coalesce(f.outpatient_visits, 0) + coalesce(f.discharges, 0)`,
  },
  material_share: {
    title: '耗占比',
    definition: '耗占比 = 卫生材料收入 / 医疗收入（0–1），权重为门急诊人次 + 出院人次。',
    better: 'lower',
    value: sql`f.material_charges / nullif(f.medical_charges, 0)`,
    cases: sql`coalesce(f.outpatient_visits, 0) + coalesce(f.discharges, 0)`,
  },
  avg_length_of_stay: {
    title: '平均住院日',
    definition: '平均住院日 = 出院者占用总床日 / 出院人次（天）。',
    better: 'lower',
    value: sql`f.discharged_bed_days::numeric / nullif(f.discharges, 0)`,
    cases: sql`f.discharges`,
  },
} as const satisfies Record<string, PeerMeasure>;

export type FundPeerMeasureCode = keyof typeof FUND_PEER_MEASURES;
export const fundPeerMeasureCodes = Object.keys(FUND_PEER_MEASURES) as FundPeerMeasureCode[];

/** `measure` column description of the fund peer benchmark. */
export const fundPeerMeasureDescription = fundPeerMeasureCodes
  .map((m) => `${m} ${FUND_PEER_MEASURES[m].title}：${FUND_PEER_MEASURES[m].definition}`)
  .join('；');

/** The fund pool a hospital is compared in, in the users' words. */
export const FUND_PEER_POOL_DEFINITION =
  '对标池 = 同一医院等级、同一月份中该指标有值的医联体成员医院（fct_fund_indicators 全院层级行）。';

export type PeerMeasureCode = keyof typeof PEER_MEASURES;
export const peerMeasureCodes = Object.keys(PEER_MEASURES) as PeerMeasureCode[];

/** `measure` column description: every code, title and definition. */
export const peerMeasureDescription = peerMeasureCodes
  .map((m) => `${m} ${PEER_MEASURES[m].title}：${PEER_MEASURES[m].definition}`)
  .join('；');

/** The pool a hospital is compared in, in the users' words. */
export const PEER_POOL_DEFINITION =
  '对标池 = 同一对标维度与对标对象（DRG 病组、病种或标准科室）、同一医院等级、同一期间（出院年度或出院月份）中该指标有值的医联体成员医院（只计入组病例：未排除且有病组）。';

/**
 * `case measure when … end` over a column `measure`: `pick(measure)` for each measure, e.g. the
 * best quartile column by direction.
 */
export function byMeasure(
  measure: RawBuilder<unknown>,
  pick: (m: PeerMeasure) => RawBuilder<unknown>,
  measures: Readonly<Record<string, PeerMeasure>> = PEER_MEASURES,
): RawBuilder<unknown> {
  return sql`case ${measure} ${sql.join(
    Object.entries(measures).map(([code, m]) => sql`when ${sql.lit(code)} then ${pick(m)}`),
    sql` `,
  )} end`;
}

/** The best quartile (p25 when lower is better, else p75) of a pool row `p`, by `measure`. */
export function bestQuartile(
  measure: RawBuilder<unknown>,
  measures: Readonly<Record<string, PeerMeasure>>,
): RawBuilder<unknown> {
  return byMeasure(measure, (m) => (m.better === 'lower' ? sql`p.p25` : sql`p.p75`), measures);
}

/** A member's gap to the best quartile (positive: behind it), value `value` in pool row `p`. */
export function gapToBestQuartile(
  measure: RawBuilder<unknown>,
  value: RawBuilder<unknown>,
  measures: Readonly<Record<string, PeerMeasure>>,
): RawBuilder<unknown> {
  return byMeasure(
    measure,
    (m) => (m.better === 'lower' ? sql`${value} - p.p25` : sql`p.p75 - ${value}`),
    measures,
  );
}

/** How the best quartile and the gap to it are defined, as the models state it. */
export const BEST_QUARTILE_DEFINITION =
  '最佳四分位：越低越好的指标（成本、费用、住院日、病死率、药占比、耗占比）取池的 P25，越高越好的取 P75；差距 = 本院值 − P25（越低越好）或 P75 − 本院值（越高越好），正数表示落后于最佳四分位。';
