import type pg from 'pg';
import { HdwError } from '../../core/errors.ts';

/** One line of the steward's summary: open and total exceptions of a rule, per source, hospital and day. */
export interface ExceptionSummaryRow {
  readonly source: string;
  readonly rule_id: string;
  readonly severity: string;
  readonly hospital_code: string;
  readonly day: string;
  readonly exceptions: number;
  readonly open_exceptions: number;
  readonly quarantined: number;
}

/** One row behind a rule: where it is in which file, and why. */
export interface ExceptionRow {
  readonly source: string;
  readonly hospital_code: string;
  readonly source_file: string;
  readonly source_line: number;
  readonly record_key: string | null;
  readonly severity: string;
  readonly message: string;
  readonly quarantine_status: string | null;
}

export interface ExceptionFilter {
  readonly rule?: string;
  readonly source?: string;
  readonly hospital?: string;
}

/** The data-quality marts (views) are built by `hdw build`; before the first build they do not exist. */
export class DataQualityNotBuiltError extends HdwError {
  constructor(relation: string) {
    super('E_DQ_NOT_BUILT', `${relation} is not built yet: run hdw build (or hdw run) first`);
  }
}

/**
 * The exceptions of active batches summarised by source, rule, hospital and day: the figures of
 * the mart `fct_data_quality_exceptions`, the same the Cube view `data_quality` serves.
 */
export async function summariseExceptions(
  pool: pg.Pool,
  filter: ExceptionFilter = {},
): Promise<ExceptionSummaryRow[]> {
  const { rows } = await readMart<ExceptionSummaryRow>(
    pool,
    'marts.fct_data_quality_exceptions',
    `select source, rule_id, severity, hospital_code, detected_on::text as day,
            sum(exception_count)::int as exceptions, sum(open_exception_count)::int as open_exceptions,
            sum(quarantined_count)::int as quarantined
     from marts.fct_data_quality_exceptions
     where ($1::text is null or rule_id = $1) and ($2::text is null or source = $2) and ($3::text is null or hospital_code = $3)
     group by 1, 2, 3, 4, 5
     order by source, rule_id, hospital_code, day`,
    [filter.rule ?? null, filter.source ?? null, filter.hospital ?? null],
  );
  return rows;
}

/**
 * The open exceptions behind one rule, with file and line, first ones first: rows of the
 * steward-only mart `fct_data_quality_exception_details`.
 */
export async function exceptionRows(
  pool: pg.Pool,
  filter: ExceptionFilter & { readonly rule: string },
  limit = 50,
): Promise<ExceptionRow[]> {
  const { rows } = await readMart<ExceptionRow>(
    pool,
    'marts.fct_data_quality_exception_details',
    `select source, hospital_code, source_file, source_line, record_key, severity, message, quarantine_status
     from marts.fct_data_quality_exception_details
     where is_open and rule_id = $1
       and ($2::text is null or source = $2) and ($3::text is null or hospital_code = $3)
     order by source_file, source_line limit $4`,
    [filter.rule, filter.source ?? null, filter.hospital ?? null, limit],
  );
  return rows;
}

async function readMart<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  relation: string,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<T>> {
  try {
    return await pool.query<T>(text, values);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') throw new DataQualityNotBuiltError(relation);
    throw error;
  }
}
