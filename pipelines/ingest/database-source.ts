import { createHash } from 'node:crypto';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Logger } from '../../core/logging/logger.ts';
import { CsvSplitter, type CsvRecord } from './csv-records.ts';
import { ensureRawTables, loadBatch, type BatchResult } from './load-batch.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

/**
 * A source read from a hospital system's own PostgreSQL (a read-only view the HIS exposes) rather
 * than from files: the same declared contract and rules, pulled incrementally by a watermark
 * column (an update time or a growing id) so each run takes only what changed since the last.
 */
export interface DatabaseSource {
  readonly source: SourceDefinition;
  readonly hospitalCode: string;
  /** Connection to the hospital system (read-only credentials). */
  readonly connectionString: string;
  /** A query or view name; its columns are named like the source's columns or their aliases. */
  readonly relation: string;
  /** Column of `relation` that only grows (e.g. `updated_at`, `visit_seq`). */
  readonly watermarkColumn: string;
  /** Starting point when the source has never been read; default: everything. */
  readonly initialWatermark?: string;
  /**
   * Seconds re-read behind the stored watermark when the column is a date or time, so rows
   * committed late with an earlier stamp are still found; default 600 (`DEFAULT_OVERLAP_SECONDS`).
   */
  readonly overlapSeconds?: number;
}

/** The overlap window re-read behind the stored watermark unless a source says otherwise. */
export const DEFAULT_OVERLAP_SECONDS = 600;

export interface ExtractResult {
  readonly batch?: BatchResult;
  readonly from: string | null;
  readonly to: string | null;
}

/** Watermark column types where an overlap in seconds means something. */
const timeTypes = new Set(['timestamp without time zone', 'timestamp with time zone', 'date']);
/** Name of the extra column the extraction adds: whether a row falls in the next run's overlap window. */
const KEEP = '__hdw_in_next_overlap';

/**
 * Extracts one increment as one batch. Each run re-reads an overlap window behind the stored
 * watermark (`overlapSeconds` for a date/time column; the stored value itself, for ties, for any
 * other column) up to `to`, the watermark's maximum when the extraction starts (rows arriving
 * meanwhile wait for the next run). What it re-reads is settled against the rows already read in
 * that window, kept by content hash in ops.watermark_rows: a row read before with the same content
 * is counted as a duplicate of the batch (read = loaded + quarantined + duplicate still holds); a
 * row not read before — a tie, or a late commit with an earlier stamp — loads; a row whose content
 * changed loads as its new version, as any update past the watermark does. The new watermark, the
 * window and its hashes are stored in the batch's own transaction, so a failed or killed extraction
 * is simply taken again. A run that finds nothing new makes no batch.
 */
export async function extractIncrement(
  pool: pg.Pool,
  spec: DatabaseSource,
  options: { readonly logger: Logger; readonly jobRunId?: number },
): Promise<ExtractResult> {
  const id = sourceId(spec.source);
  await ensureRawTables(pool, [spec.source]);
  const stored = await pool.query<{ watermark: string; covered_from: string | null }>(
    `select watermark, covered_from from ops.watermarks where source = $1 and hospital_code = $2`,
    [id, spec.hospitalCode],
  );
  const from = stored.rows[0]?.watermark ?? spec.initialWatermark ?? null;
  // Where the rows already read begin: re-read from there (null: a source read before overlaps existed).
  const coveredFrom = stored.rows[0]?.covered_from ?? null;
  const overlap = spec.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  // A host that drops packets fails within 15 s instead of the system's TCP timeout; a
  // connection lost while idle surfaces as the next query's error instead of crashing the process.
  const remote = new pg.Client({ connectionString: spec.connectionString, connectionTimeoutMillis: 15_000 });
  remote.on('error', (error) =>
    options.logger.warn(
      { source: id, hospital: spec.hospitalCode, error: error.message },
      'source database connection lost',
    ),
  );
  await remote.connect();
  try {
    const wm = pg.escapeIdentifier(spec.watermarkColumn);
    const relation = /^\s*select\b/i.test(spec.relation) ? `(${spec.relation}) as src` : spec.relation;
    const type = await columnType(remote, relation, wm);
    const typed = (value: string) => `${remote.escapeLiteral(value)}::${type}`;
    // The stored watermark is text; it is cast back to the column's type when comparing.
    const newer = from === null ? 'true' : `${wm} > ${typed(from)}`;
    const lower = coveredFrom === null ? newer : `${wm} >= ${typed(coveredFrom)}`;
    const next = timeTypes.has(type) ? `(%s - make_interval(secs => ${overlap}))::${type}` : '%s';
    const bounds = await remote.query<{ to: string | null; fresh: string; covered: string | null }>(
      `select b.to::text as to, b.fresh, ${next.replace('%s', 'b.to')}::text as covered
       from (select ${from === null ? `max(${wm})` : `greatest(max(${wm}), ${typed(from)})`} as to,
               count(*) filter (where ${newer}) as fresh
             from ${relation} where ${lower}) b`,
    );
    const to = bounds.rows[0]?.to ?? null;
    const covered = bounds.rows[0]?.covered ?? null;
    if (to === null) return { from, to: from };
    const known = await readWindow(pool, id, spec.hospitalCode);
    // Rows in the window already read and not read again are nothing new; a late one is.
    const late =
      coveredFrom === null || from === null
        ? 0
        : await countUnread(
            remote,
            `copy (select * from ${relation} where ${lower} and not (${newer})) to stdout (format csv, header true)`,
            known,
          );
    if (Number(bounds.rows[0]!.fresh) === 0 && late === 0) return { from, to: from };
    const range = `${lower} and ${wm} <= ${typed(to)}`;
    const keep = covered === null ? 'true' : `${wm} >= ${typed(covered)}`;
    const extraction = `copy (select *, ${keep} as ${KEEP} from ${relation} where ${range} order by ${wm}) to stdout (format csv, header true)`;
    const period = `${coveredFrom ?? from ?? '-∞'}..${to} @${new Date().toISOString()}`;
    const window = { known, kept: new Set<string>(), duplicates: 0 };
    const batch = await loadBatch(
      pool,
      {
        delivery: {
          source: spec.source,
          file: spec.relation,
          relativePath: `db:${spec.hospitalCode}/${id}@${period}`,
          hospitalCode: spec.hospitalCode,
          period,
        },
        contentSha256: createHash('sha256')
          .update(`${id}|${spec.hospitalCode}|${period}|${bounds.rows[0]!.fresh}|${late}`)
          .digest('hex'),
        encoding: 'utf-8',
        records: () => settleWindow(streamCopy(remote, extraction), window),
        beforeCommit: async (client) => {
          await client.query(
            `insert into ops.watermarks (source, hospital_code, watermark, covered_from) values ($1, $2, $3, $4)
             on conflict (source, hospital_code) do update
               set watermark = excluded.watermark, covered_from = excluded.covered_from, updated_at = now()`,
            [id, spec.hospitalCode, to, covered],
          );
          await client.query(`delete from ops.watermark_rows where source = $1 and hospital_code = $2`, [
            id,
            spec.hospitalCode,
          ]);
          await client.query(
            `insert into ops.watermark_rows (source, hospital_code, row_sha256)
             select $1, $2, unnest($3::text[]) on conflict do nothing`,
            [id, spec.hospitalCode, [...window.kept]],
          );
          // Rows re-read unchanged are part of what was read: counted as duplicates, not loaded again.
          await client.query(
            `update ops.batches set rows_read = rows_read + $2, rows_duplicate = rows_duplicate + $2 where batch_id = $1`,
            [await currentBatchId(client, id, spec.hospitalCode, period), window.duplicates],
          );
        },
      },
      options,
    );
    const settled =
      batch.outcome === 'skipped'
        ? batch
        : {
            ...batch,
            rowsRead: batch.rowsRead + window.duplicates,
            rowsDuplicate: batch.rowsDuplicate + window.duplicates,
          };
    if (window.duplicates > 0)
      options.logger.info(
        { source: id, hospital: spec.hospitalCode, batchId: batch.batchId, duplicates: window.duplicates },
        'source database: rows re-read in the overlap window counted as duplicates',
      );
    return { batch: settled, from, to };
  } finally {
    await remote.end();
  }
}

/** The watermark column's type, e.g. `timestamp without time zone`. */
async function columnType(remote: pg.Client, relation: string, wm: string): Promise<string> {
  const { rows } = await remote.query<{ type: string }>(
    `select pg_typeof(max(${wm}))::text as type from (select ${wm} from ${relation} limit 1) x`,
  );
  return rows[0]?.type ?? 'text';
}

/** The content hashes of the rows already read in a source's overlap window. */
async function readWindow(pool: pg.Pool, source: string, hospitalCode: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ row_sha256: string }>(
    `select row_sha256 from ops.watermark_rows where source = $1 and hospital_code = $2`,
    [source, hospitalCode],
  );
  return new Set(rows.map((r) => r.row_sha256));
}

/** How many rows of an extraction were not read before (their content hash is not known). */
async function countUnread(
  remote: pg.Client,
  statement: string,
  known: ReadonlySet<string>,
): Promise<number> {
  let unread = 0;
  let header = true;
  for await (const chunk of streamCopy(remote, statement)) {
    for (const record of chunk) {
      if (header) header = false;
      else if (!known.has(rowHash(record.fields))) unread += 1;
    }
  }
  return unread;
}

/**
 * Drops the extra column from every record, passes on the rows not read before and counts the
 * others as duplicates; notes the hashes of the rows the next run's overlap window will re-read.
 */
async function* settleWindow(
  records: AsyncIterable<CsvRecord[]>,
  window: { readonly known: ReadonlySet<string>; readonly kept: Set<string>; duplicates: number },
): AsyncGenerator<CsvRecord[]> {
  let header = true;
  for await (const chunk of records) {
    const out: CsvRecord[] = [];
    for (const record of chunk) {
      const fields = record.fields.slice(0, -1);
      if (header) {
        header = false;
        out.push({ ...record, fields });
        continue;
      }
      const hash = rowHash(fields);
      if (record.fields.at(-1) === 't') window.kept.add(hash);
      if (window.known.has(hash)) window.duplicates += 1;
      else out.push({ ...record, fields });
    }
    if (out.length > 0) yield out;
  }
}

/** A row's identity for the overlap window: the SHA-256 of its fields as the source gives them. */
function rowHash(fields: readonly string[]): string {
  return createHash('sha256').update(fields.join('\u001f')).digest('base64');
}

/** The batch this transaction is writing (the one active batch of the period). */
async function currentBatchId(
  client: pg.PoolClient,
  source: string,
  hospitalCode: string,
  period: string,
): Promise<number> {
  const { rows } = await client.query<{ batch_id: number }>(
    `select batch_id from ops.batches where source = $1 and hospital_code = $2 and period = $3 and status = 'loaded'`,
    [source, hospitalCode, period],
  );
  return rows[0]!.batch_id;
}

/** Streams a `COPY … TO STDOUT (format csv)` as record chunks, at the pace the load consumes them. */
async function* streamCopy(client: pg.Client, statement: string): AsyncGenerator<CsvRecord[]> {
  const splitter = new CsvSplitter(',');
  const stream = client.query(copyTo(statement));
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    const records = splitter.push(decoder.decode(chunk as Buffer, { stream: true }));
    if (records.length > 0) yield records;
  }
  const tail = [...splitter.push(decoder.decode()), ...splitter.end()];
  if (tail.length > 0) yield tail;
}
