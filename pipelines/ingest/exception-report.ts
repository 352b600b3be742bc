import type pg from 'pg';

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

/**
 * The exceptions of active batches summarised by source, rule, hospital and day (the figures of
 * ops.dq_exception_summary, plus how many rows each rule still holds in quarantine).
 */
export async function summariseExceptions(
  pool: pg.Pool,
  filter: ExceptionFilter = {},
): Promise<ExceptionSummaryRow[]> {
  const { rows } = await pool.query<ExceptionSummaryRow>(
    `select s.source, s.rule_id, s.severity, s.hospital_code, s.day::text as day, s.exceptions, s.open_exceptions,
            coalesce((select count(*)::int from ops.quarantine q join ops.batches b using (batch_id)
                      where b.status = 'loaded' and q.status = 'quarantined' and q.source = s.source
                        and q.hospital_code = s.hospital_code and s.rule_id = any (q.rule_ids) and q.created_at::date = s.day), 0) as quarantined
     from ops.dq_exception_summary s
     where ($1::text is null or s.rule_id = $1) and ($2::text is null or s.source = $2) and ($3::text is null or s.hospital_code = $3)
     order by s.source, s.rule_id, s.hospital_code, s.day`,
    [filter.rule ?? null, filter.source ?? null, filter.hospital ?? null],
  );
  return rows;
}

/** The open exceptions behind one rule, with file and line, first ones first. */
export async function exceptionRows(
  pool: pg.Pool,
  filter: ExceptionFilter & { readonly rule: string },
  limit = 50,
): Promise<ExceptionRow[]> {
  const { rows } = await pool.query<ExceptionRow>(
    `select e.source, e.hospital_code, e.source_file, e.source_line, e.record_key, e.severity, e.message, q.status as quarantine_status
     from ops.exceptions e join ops.batches b using (batch_id)
     left join ops.quarantine q on q.batch_id = e.batch_id and q.source_line = e.source_line
     where b.status = 'loaded' and e.resolved_at is null and e.rule_id = $1
       and ($2::text is null or e.source = $2) and ($3::text is null or e.hospital_code = $3)
     order by e.source_file, e.source_line limit $4`,
    [filter.rule, filter.source ?? null, filter.hospital ?? null, limit],
  );
  return rows;
}
