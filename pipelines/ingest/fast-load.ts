import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_INGEST_SPLIT_BYTES } from '../../core/config/config.ts';
import { withTransaction } from '../../core/db/transaction.ts';
import type { Logger } from '../../core/logging/logger.ts';
import type { ProgressReporter } from '../../core/logging/progress.ts';
import { loadColumns } from './apply-rules.ts';
import { RECORD_HASH, addBatchConstants, batchPart, createBatchTable, partsLockKey } from './batch-table.ts';
import { CsvSplitter, type CsvRecord } from './csv-records.ts';
import type { FileEncoding } from './detect-encoding.ts';
import { FastCsvScanner, FastPathUnsuitable, type DivertedRecord, type FastCsvPlan } from './fast-csv.ts';
import { encodeRow, mapHeader, type HeaderMapping } from './row-encoder.ts';
import type { SourceDefinition } from './source-definition.ts';

/** Beyond this many diverted records the careful path reads the whole file instead. */
const MAX_DIVERTED = 10_000;
/** …or beyond this many bytes of them (16 MB): diverted records are held in memory until parsed. */
const MAX_DIVERTED_BYTES = 16 << 20;
/** The header line must end within this many bytes. */
const MAX_HEADER_BYTES = 1 << 20;
/** The file is read in chunks of this size (256 kB): large enough for the scanner, small enough to pipeline with COPY. */
const READ_CHUNK_BYTES = 1 << 18;
/** Progress is reported every this many bytes handed to COPY (8 MB). */
const PROGRESS_EVERY_BYTES = 8 << 20;
/** Finding a large file's middle line break reads this much at a time (1 MB). */
const SPLIT_SCAN_BYTES = 1 << 20;
/** The duplicate filter's bitmap: 2^23 words of 32 bits = 2^28 bits, 32 MB. */
const FILTER_WORDS = 1 << 23;
/** Beyond this many candidate hashes the filter gives up: the rule phase groups hashes in SQL. */
const MAX_CANDIDATES = 500_000;

/**
 * Finds the record hashes that occur more than once while the file streams by, in fixed memory:
 * a bitmap of 2^28 bits (32 MB, whatever the file size) with two probes per hash (a Bloom filter)
 * marks the hashes seen; a hash whose two bits were both already set is a candidate (a repeat, or
 * rarely another hash — about one in 10,000 records at two million). The rule phase compares the
 * candidate rows exactly, so false alarms cost a little work, never a wrong answer. Past
 * `MAX_CANDIDATES` the filter gives up and the rule phase groups hashes in SQL.
 */
export class DuplicateFilter {
  private readonly seen = new Uint32Array(FILTER_WORDS);
  private readonly repeated = new Set<number>();
  private overflow = false;

  add(hash: number): void {
    const a = hash >>> 4;
    const b = ((hash << 16) | (hash >>> 16)) >>> 4;
    const wa = a >>> 5;
    const wb = b >>> 5;
    const ba = 1 << (a & 31);
    const bb = 1 << (b & 31);
    const hit = (this.seen[wa]! & ba) !== 0 && (this.seen[wb]! & bb) !== 0;
    this.seen[wa]! |= ba;
    this.seen[wb]! |= bb;
    if (hit && !this.overflow) {
      this.repeated.add(hash);
      if (this.repeated.size > MAX_CANDIDATES) {
        this.overflow = true;
        this.repeated.clear();
      }
    }
  }

  /** The candidate hashes, or undefined when there were too many to track. */
  candidates(): number[] | undefined {
    return this.overflow ? undefined : [...this.repeated];
  }
}

/** What the fast path read. */
export interface FastLoad {
  readonly rowsRead: number;
  readonly mapping: HeaderMapping;
  /** Batch-table columns holding delivered columns the source does not declare. */
  readonly extraColumns: readonly string[];
  /** Every batch-table column filled from the file, with its delivered header. */
  readonly payloadColumns: readonly { readonly column: string; readonly header: string }[];
  /** Records handed to the JavaScript parser. */
  readonly diverted: number;
  /** Record hashes that may repeat (see `DuplicateFilter`); undefined: not tracked. */
  readonly candidateHashes: readonly number[] | undefined;
}

/** What the fast path needs to read one delivered CSV into its batch table. */
export interface FastCopyOptions {
  readonly source: SourceDefinition;
  readonly file: string;
  readonly relativePath: string;
  readonly encoding: FileEncoding;
  readonly batchId: number;
  readonly hospitalCode: string;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  /** Given, a large file is COPYed in two halves on two more connections (see `copyInHalves`). */
  readonly pool?: pg.Pool;
  /** Files from this size on are read in two halves (`HDW_INGEST_SPLIT_BYTES`; default 32 MB). */
  readonly splitBytes?: number;
}

/**
 * The fast path for a delivered CSV: PostgreSQL parses it. The file's bytes go through a byte
 * scanner (`fast-csv.ts`) straight into the batch table with `COPY … (format csv, encoding …)`,
 * each record prefixed with its line number and followed by its record hash; PostgreSQL
 * converts the encoding and types the columns at COPY speed while Node scans on the other core.
 * Records PostgreSQL might read differently from our strict parser (non-canonical dates and
 * numbers, blanks in required fields, formulas, SQL-looking text, bad bytes, wrong field counts)
 * are diverted to the JavaScript parser and join the batch through `_load` with their problems.
 *
 * Phases: plan (header, columns, scanner) → COPY (whole, or in halves) → diverted records.
 * The COPY runs inside a savepoint: when the file turns out irregular (a quoted line break, too
 * many diverted records) or COPY still rejects something, everything it wrote is rolled back and
 * it returns undefined — the caller then reads the whole file with the careful path.
 */
export async function fastCopy(
  client: pg.PoolClient,
  options: FastCopyOptions,
): Promise<FastLoad | undefined> {
  const plan = await planCopy(options);
  if (!plan) return undefined;
  const copied = await copyInSavepoint(client, options, plan);
  if (!copied) return undefined;
  await copyDiverted(client, options, plan, copied.diverted);
  return {
    rowsRead: copied.rowsRead,
    mapping: plan.mapping,
    extraColumns: plan.extraColumns,
    payloadColumns: plan.fileColumns.map((column, i) => ({ column, header: plan.mapping.headers[i]! })),
    diverted: copied.diverted.length,
    candidateHashes: plan.duplicates.candidates(),
  };
}

/** How the file's records map onto the batch table, and the scanner's plan. */
interface CopyPlan {
  readonly mapping: HeaderMapping;
  /** The batch-table column of each delivered field, in file order (`_extra_<n>` when undeclared). */
  readonly fileColumns: readonly string[];
  readonly extraColumns: readonly string[];
  readonly scan: FastCsvPlan;
  /** Notes the record hashes seen twice while the file streams by. */
  readonly duplicates: DuplicateFilter;
  /** Where the records start: the header's bytes and the first record's line number. */
  readonly headerBytes: number;
  readonly firstLine: number;
}

/** Reads the header and plans the COPY; undefined when the header cannot be read simply. */
async function planCopy(options: FastCopyOptions): Promise<CopyPlan | undefined> {
  const { source, relativePath } = options;
  const delimiter = source.delimiter ?? ',';
  const textEncoding = options.encoding === 'gb18030' ? 'gb18030' : 'utf-8';
  const header = await readHeader(options.file, textEncoding, delimiter, source.titleLines ?? 0);
  if (!header) return undefined;
  const mapping = mapHeader(source, header.fields, relativePath);
  const columnAt = new Map(mapping.positions.map((p, i) => [p, source.columns[i]!] as const));
  const fileColumns = mapping.headers.map((_, i) => columnAt.get(i)?.name ?? `_extra_${i + 1}`);
  const keyPositions = (source.uniqueKey ?? []).map(
    (k) => mapping.positions[source.columns.findIndex((c) => c.name === k)]!,
  );
  const duplicates = new DuplicateFilter();
  return {
    mapping,
    fileColumns,
    extraColumns: fileColumns.filter((c) => c.startsWith('_extra_')),
    duplicates,
    headerBytes: header.bytes,
    firstLine: header.lines + 1,
    scan: {
      onHash: (hash) => duplicates.add(hash),
      delimiter,
      encoding: textEncoding,
      fieldCount: mapping.headers.length,
      fields: mapping.headers.map((_, i) => {
        const column = columnAt.get(i);
        return column ? { type: column.type, required: column.required ?? false } : undefined;
      }),
      hashFields: keyPositions.length > 0 && keyPositions.every((p) => p >= 0) ? keyPositions : [],
    },
  };
}

/** The batch a batch table (or part) is created for. */
interface BatchTableOptions {
  readonly batchId: number;
  readonly sourceFile: string;
  readonly hospitalCode: string;
  readonly extraColumns: readonly string[];
}

/** What the COPY read: its records, of which these were diverted to the JavaScript parser. */
interface Copied {
  readonly rowsRead: number;
  readonly diverted: readonly DivertedRecord[];
}

/**
 * COPYs the file into the batch table inside a savepoint, whole or (from `splitBytes` on, given a
 * pool) in two halves. An irregular file rolls back to the savepoint (and drops the parts its
 * halves committed): undefined, the careful path reads it.
 */
async function copyInSavepoint(
  client: pg.PoolClient,
  options: FastCopyOptions,
  plan: CopyPlan,
): Promise<Copied | undefined> {
  const { source, relativePath } = options;
  await client.query('savepoint fast_copy');
  const tally = new CopyTally(options.progress, `读取 ${relativePath}`);
  const halves = options.pool
    ? await splitInHalves(
        options.file,
        plan.headerBytes,
        plan.firstLine,
        options.splitBytes ?? DEFAULT_INGEST_SPLIT_BYTES,
      )
    : undefined;
  const committedParts: string[] = [];
  try {
    const batch: BatchTableOptions = {
      batchId: options.batchId,
      sourceFile: relativePath,
      hospitalCode: options.hospitalCode,
      extraColumns: plan.extraColumns,
    };
    const table = await createBatchTable(client, source, {
      ...batch,
      inParts: halves !== undefined,
      constantsLater: halves === undefined,
    });
    const copier = new RangeCopier(options.file, plan, tally);
    if (!halves) {
      await copier.copy(client, table, { start: plan.headerBytes, end: Infinity, firstLine: plan.firstLine });
      await addBatchConstants(client, table, batch);
    } else {
      await copyInHalves(client, options.pool!, source, table, batch, halves, copier, committedParts);
    }
    tally.finish();
  } catch (error) {
    const irregular = error instanceof FastPathUnsuitable || isPostgresDataError(error);
    if (!irregular) throw error;
    await client.query('rollback to savepoint fast_copy');
    for (const part of committedParts) await options.pool!.query(`drop table if exists ${part}`);
    options.logger.debug(
      { file: relativePath, reason: (error as Error).message },
      'fast path not taken; reading the file with the careful parser',
    );
    return undefined;
  }
  await client.query('release savepoint fast_copy');
  return { rowsRead: tally.rowsRead, diverted: tally.diverted };
}

/**
 * Two halves, each COPYed by its own connection into a part of the batch table created in the
 * same transaction (so COPY may freeze its rows: nobody has to set hint bits later) and committed
 * there: PostgreSQL parses on both cores. The batch's transaction holds the parts' lock until it
 * commits (see `partsLockKey`), then attaches them. `committedParts` names each part committed,
 * for the caller to drop should the batch fall back to the careful path.
 */
async function copyInHalves(
  client: pg.PoolClient,
  pool: pg.Pool,
  source: SourceDefinition,
  table: string,
  batch: BatchTableOptions,
  halves: readonly Half[],
  copier: RangeCopier,
  committedParts: string[],
): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtext($1))`, [partsLockKey(batch.batchId)]);
  const loaded = await Promise.allSettled(
    halves.map(async (range, i) => {
      await withTransaction(pool, async (loader) => {
        const part = await createBatchTable(loader, source, {
          ...batch,
          part: { part: i + 1, from: range.fromLine, to: range.toLine },
          constantsLater: true,
        });
        await copier.copy(loader, part, range);
        await addBatchConstants(loader, part, batch);
      });
      committedParts.push(batchPart(source, batch.batchId, i + 1));
    }),
  );
  const failed = loaded.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  for (const [i, range] of halves.entries()) {
    await client.query(
      `alter table ${table} attach partition ${batchPart(source, batch.batchId, i + 1)}
       for values from (${range.fromLine ?? 'minvalue'}) to (${range.toLine ?? 'maxvalue'})`,
    );
  }
}

/**
 * What the scanners hand on, counted across the file's ranges: records read, records diverted
 * (past MAX_DIVERTED of them, or MAX_DIVERTED_BYTES, the file is irregular), progress.
 */
class CopyTally {
  rowsRead = 0;
  readonly diverted: DivertedRecord[] = [];
  private divertedBytes = 0;
  private sinceProgress = 0;

  constructor(
    private readonly progress: ProgressReporter,
    private readonly phase: string,
  ) {}

  /** Counts a scanner's output and returns the bytes for COPY. */
  take(out: { copy: Buffer; diverted: DivertedRecord[]; records: number }): Buffer {
    this.rowsRead += out.records;
    for (const record of out.diverted) {
      this.diverted.push(record);
      this.divertedBytes += record.bytes.length;
    }
    if (this.diverted.length > MAX_DIVERTED || this.divertedBytes > MAX_DIVERTED_BYTES)
      throw new FastPathUnsuitable(`more than ${MAX_DIVERTED} irregular records`);
    this.sinceProgress += out.copy.length;
    if (this.sinceProgress > PROGRESS_EVERY_BYTES) {
      this.sinceProgress = 0;
      this.progress.update(this.phase, this.rowsRead, 0);
    }
    return out.copy;
  }

  finish(): void {
    this.progress.finish(this.phase);
  }
}

/** Streams byte ranges of the file, scanned, into a table with COPY. */
class RangeCopier {
  constructor(
    private readonly file: string,
    private readonly plan: CopyPlan,
    private readonly tally: CopyTally,
  ) {}

  /** Bytes [start, end) of the file, whose first record is on line `firstLine`, into `into` on `on` (frozen). */
  async copy(
    on: pg.PoolClient,
    into: string,
    range: { readonly start: number; readonly end: number; readonly firstLine: number },
  ): Promise<void> {
    const { file, plan, tally } = this;
    const scanner = new FastCsvScanner(plan.scan, range.firstLine);
    async function* scanned(): AsyncGenerator<Buffer> {
      for await (const chunk of createReadStream(file, {
        start: range.start,
        end: range.end - 1,
        highWaterMark: READ_CHUNK_BYTES,
      })) {
        const out = tally.take(scanner.push(chunk as Buffer));
        if (out.length > 0) yield out;
      }
      const out = tally.take(scanner.end());
      if (out.length > 0) yield out;
    }
    const pgEncoding = plan.scan.encoding === 'gb18030' ? 'GB18030' : 'UTF8';
    await pipeline(
      Readable.from(scanned(), { objectMode: false }),
      on.query(
        copyFrom(
          `copy ${into} (source_line, ${plan.fileColumns.join(', ')}, ${RECORD_HASH}) from stdin ` +
            `(format csv, delimiter ${on.escapeLiteral(plan.scan.delimiter)}, encoding '${pgEncoding}', freeze)`,
        ),
      ),
    );
  }
}

interface Half {
  readonly start: number;
  readonly end: number;
  readonly firstLine: number;
  readonly fromLine?: number;
  readonly toLine?: number;
}

/**
 * Splits a large file's records at the first line break after its middle, counting the lines of
 * the first half so the second knows its first line number. Undefined for a file smaller than
 * `splitBytes`.
 */
async function splitInHalves(
  file: string,
  start: number,
  firstLine: number,
  splitBytes: number,
): Promise<Half[] | undefined> {
  const { size } = await stat(file);
  if (size - start < splitBytes) return undefined;
  const handle = await open(file, 'r');
  let lines = 0;
  let split = -1;
  try {
    const buffer = Buffer.allocUnsafe(SPLIT_SCAN_BYTES);
    const middle = start + Math.floor((size - start) / 2);
    for (let at = start; at < size;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        lines += 1;
        if (at + i >= middle) {
          split = at + i + 1;
          break;
        }
      }
      if (split >= 0) break;
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  if (split < 0 || split >= size) return undefined;
  const second = firstLine + lines;
  return [
    { start, end: split, firstLine, toLine: second },
    { start: split, end: size, firstLine: second, fromLine: second },
  ];
}

/** COPY rejected the data itself (SQLSTATE class 22 data exception, 23 integrity): another reader may still read it. */
function isPostgresDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Parses the diverted records with the careful parser into `_load` (they join the batch table later). */
async function copyDiverted(
  client: pg.PoolClient,
  options: FastCopyOptions,
  plan: CopyPlan,
  diverted: readonly DivertedRecord[],
): Promise<void> {
  if (diverted.length === 0) return;
  const { source, hospitalCode } = options;
  const { mapping } = plan;
  const { encoding, delimiter } = plan.scan;
  let out = '';
  for (const record of diverted) {
    const splitter = new CsvSplitter(delimiter);
    const text = iconv.decode(record.bytes, encoding);
    const records = [...splitter.push(`${text}\n`), ...splitter.end()];
    for (const parsed of records) {
      const at: CsvRecord = { ...parsed, line: record.line + parsed.line - 1 };
      out += encodeRow(source, mapping, at, hospitalCode, record.hash);
    }
  }
  await pipeline(
    Readable.from([out]),
    client.query(copyFrom(`copy _load (${loadColumns(source)}) from stdin`)),
  );
}

/**
 * Reads and decodes the header line. Undefined when it cannot be read simply (a quoted line break
 * in the header, or no line break within 1 MB): the careful path then reports what is wrong.
 */
async function readHeader(
  file: string,
  encoding: string,
  delimiter: string,
  titleLines: number,
): Promise<{ fields: readonly string[]; bytes: number; lines: number } | undefined> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  // Title lines are skipped as physical lines (the careful path skips records: the same unless a
  // title holds a quoted line break).
  let start = 0;
  for (let i = 0; i < titleLines; i++) {
    const next = head.indexOf(0x0a, start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = head.indexOf(0x0a, start);
  if (end < 0) return undefined;
  const bom = start === 0 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : start;
  const text = iconv.decode(head.subarray(bom, end), encoding).replace(/\r$/, '');
  if (text.includes('"') || text.includes('\uFFFD')) return undefined;
  const [record] = new CsvSplitter(delimiter).push(`${text}\n`);
  if (!record || record.problem) return undefined;
  return { fields: record.fields, bytes: end + 1, lines: titleLines + 1 };
}
