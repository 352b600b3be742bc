import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
import { fastCopy } from './fast-load.ts';
import { inspectFile, readRecords } from './read-delivery.ts';
import { loadRuleSettings } from './rule-catalogue.ts';
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
}

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
  return loadBatch(
    pool,
    {
      delivery,
      contentSha256: quietly(sha256File(delivery.file)),
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
 */
export async function loadBatch(
  pool: pg.Pool,
  input: BatchInput,
  options: LoadOptions,
): Promise<BatchResult> {
  const { delivery } = input;
  const { source } = delivery;
  const id = sourceId(source);
  const result = await inBatchTransaction(
    pool,
    `${id}|${delivery.hospitalCode}|${delivery.period}`,
    async (client): Promise<BatchResult> => {
      const known = typeof input.contentSha256 === 'string' ? input.contentSha256 : undefined;
      // A batch this transaction retired (below) still counts as loaded here.
      const sameContent = async (sha: string, retired?: number) =>
        (
          await client.query<{ batch_id: number }>(
            `select batch_id from ops.batches where source = $1 and hospital_code = $2 and content_sha256 = $3
               and (status = 'loaded' or batch_id = $4)`,
            [id, delivery.hospitalCode, sha, retired ?? null],
          )
        ).rows[0]?.batch_id;
      const same = known ? await sameContent(known) : undefined;
      if (same !== undefined) return skipped(delivery, same);
      const previous = await client.query<{ batch_id: number }>(
        `select batch_id from ops.batches where source = $1 and hospital_code = $2 and period = $3 and status = 'loaded'`,
        [id, delivery.hospitalCode, delivery.period],
      );
      const replaces = previous.rows[0]?.batch_id;
      if (replaces !== undefined) await retireBatch(client, source, replaces);

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
      const batchId = batch.rows[0]!.batch_id;

      await client.query(createLoadTableSql(source));
      const copyStarted = performance.now();
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
      // Rows the JavaScript parser read (all of them, or the few the fast path diverted) join the batch table.
      await insertLoadedRows(client, source, table ?? batchPartition(source, batchId));
      const { rowsRead, mapping } = read;
      if (!known) {
        const sha = await input.contentSha256;
        const earlier = await sameContent(sha, replaces);
        if (earlier !== undefined) throw new AlreadyLoaded(earlier);
        await client.query(`update ops.batches set content_sha256 = $2 where batch_id = $1`, [batchId, sha]);
      }
      options.logger.debug(
        {
          source: id,
          batchId,
          rowsRead,
          fastPath: fast !== undefined,
          diverted: fast?.diverted,
          ms: Math.round(performance.now() - copyStarted),
        },
        'rows copied to the batch table',
      );
      const settings = await loadRuleSettings(client, source);
      const counts: RuleCounts = await applyRules(client, {
        source,
        batchId,
        sourceFile: delivery.relativePath,
        hospitalCode: delivery.hospitalCode,
        table: batchPartition(source, batchId),
        rows: rowsRead,
        headers: mapping.headers,
        payloadColumns: fast?.payloadColumns ?? [],
        candidateHashes: fast?.candidateHashes,
        settings,
        mode: 'load',
        logger: options.logger,
      });
      await client.query(
        `update ops.batches set rows_read = $2, rows_loaded = $3, rows_quarantined = $4, rows_duplicate = $5, rows_warned = $6, notes = $7
       where batch_id = $1`,
        [
          batchId,
          rowsRead,
          counts.loaded,
          counts.quarantined,
          counts.duplicate,
          counts.warned,
          mapping.notes,
        ],
      );
      const flaggedRules = await recordRuleResults(client, batchId, rowsRead, settings);
      await attachBatchTable(client, source, batchId, fast?.extraColumns);
      // Statistics now, so the next batches' rules look this one up well (a dictionary, visits);
      // a very large batch is left to autovacuum.
      if (counts.loaded <= 1_000_000) await client.query(`analyze ${batchPartition(source, batchId)}`);
      await input.beforeCommit?.(client, batchId);
      return {
        delivery,
        outcome: replaces === undefined ? 'loaded' : 'replaced',
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
    },
  ).catch(async (error: unknown) => {
    // Parts a large file's halves committed belong to nobody once the batch rolled back.
    await dropOrphanParts(pool).catch(() => undefined);
    if (error instanceof AlreadyLoaded) return skipped(delivery, error.batchId);
    throw error;
  });
  if (result.outcome === 'skipped') return result;
  const flagged = result.flaggedRules ?? [];
  const log =
    flagged.length > 0 ? options.logger.warn.bind(options.logger) : options.logger.info.bind(options.logger);
  log(
    {
      source: id,
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
  return result;
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
  let mapping: HeaderMapping | undefined;
  async function* encoded(): AsyncGenerator<string> {
    let sinceProgress = 0;
    for await (const chunk of input.records()) {
      let out = '';
      for (const record of chunk) {
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
        if (out.length > 1 << 20) {
          yield out;
          out = '';
        }
      }
      if (out.length > 0) yield out;
      sinceProgress += chunk.length;
      if (sinceProgress > 50_000) {
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
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}
