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
}

export interface ExtractResult {
  readonly batch?: BatchResult;
  readonly from: string | null;
  readonly to: string | null;
}

/**
 * Extracts one increment as one batch: rows with `from < watermark ≤ to`, where `to` is the
 * watermark's maximum when the extraction starts (rows arriving meanwhile wait for the next run).
 * The new watermark is stored in ops.watermarks in the batch's own transaction, so a failed or
 * killed extraction is simply taken again. An increment with no new rows makes no batch.
 */
export async function extractIncrement(
  pool: pg.Pool,
  spec: DatabaseSource,
  options: { readonly logger: Logger; readonly jobRunId?: number },
): Promise<ExtractResult> {
  const id = sourceId(spec.source);
  await ensureRawTables(pool, [spec.source]);
  const stored = await pool.query<{ watermark: string }>(
    `select watermark from ops.watermarks where source = $1 and hospital_code = $2`,
    [id, spec.hospitalCode],
  );
  const from = stored.rows[0]?.watermark ?? spec.initialWatermark ?? null;
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
    // The stored watermark is text; PostgreSQL casts it back to the column's type when comparing.
    const bounds = await remote.query<{ to: string | null; n: string }>(
      `select max(${wm})::text as to, count(*) as n from ${relation} where ${from === null ? 'true' : `${wm} > ${remote.escapeLiteral(from)}`}`,
    );
    const to = bounds.rows[0]?.to ?? null;
    if (to === null || Number(bounds.rows[0]?.n ?? 0) === 0) return { from, to: from };
    const range = `${from === null ? '' : `${wm} > ${remote.escapeLiteral(from)} and `}${wm} <= ${remote.escapeLiteral(to)}`;
    const extraction = `copy (select * from ${relation} where ${range} order by ${wm}) to stdout (format csv, header true)`;
    const period = `${from ?? '-∞'}..${to}`;
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
          .update(`${id}|${spec.hospitalCode}|${period}|${bounds.rows[0]!.n}`)
          .digest('hex'),
        encoding: 'utf-8',
        records: () => streamCopy(remote, extraction),
        beforeCommit: async (client) => {
          await client.query(
            `insert into ops.watermarks (source, hospital_code, watermark) values ($1, $2, $3)
             on conflict (source, hospital_code) do update set watermark = excluded.watermark, updated_at = now()`,
            [id, spec.hospitalCode, to],
          );
        },
      },
      options,
    );
    return { batch, from, to };
  } finally {
    await remote.end();
  }
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
