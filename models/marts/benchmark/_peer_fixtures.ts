/**
 * Unit-test fixtures of the alliance's peer benchmark marts. Not a model: files starting with `_`
 * are not loaded as models.
 */
import { BENCHMARK_DIMENSIONS } from '../../intermediate/benchmark/_peer_pools.ts';

/** Which pool a fixture row is in besides its level: by default DRG group A over the year 2025. */
export interface FixturePool {
  readonly dimension: 'drg' | 'disease' | 'department';
  readonly subject: string;
  readonly grain: 'year' | 'month';
  /** The period's first day. */
  readonly start: string;
}

const drgYear: FixturePool = { dimension: 'drg', subject: 'A', grain: 'year', start: '2025-01-01' };
/** 病种 K80.100 over 2025, department A03 over 2025, and group A in March 2025. */
export const k80: FixturePool = {
  dimension: 'disease',
  subject: 'K80.100',
  grain: 'year',
  start: '2025-01-01',
};
export const a03: FixturePool = {
  dimension: 'department',
  subject: 'A03',
  grain: 'year',
  start: '2025-01-01',
};
export const march: FixturePool = { dimension: 'drg', subject: 'A', grain: 'month', start: '2025-03-01' };

/** The subject and period columns of a fixture row. */
const poolColumns = (pool: FixturePool) => ({
  benchmark_dimension: pool.dimension,
  benchmark_dimension_name: BENCHMARK_DIMENSIONS[pool.dimension].title,
  subject_code: pool.subject,
  subject_name: `名称${pool.subject}`,
  period_grain: pool.grain,
  period_start: pool.start,
  year: Number(pool.start.slice(0, 4)),
  month: pool.grain === 'month' ? Number(pool.start.slice(5, 7)) : null,
});

/** The period as the ids spell it: `2025` or `2025-03`. */
export const fixturePeriod = (pool: FixturePool): string =>
  pool.grain === 'year' ? pool.start.slice(0, 4) : pool.start.slice(0, 7);

/** A hospital's value of one measure, as int_benchmark_hospital_groups__measured holds it. */
export const memberValue = (
  hospital: string,
  level: string,
  value: number,
  cases: number,
  pool: FixturePool = drgYear,
) => ({
  hospital_code: hospital,
  hospital_name: `N${hospital}`,
  hospital_level: level,
  ...poolColumns(pool),
  measure: 'charge_per_case',
  value,
  cases,
});

/** A pool of fct_benchmark_peer_groups for the charge per case (by default of group A in 2025). */
export const poolRow = (
  level: string,
  stats: {
    hospitals: number;
    cases: number;
    mean: number;
    p: readonly [number, number, number, number, number];
  },
  pool: FixturePool = drgYear,
) => ({
  benchmark_pool_id: `${pool.dimension}|${pool.subject}|${level}|${fixturePeriod(pool)}|charge_per_case`,
  hospital_level: level,
  ...poolColumns(pool),
  measure: 'charge_per_case',
  hospital_count: stats.hospitals,
  cases: stats.cases,
  weighted_mean: stats.mean,
  p10: stats.p[0],
  p25: stats.p[1],
  p50: stats.p[2],
  p75: stats.p[3],
  p90: stats.p[4],
});

/** Column types of the fixture rows (a date and integers that may be null). */
export const fixtureTypes = { period_start: 'date', year: 'integer', month: 'integer' } as const;

/** Fixture rows with their column types, as a unit test's `given` takes them. */
export const typed = (rows: readonly Readonly<Record<string, string | number | boolean | null>>[]) => ({
  rows,
  types: fixtureTypes,
});
