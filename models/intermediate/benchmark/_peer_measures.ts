/**
 * The measures the alliance's own peer benchmark compares, hospital by hospital, per DRG group,
 * hospital level and year: what each means, how it is worked out from the inpatient case fact,
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

export type PeerMeasureCode = keyof typeof PEER_MEASURES;
export const peerMeasureCodes = Object.keys(PEER_MEASURES) as PeerMeasureCode[];

/** `measure` column description: every code, title and definition. */
export const peerMeasureDescription = peerMeasureCodes
  .map((m) => `${m} ${PEER_MEASURES[m].title}：${PEER_MEASURES[m].definition}`)
  .join('；');

/** The pool a hospital is compared in, in the users' words. */
export const PEER_POOL_DEFINITION =
  '对标池 = 同一 DRG 病组、同一医院等级、同一出院年度中该指标有值的医联体成员医院（只计入组病例：未排除且有病组）。';

/**
 * `case measure when … end` over a column `measure`: `pick(measure)` for each measure, e.g. the
 * best quartile column by direction.
 */
export function byMeasure(
  measure: RawBuilder<unknown>,
  pick: (m: PeerMeasure) => RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`case ${measure} ${sql.join(
    peerMeasureCodes.map((m) => sql`when ${sql.lit(m)} then ${pick(PEER_MEASURES[m])}`),
    sql` `,
  )} end`;
}
