/**
 * How every benchmark mart describes a peer pool and places one member in it: the percentiles of
 * the pool, a member's rank and percentile, and the case-weighted mean. Defined once here (SQL
 * and the sentence the models' descriptions carry) so the internal and external benchmark marts
 * agree. Not a model: files starting with `_` are not loaded as models.
 */
import { sql, type RawBuilder } from 'kysely';
import { count, ratio } from '../../../core/engine/column-helpers.ts';

/** The percentiles every distribution carries. */
export const PERCENTILES = [10, 25, 50, 75, 90] as const;

/** The percentile definition, as the models state it. */
export const PERCENTILE_DEFINITION =
  '分位数口径：PostgreSQL percentile_cont（连续分位、线性插值），对池中各成员的值（每个成员一个值，不按例数加权）升序排列，第 p 分位取位置 p×(n−1)（从 0 起）处的值，落在两值之间时线性插值；池中仅 1 个成员时各分位即其值。';

/** The rank and member-percentile definition, as the models state it. */
export const RANK_DEFINITION =
  '名次按值升序（1 = 最低，费用、支付与住院日越低越前），并列者同取最小名次（PostgreSQL rank()：1, 2, 2, 4）；百分位 = (名次 − 1) / (池中成员数 − 1)（PostgreSQL percent_rank()，0–1，仅 1 个成员时为 0），与分位数同一口径：百分位为 q 的成员（无并列时）其值即 percentile_cont(q)。';

/** The case-weighted mean definition, as the models state it. */
export const WEIGHTED_MEAN_DEFINITION =
  '例数加权均值 = Σ(例数 × 成员值) / Σ 例数，只计值与例数都已知且例数 > 0 的成员（即池的次均，不是各成员值的简单平均）。';

/**
 * The percentiles of `value` over the rows aggregated, as one array (one sort per group): an
 * aggregate for an inner query whose outer select takes `percentileSelect` of it.
 */
export function percentilesAggregate(value: RawBuilder<unknown>): RawBuilder<unknown> {
  const fractions = sql.join(PERCENTILES.map((p) => sql.lit(p / 100)));
  return sql`percentile_cont(array[${fractions}]::float8[]) within group (order by (${value})::float8)`;
}

/** p10 … p90 (to four decimals) from the array of `percentilesAggregate` (a select list). */
export function percentileSelect(percentiles: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(
    PERCENTILES.map(
      (p, i) =>
        sql`round((${percentiles})[${sql.lit(i + 1)}]::numeric, 4)::numeric(18, 4) as ${sql.ref(`p${p}`)}`,
    ),
  );
}

/** Σ(cases × value) / Σ cases over the rows aggregated, to four decimals. */
export function weightedMeanSelect(
  value: RawBuilder<unknown>,
  cases: RawBuilder<unknown>,
  as: string,
): RawBuilder<unknown> {
  return sql`round(
    sum((${cases}) * (${value})) filter (where (${cases}) > 0 and (${value}) is not null)
      / nullif(sum(${cases}) filter (where (${cases}) > 0 and (${value}) is not null), 0),
    4)::numeric(18, 4) as ${sql.ref(as)}`;
}

/**
 * A member's rank, percentile and pool size (`<prefix>_rank`, `_percentile`, `_peers`; a select
 * list) in the pool `partition`, ordered by `value`; members without a value (or without a pool,
 * `inPool` false) are in no pool and get none.
 */
export function peerRankSelect(
  partition: RawBuilder<unknown>,
  value: RawBuilder<unknown>,
  prefix: string,
  inPool: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
  const member = sql`(${value}) is not null and (${inPool})`;
  const pool = sql`partition by ${partition}, ${member}`;
  return sql`
    case when ${member} then rank() over (${pool} order by ${value}) end as ${sql.ref(`${prefix}_rank`)},
    (case when ${member} then round((percent_rank() over (${pool} order by ${value}))::numeric, 4) end)::numeric(12, 4)
      as ${sql.ref(`${prefix}_percentile`)},
    case when ${member} then count(*) over (${pool}) end as ${sql.ref(`${prefix}_peers`)}`;
}

/** Column declarations of `percentileSelect`. */
export const percentileColumns = Object.fromEntries(
  PERCENTILES.map((p) => [
    `p${p}`,
    { title: `P${p}`, description: `第 ${p} 百分位。${PERCENTILE_DEFINITION}`, type: 'numeric(18, 4)' },
  ]),
) as Record<`p${(typeof PERCENTILES)[number]}`, { title: string; description: string; type: string }>;

/** Column declarations of `peerRankSelect` (`what`: the measure and pool, in the users' words). */
export function peerRankColumns(prefix: string, what: string) {
  return {
    [`${prefix}_rank`]: count(`${what}名次`, `在对标池中的名次。${RANK_DEFINITION}`),
    [`${prefix}_percentile`]: ratio(`${what}百分位`, `在对标池中的百分位（0–1）。${RANK_DEFINITION}`),
    [`${prefix}_peers`]: count(`${what}对标池成员数`, '对标池中有该指标值的成员数。'),
  };
}
