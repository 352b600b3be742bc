import type pg from 'pg';
import type { FreshnessExpectation, SourceDefinition } from './source-definition.ts';

/** What a freshness check found for one source table and hospital (or for a source never loaded). */
export interface FreshnessCheck {
  /** `system.table`, as in ops.batches.source. */
  readonly source: string;
  /** null: no hospital has delivered this source yet. */
  readonly hospitalCode: string | null;
  readonly lastLoadedAt: Date | null;
  /** Hours from the last load to the check, one decimal; null when never loaded. */
  readonly ageHours: number | null;
  readonly warnAfterHours: number;
  readonly errorAfterHours: number;
  /** pass: within warnAfterHours; warn: beyond it; error: beyond errorAfterHours, or never loaded. */
  readonly status: 'pass' | 'warn' | 'error';
}

/** A declared source table with the freshness expected of it. */
export interface FreshnessExpectationOf extends FreshnessExpectation {
  readonly source: string;
}

/** Every table of a source system that declares freshness, with the system's thresholds. */
export function freshnessExpectations(sources: readonly SourceDefinition[]): FreshnessExpectationOf[] {
  return sources
    .flatMap((system) =>
      system.freshness
        ? Object.keys(system.tables).map((table) => ({
            source: `${system.system}.${table}`,
            ...system.freshness!,
          }))
        : [],
    )
    .sort((a, b) => a.source.localeCompare(b.source));
}

/**
 * dbt's `source freshness` for this warehouse: for every declared source table and every hospital
 * that delivered it, the newest active batch's `loaded_at` against the thresholds declared on the
 * source (replaced batches do not count; a replacement is itself a newer load). A source no hospital
 * has delivered is one `error` row without a hospital. Results are written to
 * ops.source_freshness_checks under `jobRunId`, where the freshness mart reads the latest check.
 */
export async function checkSourceFreshness(
  pool: pg.Pool,
  sources: readonly SourceDefinition[],
  options: { readonly jobRunId?: number } = {},
): Promise<FreshnessCheck[]> {
  const expected = freshnessExpectations(sources);
  if (expected.length === 0) return [];
  const { rows } = await pool.query<{
    source: string;
    hospital_code: string | null;
    last_loaded_at: Date | null;
    age_hours: string | null;
    warn_after_hours: string;
    error_after_hours: string;
    status: FreshnessCheck['status'];
  }>(
    `with expected (source, warn_after_hours, error_after_hours) as (
       select * from unnest($1::text[], $2::numeric[], $3::numeric[])
     ),
     loads as (
       select source, hospital_code, max(loaded_at) as last_loaded_at
       from ops.batches
       where status = 'loaded' and source = any ($1::text[])
       group by 1, 2
     ),
     evaluated as (
       select e.source, l.hospital_code, l.last_loaded_at,
              extract(epoch from now() - l.last_loaded_at) / 3600 as age,
              e.warn_after_hours, e.error_after_hours
       from expected e
       left join loads l on l.source = e.source
     )
     insert into ops.source_freshness_checks
       (job_run_id, source, hospital_code, last_loaded_at, age_hours, warn_after_hours, error_after_hours, status)
     select $4, source, hospital_code, last_loaded_at, round(age, 1), warn_after_hours, error_after_hours,
            case when age is null or age > error_after_hours then 'error'
                 when age > warn_after_hours then 'warn'
                 else 'pass' end
     from evaluated
     returning source, hospital_code, last_loaded_at, age_hours::text, warn_after_hours::text,
               error_after_hours::text, status`,
    [
      expected.map((e) => e.source),
      expected.map((e) => e.warnAfterHours),
      expected.map((e) => e.errorAfterHours),
      options.jobRunId ?? null,
    ],
  );
  return rows
    .map((row) => ({
      source: row.source,
      hospitalCode: row.hospital_code,
      lastLoadedAt: row.last_loaded_at,
      ageHours: row.age_hours === null ? null : Number(row.age_hours),
      warnAfterHours: Number(row.warn_after_hours),
      errorAfterHours: Number(row.error_after_hours),
      status: row.status,
    }))
    .sort(
      (a, b) =>
        a.source.localeCompare(b.source) || (a.hospitalCode ?? '').localeCompare(b.hospitalCode ?? ''),
    );
}
