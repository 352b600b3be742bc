import { rename } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { HdwError } from '../../core/errors.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { noProgress, type ProgressReporter } from '../../core/logging/progress.ts';
import { archiveFile, FileChangedError, rejectEntry, verifyDelivery } from './file-disposition.ts';
import { recoverProcessed, rememberProcessed } from './processed-recovery.ts';
import {
  identify,
  sameFile,
  scanInbox,
  type FileIdentity,
  type InboxDelivery,
  type InboxScan,
} from './inbox-scan.ts';
import { DeliveryError, ensureRawTables, loadDelivery, type BatchResult } from './load-batch.ts';
import type { SourceDefinition } from './source-definition.ts';

export { loadOrder } from './inbox-scan.ts';

interface FileReason {
  readonly file: string;
  readonly reason: string;
}

export interface IngestSummary {
  readonly batches: readonly BatchResult[];
  /**
   * Files refused or rejected, with why: not readable as their source, a link, not a regular
   * file, a marker mismatch, or a load that failed; moved to `_rejected/`, in ops.rejected_files.
   */
  readonly rejected: readonly FileReason[];
  /** Files matching no declared source (left in the inbox); `unrecognisedReasons` says why. */
  readonly unrecognised: readonly string[];
  readonly unrecognisedReasons: Readonly<Record<string, string>>;
  /**
   * Files left in the inbox for a later run: an upload in progress, inside its quiet period or
   * waiting for its completion marker, changed while read (its batch rolled back), or deleted.
   */
  readonly deferred: readonly FileReason[];
  /**
   * Deliveries whose load failed unexpectedly (also in `rejected`): rolled back, moved to
   * `_rejected/` with the error; the others were loaded, and the run should end non-zero.
   */
  readonly failed: readonly FileReason[];
}

export interface IngestOptions {
  readonly inbox: string;
  readonly sources: readonly SourceDefinition[];
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  readonly jobRunId?: number;
  /** `false` leaves every file where it is. */
  readonly archive?: boolean;
  /**
   * Seconds a file without a completion marker must stay unmodified before it is read
   * (`HDW_INBOX_QUIET_SECONDS`); default 0, for callers that wrote the files themselves.
   */
  readonly quietSeconds?: number;
  /** Hospital and publisher codes whose files are read by completion marker only (`HDW_INBOX_MARKER_SENDERS`). */
  readonly markerSenders?: readonly string[];
  /** Files from this size on are COPYed in two halves at once (`HDW_INGEST_SPLIT_BYTES`). */
  readonly splitBytes?: number;
}

/**
 * Loads every complete delivery in the inbox (`<inbox>/<hospital_code | publisher_code>/<system>/<file>`),
 * dictionaries before the records that use them, one batch per file. Folders starting with `_`
 * or `.` are ignored. Safe to run again: content already loaded is skipped.
 *
 * Only complete, regular files of their own folder are read (see `scanInbox`): uploads in progress
 * and files inside their quiet period or without their marker wait; links and other non-regular
 * entries are refused. Files are never deleted: once its batch has committed (after checking the
 * file is still the one read) a file moves to `<inbox>/_processed/…`; a file that cannot be read as
 * its source moves to `<inbox>/_rejected/…` and is recorded in ops.rejected_files with the reason.
 * One delivery that fails unexpectedly is rolled back and rejected, and the others go on; only a
 * lost database or a full disk stops the run (the file stays for the next one).
 */
export async function ingestInbox(pool: pg.Pool, options: IngestOptions): Promise<IngestSummary> {
  // A file in _processed whose batch never committed goes back to the inbox first, to be loaded now.
  if (options.archive ?? true) await recoverProcessed(pool, options.inbox, options.logger);
  const scan = await scanInbox(options.inbox, options.sources, {
    quietSeconds: options.quietSeconds,
    markerSenders: new Set(options.markerSenders ?? []),
    publishers: await declaredPublishers(pool),
  });
  return ingestScanned(pool, scan, options);
}

/** Loads what a scan of the inbox found (`ingestInbox` is scan + this). */
export async function ingestScanned(
  pool: pg.Pool,
  scan: InboxScan,
  options: IngestOptions,
): Promise<IngestSummary> {
  const { inbox, logger } = options;
  const archive = options.archive ?? true;
  const quietMs = (options.quietSeconds ?? 0) * 1000;
  await ensureRawTables(pool, options.sources);
  const batches: BatchResult[] = [];
  const rejected: FileReason[] = [];
  const deferred: FileReason[] = [...scan.waiting];
  const failed: FileReason[] = [];
  const unrecognisedReasons: Record<string, string> = {};
  for (const { file, reason } of scan.unrecognised) {
    unrecognisedReasons[file] = reason;
    logger.warn({ file }, `${reason}; left in the inbox`);
  }
  if (scan.waiting.length > 0)
    logger.info(
      { files: scan.waiting.map((w) => `${w.file}: ${w.reason}`) },
      `${scan.waiting.length} file(s) not complete yet, left for a later run`,
    );
  const disposition = { archive, jobRunId: options.jobRunId };

  for (const entry of scan.refused) {
    const error = new DeliveryError(entry.reason, entry.code);
    logger.error({ file: entry.relativePath, code: entry.code }, entry.reason);
    // Refused entries are never read, not even to hash them.
    await rejectEntry(pool, inbox, { ...entry, hash: false }, error, disposition);
    rejected.push({ file: entry.relativePath, reason: entry.reason });
  }

  const progress = options.progress ?? noProgress;
  for (const [index, delivery] of scan.deliveries.entries()) {
    progress.update('入库 (ingest)', index, scan.deliveries.length);
    const rel = delivery.relativePath;
    const before = await identify(delivery.file);
    if (!before || !sameFile(before, delivery.listed)) {
      const reason = before
        ? 'changed since it was listed; read on a later run'
        : 'deleted before it was read';
      logger.warn({ file: rel }, `${rel}: ${reason}`);
      deferred.push({ file: rel, reason });
      continue;
    }
    let verified: FileIdentity | undefined;
    let result: BatchResult;
    try {
      result = await loadDelivery(pool, delivery, {
        logger,
        progress,
        jobRunId: options.jobRunId,
        splitBytes: options.splitBytes,
        beforeCommit: async (client, batchId) => {
          verified = await verifyDelivery(client, batchId, delivery, before);
        },
      });
    } catch (error) {
      const fate = await judge(error, delivery, before, quietMs);
      if (fate.kind === 'stop')
        throw new IngestStoppedError(
          `ingest stopped at ${rel}: ${oneLine(error)}; nothing of it was committed, it stays in the inbox for the next run`,
          error,
        );
      if (fate.kind === 'defer') {
        // Listed as file + reason; the log line names the file once.
        const reason = fate.reason.startsWith(`${rel}: `) ? fate.reason.slice(rel.length + 2) : fate.reason;
        logger.warn({ file: rel }, `${rel}: ${reason}`);
        deferred.push({ file: rel, reason });
        continue;
      }
      logger.error({ file: rel, code: fate.error.code }, fate.error.message);
      rejected.push({ file: rel, reason: fate.error.message });
      if (fate.unexpected) failed.push({ file: rel, reason: fate.error.message });
      await rejectEntry(
        pool,
        inbox,
        { relativePath: rel, hospitalCode: delivery.hospitalCode, delivery, hash: true },
        fate.error,
        disposition,
      );
      if (archive && delivery.marker?.kind === 'done')
        await archiveFile(inbox, delivery.marker.relativePath, '_rejected').catch(() => undefined);
      continue;
    }
    batches.push(result);
    if (!archive) continue;
    const moved = await moveLoaded(pool, inbox, delivery, verified ?? before, result);
    if (moved.reason) {
      logger.warn({ file: rel, batchId: result.batchId }, `${rel}: ${moved.reason}`);
      deferred.push({ file: rel, reason: moved.reason });
    }
  }
  if (archive) await archiveManifests(inbox, scan);
  progress.finish('入库 (ingest)');
  return {
    batches,
    rejected,
    unrecognised: scan.unrecognised.map((u) => u.file),
    unrecognisedReasons,
    deferred,
    failed,
  };
}

/**
 * Moves a loaded file to `_processed/` (with its `.done` marker) and checks it is still the file
 * that was verified. A file written to after its batch committed (a sender still writing) is moved
 * back into the inbox: the next run reads it whole, and its batch replaces this one.
 */
async function moveLoaded(
  pool: pg.Pool,
  inbox: string,
  delivery: InboxDelivery,
  verified: FileIdentity,
  result: BatchResult,
): Promise<{ reason?: string }> {
  let movedTo: string;
  try {
    movedTo = await archiveFile(inbox, delivery.relativePath, '_processed');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await identify(delivery.file)))
      return { reason: 'was deleted before it could be moved to _processed' };
    // The batch is committed; the file stays, and the next run finds its content loaded and moves it.
    return {
      reason: `could not be moved to _processed (${oneLine(error)}); its batch ${result.batchId} is loaded, the next run moves it`,
    };
  }
  const after = await identify(path.join(inbox, movedTo));
  if (after && !sameFile(after, verified) && !(await identify(delivery.file))) {
    await rename(path.join(inbox, movedTo), delivery.file);
    return {
      reason: `changed while it was moved (batch ${result.batchId}); moved back to the inbox: the next run reads it whole and replaces that batch`,
    };
  }
  await rememberProcessed(pool, inbox, movedTo, result.batchId);
  if (delivery.marker?.kind === 'done')
    await archiveFile(inbox, delivery.marker.relativePath, '_processed').catch(() => undefined);
  return {};
}

/** A manifest moves to `_processed/` once none of the files it lists is left in its folder. */
async function archiveManifests(inbox: string, scan: InboxScan): Promise<void> {
  for (const manifest of scan.manifests) {
    const dir = path.dirname(path.join(inbox, manifest.relativePath));
    const left = await Promise.all(manifest.files.map((name) => identify(path.join(dir, name))));
    if (left.every((f) => f === undefined))
      await archiveFile(inbox, manifest.relativePath, '_processed').catch(() => undefined);
  }
}

/** The database or the machine failed mid-run (not a delivery): the run stops, files stay. */
export class IngestStoppedError extends HdwError {
  constructor(message: string, cause: unknown) {
    super('E_INGEST_STOPPED', message, { cause });
  }
}

type Fate =
  | { readonly kind: 'stop' }
  | { readonly kind: 'defer'; readonly reason: string }
  | { readonly kind: 'reject'; readonly error: HdwError; readonly unexpected: boolean };

/**
 * What to do with a delivery whose load failed (its batch was rolled back): stop the run when the
 * database or the disk failed (the file stays), leave it for the next run when it changed or went
 * away while read, otherwise reject it with the reason, in one line.
 */
async function judge(
  error: unknown,
  delivery: InboxDelivery,
  before: FileIdentity,
  quietMs: number,
): Promise<Fate> {
  if (environmental(error)) return { kind: 'stop' };
  const rel = delivery.relativePath;
  const now = await identify(delivery.file).catch(() => undefined);
  if (!now) return { kind: 'defer', reason: `${rel}: deleted while it was read` };
  if (error instanceof FileChangedError) return { kind: 'defer', reason: error.message };
  if (!sameFile(now, before))
    return {
      kind: 'defer',
      reason: `${rel}: changed while it was read; its batch was rolled back and the file is read again on a later run`,
    };
  if (transient(error)) return { kind: 'defer', reason: `${rel}: ${oneLine(error)}; left for the next run` };
  if (error instanceof DeliveryError) {
    const quiet = Date.now() - now.mtimeMs >= quietMs;
    if (error.code === 'E_MARKER' && !quiet) return { kind: 'defer', reason: error.message };
    return { kind: 'reject', error, unexpected: false };
  }
  return {
    kind: 'reject',
    error: new DeliveryError(`${rel}: could not be loaded: ${oneLine(error)}`, 'E_UNEXPECTED'),
    unexpected: true,
  };
}

/** SQLSTATE classes of a lost or failing server: connection, resources (disk full), shutdown, system. */
const serverFailure = /^(08|53|57|58|XX)/;
const environmentCodes = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EMFILE',
  'ENFILE',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The database or the machine failed, not the delivery: the run stops and the file stays. */
function environmental(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(environmental);
  if (!(error instanceof Error) || error instanceof HdwError) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (environmentCodes.has(code) || (code.length === 5 && serverFailure.test(code)))
  )
    return true;
  return /connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

/** A conflict with concurrent work (serialization, deadlock, lock timeout): try again next run. */
function transient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(40001|40P01|55P03)$/.test(code);
}

/** An error as one line for a user: its message's first line (no stack). */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = (error.message || error.name).split('\n')[0]!.trim();
  return error.name && error.name !== 'Error' && !text.startsWith(error.name)
    ? `${error.name}: ${text}`
    : text;
}

/** Publisher codes declared in `ref.publishers`, or undefined before the seeds are loaded. */
async function declaredPublishers(pool: pg.Pool): Promise<ReadonlySet<string> | undefined> {
  const { rows } = await pool.query<{ exists: boolean }>(
    `select to_regclass('ref.publishers') is not null as exists`,
  );
  if (!rows[0]?.exists) return undefined;
  const codes = await pool.query<{ publisher_code: string }>(`select publisher_code from ref.publishers`);
  return new Set(codes.rows.map((r) => r.publisher_code));
}
