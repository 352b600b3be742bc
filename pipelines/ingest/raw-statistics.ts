import type pg from 'pg';
import type { Logger } from '../../core/logging/logger.ts';
import { rawTable, type SourceDefinition } from './source-definition.ts';

/**
 * PostgreSQL gathers statistics of a partitioned table only when it is analysed by name:
 * autovacuum analyses the partitions (one per batch) but never the raw table above them. Without
 * them every query over a raw table (the staging views) is planned with guesses — 200 distinct
 * visits, joins a hundred times larger than they are — and a model joining a few of them sorts
 * and merges wide rows where hashing 150,000 stays would do (the DRG case fact took 18 s on the
 * full demo instead of 5 s). After each ingest, a raw table that was never analysed, or whose
 * partitions now hold a fifth more or fewer rows than when it last was, is analysed, as long as it
 * holds at most `maxRows` rows (analysing a partitioned table re-reads a sample of every
 * partition; the largest ones, charge lines, reach the models through tables that have statistics
 * of their own).
 */
export interface RawStatisticsRun {
  readonly table: string;
  readonly rows: number;
  readonly ms: number;
}

/** How far (share of rows) a raw table may drift from its last analysis before it is analysed again. */
const DRIFT = 0.2;

export async function analyzeRawTables(
  pool: pg.Pool,
  sources: readonly SourceDefinition[],
  options: { maxRows: number; logger: Logger; onTable?: (done: number, total: number) => void },
): Promise<RawStatisticsRun[]> {
  const tables = [...new Set(sources.map(rawTable))];
  const { rows } = await pool.query<{ table_name: string; analysed_rows: number; rows: number }>(
    `select format('%I.%I', n.nspname, c.relname) as table_name,
            c.reltuples::float8 as analysed_rows,
            coalesce((select sum(greatest(p.reltuples, 0)) from pg_inherits i join pg_class p on p.oid = i.inhrelid
                      where i.inhparent = c.oid), 0)::float8 as rows
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'p' and format('%I.%I', n.nspname, c.relname) = any($1::text[])`,
    [tables],
  );
  const due = rows.filter(
    (r) =>
      r.rows > 0 &&
      r.rows <= options.maxRows &&
      (r.analysed_rows < 0 || Math.abs(r.rows - r.analysed_rows) > DRIFT * Math.max(r.analysed_rows, 1)),
  );
  const runs: RawStatisticsRun[] = [];
  for (const [index, r] of due.entries()) {
    options.onTable?.(index, due.length);
    const started = performance.now();
    await pool.query(`analyze ${r.table_name}`);
    runs.push({ table: r.table_name, rows: r.rows, ms: Math.round(performance.now() - started) });
  }
  options.onTable?.(due.length, due.length);
  if (runs.length > 0)
    options.logger.info(
      { tables: runs.map((r) => r.table), ms: runs.reduce((n, r) => n + r.ms, 0) },
      `统计信息 (analyze): ${runs.length} raw table(s) analysed for the planner`,
    );
  return runs;
}
