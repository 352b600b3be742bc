import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { HdwError } from '../../core/errors.ts';
import { identify, sameFile, type FileIdentity, type InboxDelivery } from './inbox-scan.ts';
import type { Delivery } from './load-batch.ts';
import { DeliveryError } from './row-encoder.ts';
import { sourceId } from './source-definition.ts';

/**
 * Moves a delivered file out of the inbox into `<inbox>/<folder>/<same relative path>` (folders
 * starting with `_` are not scanned), keeping the hospital/system layout. A name already taken
 * there gets a numeric suffix, so no earlier file is overwritten. Returns the new relative path.
 * `as` names the target differently (a rejected link is kept as `<name>.link`, so that no link
 * ever sits where a later move needs a folder). A link is moved as a link, never followed.
 */
export async function archiveFile(
  inbox: string,
  relativePath: string,
  folder: '_processed' | '_rejected',
  as: string = relativePath,
): Promise<string> {
  const parsed = path.parse(as);
  let target = path.join(folder, as);
  for (let n = 1; await exists(path.join(inbox, target)); n += 1) {
    target = path.join(folder, parsed.dir, `${parsed.name}.${n}${parsed.ext}`);
  }
  await mkdir(path.dirname(path.join(inbox, target)), { recursive: true });
  await rename(path.join(inbox, relativePath), path.join(inbox, target));
  return target.split(path.sep).join('/');
}

/** An inbox entry to record as rejected: a delivery of a declared source, or any entry (a link). */
export interface RejectedEntry {
  readonly relativePath: string;
  readonly hospitalCode: string;
  readonly delivery?: Delivery;
  /** Hash the content for the record (never for a link or anything but a regular file). */
  readonly hash: boolean;
  /** Moved as `<name>.link` (a symbolic link). */
  readonly link?: boolean;
}

/**
 * Records a file that could not be read as its source, so a rejection is never silent, then moves
 * it to `_rejected/` (unless `archive` is off) and notes where it went.
 */
export async function rejectFile(
  pool: pg.Pool,
  inbox: string,
  delivery: Delivery,
  error: HdwError,
  options: { readonly archive: boolean; readonly jobRunId?: number },
): Promise<void> {
  await rejectEntry(
    pool,
    inbox,
    { relativePath: delivery.relativePath, hospitalCode: delivery.hospitalCode, delivery, hash: true },
    error,
    options,
  );
}

/**
 * Records an inbox entry refused or rejected in ops.rejected_files with its code and reason, then
 * moves it to `_rejected/` (unless `archive` is off). A link is recorded and moved, never read.
 */
export async function rejectEntry(
  pool: pg.Pool,
  inbox: string,
  entry: RejectedEntry,
  error: HdwError,
  options: { readonly archive: boolean; readonly jobRunId?: number },
): Promise<void> {
  const sha = entry.hash ? await sha256Regular(path.join(inbox, entry.relativePath)).catch(() => null) : null;
  const { rows } = await pool.query<{ rejected_id: number }>(
    `insert into ops.rejected_files (source, hospital_code, period, source_file, content_sha256, code, reason, job_run_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning rejected_id`,
    [
      entry.delivery ? sourceId(entry.delivery.source) : null,
      entry.hospitalCode,
      entry.delivery?.period ?? null,
      entry.relativePath,
      sha,
      error.code,
      error.message,
      options.jobRunId ?? null,
    ],
  );
  if (!options.archive) return;
  const movedTo = await archiveFile(
    inbox,
    entry.relativePath,
    '_rejected',
    entry.link ? `${entry.relativePath}.link` : entry.relativePath,
  );
  await pool.query(`update ops.rejected_files set moved_to = $2 where rejected_id = $1`, [
    rows[0]!.rejected_id,
    movedTo,
  ]);
}

/** The file changed (or vanished) while it was read: its batch rolls back, the file stays for the next run. */
export class FileChangedError extends HdwError {
  constructor(message: string) {
    super('E_CHANGED', message);
  }
}

/**
 * The check made inside a batch's transaction just before it commits: the file is still the one
 * that was read (same inode, size and modification time as before reading), its SHA-256 is the
 * batch's content hash (and the one its completion marker declares), and then its size is
 * recorded on the batch. Throws FileChangedError (or a DeliveryError `E_MARKER`), which rolls the
 * batch back. Returns the identity checked, to compare with the file once moved.
 */
export async function verifyDelivery(
  client: pg.PoolClient,
  batchId: number,
  delivery: InboxDelivery,
  before: FileIdentity,
): Promise<FileIdentity> {
  const rel = delivery.relativePath;
  const now = await identify(delivery.file);
  if (!now) throw new FileChangedError(`${rel}: deleted while it was read`);
  if (!sameFile(now, before))
    throw new FileChangedError(
      `${rel}: changed while it was read (${before.size} → ${now.size} bytes); its batch was rolled back and the file is read again on a later run`,
    );
  const sha = await sha256Regular(delivery.file, before);
  const { rows } = await client.query<{ content_sha256: string }>(
    `select content_sha256 from ops.batches where batch_id = $1`,
    [batchId],
  );
  if (rows[0]?.content_sha256 !== sha)
    throw new FileChangedError(
      `${rel}: its content changed while it was read; its batch was rolled back and the file is read again on a later run`,
    );
  const marker = delivery.marker;
  if (marker?.sha256 && marker.sha256 !== sha)
    throw new DeliveryError(
      `${rel}: its SHA-256 ${sha} is not the ${marker.sha256} its marker ${marker.relativePath} declares`,
      'E_MARKER',
    );
  await client.query(`update ops.batches set file_bytes = $2 where batch_id = $1`, [batchId, now.size]);
  return now;
}

/**
 * SHA-256 of a regular file opened without following a link; when `expected` is given, the opened
 * file must be that one (same inode), so a file swapped for a link after listing is never read.
 */
async function sha256Regular(file: string, expected?: FileIdentity): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat({ bigint: true });
    if (
      !stat.isFile() ||
      (expected && (String(stat.ino) !== expected.ino || String(stat.dev) !== expected.dev))
    )
      throw new FileChangedError(`${file}: was replaced while it was read`);
    const hash = createHash('sha256');
    for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false }))
      hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}
