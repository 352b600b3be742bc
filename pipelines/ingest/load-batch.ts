import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_INGEST_SPLIT_BYTES } from '../../core/config/config.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { noProgress, type ProgressReporter } from '../../core/logging/progress.ts';
import { inBatchTransaction } from './batch-transaction.ts';
import {
  applyRules,
  createLoadTableSql,
  insertLoadedRows,
  loadColumns,
  recordRuleResults,
  type RuleCounts,
} from './apply-rules.ts';
import {
  attachBatchTable,
  batchPartition,
  createBatchTable,
  dropBatchRows,
  dropOrphanParts,
} from './batch-table.ts';
import type { CsvRecord } from './csv-records.ts';
import type { FileEncoding } from './detect-encoding.ts';
import { fastCopy, type FastLoad } from './fast-load.ts';
import { inspectFile, readRecords } from './read-delivery.ts';
import { loadRuleSettings, type RuleSetting } from './rule-catalogue.ts';
import { DeliveryError, encodeRow, mapHeader, type HeaderMapping } from './row-encoder.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

export { DeliveryError, parseRules } from './row-encoder.ts';
export { ensureRawTables } from './batch-table.ts';

/** One delivered file, recognised as a source of one hospital and period. */
export interface Delivery {
  readonly source: SourceDefinition;
  readonly file: string;
  /** Path inside the inbox, as recorded on batches, exceptions and quarantine. */
  readonly relativePath: string;
  readonly hospitalCode: string;
  readonly period: string;
}

export interface BatchResult {
  readonly delivery: Delivery;
  /** loaded: a new batch; replaced: a corrected delivery replaced the period's batch; skipped: content already loaded. */
  readonly outcome: 'loaded' | 'replaced' | 'skipped';
  readonly batchId: number;
  readonly encoding?: string;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsQuarantined: number;
  readonly rowsDuplicate: number;
  readonly rowsWarned: number;
  /** Rules whose failing share exceeded their threshold on this batch. */
  readonly flaggedRules?: readonly string[];
  /** What the steward should know about the delivery as a whole (unknown columns, absent optional ones). */
  readonly notes?: readonly string[];
}

/** A batch to load from any reader: a file, or one extraction from a source database. */
export interface BatchInput {
  readonly delivery: Delivery;
  /**
   * The content's SHA-256. A promise lets a large file's hash be computed while it loads: the
   * same-content check then runs after the COPY, and a repeat rolls the batch back as skipped.
   */
  readonly contentSha256: string | Promise<string>;
  readonly encoding: string;
  /** Records, header first. */
  readonly records: () => AsyncIterable<CsvRecord[]>;
  /** Set for a delimited text file, which PostgreSQL may then parse itself (see `fast-load.ts`). */
  readonly csv?: { readonly file: string; readonly encoding: FileEncoding };
  /**
   * Runs inside the batch's transaction just before it commits (e.g. to advance a watermark, or to
   * check the file did not change while read); throwing rolls the batch back.
   */
  readonly beforeCommit?: (client: pg.PoolClient, batchId: number) => Promise<void>;
}

interface LoadOptions {
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  readonly jobRunId?: number;
  /** Files from this size on are COPYed in two halves at once (`HDW_INGEST_SPLIT_BYTES`). */
  readonly splitBytes?: number;
}

/**
 * A batch this large or smaller is analysed before it commits, so the next batches' rules look it
 * up well (a dictionary, visits); a larger one is left to autovacuum.
 */
const ANALYZE_MAX_ROWS = 1_000_000;

/**
 * Loads one delivered file as one batch (see `loadBatch`). The file is looked at first: an empty
 * file, a workbook under a .csv name, UTF-16, or an encoding contradicting the declaration throws
 * a DeliveryError with a clear message, before anything is written.
 */
export async function loadDelivery(
  pool: pg.Pool,
  delivery: Delivery,
  options: LoadOptions & { readonly beforeCommit?: BatchInput['beforeCommit'] },
): Promise<BatchResult> {
  const format = await inspectFile(delivery.file, delivery.source, delivery.relativePath);
  const hashing = quietly(sha256File(delivery.file));
  // A file loaded in one piece is hashed before anything else, so one delivered again is skipped
  // without being read and checked; a large one (split in halves) is hashed while it loads.
  const { size } = await stat(delivery.file);
  const large = size >= (options.splitBytes ?? DEFAULT_INGEST_SPLIT_BYTES);
  return loadBatch(
    pool,
    {
      delivery,
      contentSha256: large ? hashing : await hashing,
      encoding: format.encoding,
      records: () => readRecords(delivery.file, format, delivery.source.delimiter ?? ','),
      csv:
        format.kind === 'csv'
          ? { file: delivery.file, encoding: format.encoding as FileEncoding }
          : undefined,
      beforeCommit: options.beforeCommit,
    },
    options,
  );
}

/**
 * Loads one delivery as one batch, in one transaction: its raw rows, its exceptions, its
 * quarantined rows and its ops.batches record commit together or not at all, so a process killed
 * mid-batch leaves nothing behind and the next run loads the delivery whole. The same content
 * already loaded is skipped; other content for the same source, hospital and period replaces the
 * earlier batch. Reconciliation (read = loaded + quarantined + duplicate) is enforced by the
 * ops.batches check constraint, so a batch that does not reconcile cannot commit.
 *
 * Phases: open batch → read → rule scan → duplicates → violations → settle (the middle four are
 * `applyRules`) → close batch.
 */
export async function loadBatch(
  pool: pg.Pool,
  input: BatchInput,
  options: LoadOptions,
): Promise<BatchResult> {
  const { delivery } = input;
  const result = await inBatchTransaction(
    pool,
    `${sourceId(delivery.source)}|${delivery.hospitalCode}|${delivery.period}`,
    async (client): Promise<BatchResult> => {
      const batch = await openBatch(client, input, options);
      if ('loadedAs' in batch) return skipped(delivery, batch.loadedAs);
      const read = await readBatch(client, pool, input, batch, options);
      const settings = await loadRuleSettings(client, delivery.source);
      const counts = await applyRules(client, {
        source: delivery.source,
        batchId: batch.batchId,
        sourceFile: delivery.relativePath,
        hospitalCode: delivery.hospitalCode,
        period: delivery.period,
        table: batchPartition(delivery.source, batch.batchId),
        rows: read.rowsRead,
        headers: read.mapping.headers,
        payloadColumns: read.fast?.payloadColumns ?? [],
        candidateHashes: read.fast?.candidateHashes,
        settings,
        logger: options.logger,
      });
      return closeBatch(client, input, batch, read, counts, settings);
    },
  ).catch(async (error: unknown) => {
    // Parts a large file's halves committed belong to nobody once the batch rolled back.
    await dropOrphanParts(pool).catch(() => undefined);
    if (error instanceof AlreadyLoaded) return skipped(delivery, error.batchId);
    throw error;
  });
  if (result.outcome !== 'skipped') logBatch(options.logger, result);
  return result;
}

/** A batch opened in ops.batches, inside the batch's transaction. */
interface OpenedBatch {
  readonly batchId: number;
  /** The period's earlier batch, retired by this one. */
  readonly replaces?: number;
  /** The content's hash when known at the start (otherwise checked after reading). */
  readonly contentSha256?: string;
}

/**
 * Opens the batch: a content already loaded is found (and the batch not opened) when its hash is
 * known; the period's earlier batch is retired; the ops.batches record is written, figures zero.
 */
async function openBatch(
  client: pg.PoolClient,
  input: BatchInput,
  options: LoadOptions,
): Promise<OpenedBatch | { readonly loadedAs: number }> {
  const { delivery } = input;
  const id = sourceId(delivery.source);
  const known = typeof input.contentSha256 === 'string' ? input.contentSha256 : undefined;
  const same = known ? await loadedWithContent(client, delivery, known) : undefined;
  if (same !== undefined) return { loadedAs: same };
  const previous = await client.query<{ batch_id: number }>(
    `select batch_id from ops.batches where source = $1 and hospital_code = $2 and period = $3 and status = 'loaded'`,
    [id, delivery.hospitalCode, delivery.period],
  );
  const replaces = previous.rows[0]?.batch_id;
  if (replaces !== undefined) await retireBatch(client, delivery.source, replaces);
  const batch = await client.query<{ batch_id: number }>(
    `insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status,
     rows_read, rows_loaded, rows_quarantined, rows_duplicate, replaces_batch_id, job_run_id)
     values ($1, $2, $3, $4, $5, $6, 'loaded', 0, 0, 0, 0, $7, $8) returning batch_id`,
    [
      id,
      delivery.hospitalCode,
      delivery.period,
      delivery.relativePath,
      known ?? '',
      input.encoding,
      replaces ?? null,
      options.jobRunId ?? null,
    ],
  );
  return { batchId: batch.rows[0]!.batch_id, replaces, contentSha256: known };
}

/** The batch holding this content for the delivery's source and hospital (`retired`: a batch this transaction retired still counts). */
async function loadedWithContent(
  client: pg.PoolClient,
  delivery: Delivery,
  sha256: string,
  retired?: number,
): Promise<number | undefined> {
  const { rows } = await client.query<{ batch_id: number }>(
    `select batch_id from ops.batches where source = $1 and hospital_code = $2 and content_sha256 = $3
       and (status = 'loaded' or batch_id = $4)`,
    [sourceId(delivery.source), delivery.hospitalCode, sha256, retired ?? null],
  );
  return rows[0]?.batch_id;
}

/** The rows of a batch, read into its batch table. */
interface BatchRead {
  readonly rowsRead: number;
  readonly mapping: HeaderMapping;
  /** Set when PostgreSQL parsed the file (the fast path). */
  readonly fast?: FastLoad;
}

/**
 * Reads the delivery into the batch table: the fast path when PostgreSQL can parse the file, else
 * the careful path through `_load`; rows the JavaScript parser read (all of them, or the few the
 * fast path diverted) then join the batch table. A content hash computed meanwhile is checked last:
 * content already loaded rolls the batch back as skipped (`AlreadyLoaded`).
 */
async function readBatch(
  client: pg.PoolClient,
  pool: pg.Pool,
  input: BatchInput,
  batch: OpenedBatch,
  options: LoadOptions,
): Promise<BatchRead> {
  const { delivery } = input;
  const { source } = delivery;
  const { batchId } = batch;
  await client.query(createLoadTableSql(source));
  const started = performance.now();
  const progress = options.progress ?? noProgress;
  const fast = input.csv
    ? await fastCopy(client, {
        source,
        file: input.csv.file,
        relativePath: delivery.relativePath,
        encoding: input.csv.encoding,
        batchId,
        hospitalCode: delivery.hospitalCode,
        logger: options.logger,
        progress,
        pool,
        splitBytes: options.splitBytes,
      })
    : undefined;
  const table = fast
    ? undefined
    : await createBatchTable(client, source, {
        batchId,
        sourceFile: delivery.relativePath,
        hospitalCode: delivery.hospitalCode,
      });
  const read = fast ?? (await copyRecords(client, input, progress));
  await insertLoadedRows(client, source, table ?? batchPartition(source, batchId));
  if (!batch.contentSha256) {
    const sha = await input.contentSha256;
    const earlier = await loadedWithContent(client, delivery, sha, batch.replaces);
    if (earlier !== undefined) throw new AlreadyLoaded(earlier);
    await client.query(`update ops.batches set content_sha256 = $2 where batch_id = $1`, [batchId, sha]);
  }
  options.logger.debug(
    {
      source: sourceId(source),
      batchId,
      rowsRead: read.rowsRead,
      fastPath: fast !== undefined,
      diverted: fast?.diverted,
      ms: Math.round(performance.now() - started),
    },
    'rows copied to the batch table',
  );
  return { rowsRead: read.rowsRead, mapping: read.mapping, fast };
}

/**
 * Closes the settled batch: its figures and rule results on ops.batches, its table attached as
 * the raw table's partition, statistics taken, the reader's last step (`beforeCommit`) run.
 */
async function closeBatch(
  client: pg.PoolClient,
  input: BatchInput,
  batch: OpenedBatch,
  read: BatchRead,
  counts: RuleCounts,
  settings: ReadonlyMap<string, RuleSetting>,
): Promise<BatchResult> {
  const { delivery } = input;
  const { batchId } = batch;
  const { rowsRead, mapping } = read;
  await client.query(
    `update ops.batches set rows_read = $2, rows_loaded = $3, rows_quarantined = $4, rows_duplicate = $5, rows_warned = $6, notes = $7
     where batch_id = $1`,
    [batchId, rowsRead, counts.loaded, counts.quarantined, counts.duplicate, counts.warned, mapping.notes],
  );
  const flaggedRules = await recordRuleResults(client, batchId, rowsRead, settings);
  await attachBatchTable(client, delivery.source, batchId, read.fast?.extraColumns);
  if (counts.loaded <= ANALYZE_MAX_ROWS)
    await client.query(`analyze ${batchPartition(delivery.source, batchId)}`);
  await input.beforeCommit?.(client, batchId);
  return {
    delivery,
    outcome: batch.replaces === undefined ? 'loaded' : 'replaced',
    batchId,
    encoding: input.encoding,
    rowsRead,
    rowsLoaded: counts.loaded,
    rowsQuarantined: counts.quarantined,
    rowsDuplicate: counts.duplicate,
    rowsWarned: counts.warned,
    flaggedRules,
    notes: mapping.notes,
  };
}

/** One line per batch loaded: a warning when rules flagged it. */
function logBatch(logger: Logger, result: BatchResult): void {
  const { delivery } = result;
  const flagged = result.flaggedRules ?? [];
  const log = flagged.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
  log(
    {
      source: sourceId(delivery.source),
      hospital: delivery.hospitalCode,
      period: delivery.period,
      batchId: result.batchId,
      outcome: result.outcome,
      rowsRead: result.rowsRead,
      loaded: result.rowsLoaded,
      quarantined: result.rowsQuarantined,
      duplicate: result.rowsDuplicate,
      warned: result.rowsWarned,
      flaggedRules: flagged,
    },
    `batch ${delivery.relativePath}: ${result.outcome}${flagged.length > 0 ? ` (flagged: ${flagged.join(', ')})` : ''}`,
  );
}

/** The content turned out to be loaded already (found once its hash was ready): roll back, skip. */
class AlreadyLoaded extends Error {
  constructor(readonly batchId: number) {
    super(`content already loaded as batch ${batchId}`);
  }
}

function skipped(delivery: Delivery, batchId: number): BatchResult {
  return {
    delivery,
    outcome: 'skipped',
    batchId,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsQuarantined: 0,
    rowsDuplicate: 0,
    rowsWarned: 0,
  };
}

/** A promise whose rejection is handled where it is awaited (not reported as unhandled meanwhile). */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** A corrected delivery supersedes a batch: its rows leave the raw table, its quarantine is discarded. */
async function retireBatch(client: pg.PoolClient, source: SourceDefinition, batchId: number): Promise<void> {
  await dropBatchRows(client, source, batchId);
  await client.query(
    `update ops.quarantine set status = 'discarded' where batch_id = $1 and status = 'quarantined'`,
    [batchId],
  );
  await client.query(`update ops.batches set status = 'replaced' where batch_id = $1`, [batchId]);
}

/** The careful path hands COPY text in chunks of about this many characters. */
const COPY_CHUNK_CHARS = 1 << 20;
/** The careful path reports progress every this many records. */
const PROGRESS_EVERY_RECORDS = 50_000;
/** Read size while hashing a file: 1 MB. */
const HASH_READ_BYTES = 1 << 20;

/**
 * Streams the records through header mapping and strict parsing into the temporary load table
 * with COPY; memory holds one chunk at a time whatever the delivery's size. Returns the number of
 * data rows read and the header mapping.
 */
async function copyRecords(
  client: pg.PoolClient,
  input: BatchInput,
  progress: ProgressReporter,
): Promise<{ rowsRead: number; mapping: HeaderMapping }> {
  const { delivery } = input;
  const { source } = delivery;
  const phase = `读取 ${delivery.relativePath}`;
  const copy = client.query(copyFrom(`copy _load (${loadColumns(source)}) from stdin`));
  let rows = 0;
  let titles = source.titleLines ?? 0;
  let mapping: HeaderMapping | undefined;
  async function* encoded(): AsyncGenerator<string> {
    let sinceProgress = 0;
    for await (const chunk of input.records()) {
      let out = '';
      for (const record of chunk) {
        if (titles > 0) {
          titles -= 1;
          continue;
        }
        if (!mapping) {
          if (record.problem)
            throw new DeliveryError(
              `${delivery.relativePath}: the header line cannot be read: ${record.problem.message}`,
              'E_HEADER',
            );
          mapping = mapHeader(source, record.fields, delivery.relativePath);
          continue;
        }
        rows += 1;
        out += encodeRow(source, mapping, record, delivery.hospitalCode);
        if (out.length > COPY_CHUNK_CHARS) {
          yield out;
          out = '';
        }
      }
      if (out.length > 0) yield out;
      sinceProgress += chunk.length;
      if (sinceProgress > PROGRESS_EVERY_RECORDS) {
        sinceProgress = 0;
        progress.update(phase, rows, 0);
      }
    }
    if (!mapping)
      throw new DeliveryError(`${delivery.relativePath}: the file is empty (no header line)`, 'E_EMPTY');
  }
  await pipeline(Readable.from(encoded(), { objectMode: false, highWaterMark: 4 }), copy);
  progress.finish(phase);
  return { rowsRead: rows, mapping: mapping! };
}

/** The SHA-256 of a file, streamed: the batch's content identity. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: HASH_READ_BYTES }), hash);
  return hash.digest('hex');
}
