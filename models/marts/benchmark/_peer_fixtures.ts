/**
 * Unit-test fixtures of the alliance's peer benchmark marts. Not a model: files starting with `_`
 * are not loaded as models.
 */

/** A hospital's value of one measure, as int_benchmark_hospital_groups__measured holds it. */
export const memberValue = (hospital: string, level: string, value: number, cases: number) => ({
  hospital_code: hospital,
  hospital_name: `N${hospital}`,
  hospital_level: level,
  drg_code: 'A',
  drg_name: 'G',
  year: 2025,
  measure: 'charge_per_case',
  value,
  cases,
});

/** A pool of fct_benchmark_peer_groups for the charge per case of group A in 2025. */
export const poolRow = (
  level: string,
  stats: {
    hospitals: number;
    cases: number;
    mean: number;
    p: readonly [number, number, number, number, number];
  },
) => ({
  benchmark_pool_id: `A|${level}|2025|charge_per_case`,
  drg_code: 'A',
  drg_name: 'G',
  hospital_level: level,
  year: 2025,
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
