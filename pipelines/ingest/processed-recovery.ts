import { access, lstat, mkdir, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../../core/logging/logger.ts';
import { sha256File } from './load-batch.ts';

/** A file put back into the inbox because no batch holds its content. */
export interface RecoveredFile {
  /** Where it was, e.g. `_processed/H32090200001/his/charge_lines_2025-01.csv`. */
  readonly from: string;
  /** Where it is now, inside the inbox; absent when that name was taken and it stayed. */
  readonly to?: string;
}

/**
 * Makes `_processed` mean what it says: every file there matches a batch of its hospital by
 * SHA-256 (ops.batches.content_sha256). A file whose batch never committed — a run that died
 * or lost its database between moving the file and committing, or a database restored from an
 * older backup — goes back to its place in the inbox, so this run loads it. Files already
 * checked (same size and modification time, ops.processed_files) are not hashed again.
 */
export async function recoverProcessed(
  pool: pg.Pool,
  inbox: string,
  logger: Logger,
): Promise<RecoveredFile[]> {
  const root = path.join(inbox, '_processed');
  const files = await regularFiles(root, '');
  if (files.length === 0) return [];
  const { rows } = await pool.query<{ path: string; size: number; mtime_ms: number }>(
    `select path, size, mtime_ms from ops.processed_files`,
  );
  const checked = new Map(rows.map((r) => [r.path, r]));
  const recovered: RecoveredFile[] = [];
  for (const { relative, size, mtimeMs } of files) {
    const known = checked.get(relative);
    if (known && Number(known.size) === size && known.mtime_ms === mtimeMs) continue;
    const sha = await sha256File(path.join(root, relative));
    const hospital = relative.split('/')[0]!;
    const batch = await pool.query(
      `select 1 from ops.batches where hospital_code = $1 and content_sha256 = $2 limit 1`,
      [hospital, sha],
    );
    if (batch.rowCount) {
      await pool.query(
        `insert into ops.processed_files (path, size, mtime_ms, content_sha256) values ($1, $2, $3, $4)
         on conflict (path) do update set size = excluded.size, mtime_ms = excluded.mtime_ms,
           content_sha256 = excluded.content_sha256, checked_at = now()`,
        [relative, size, mtimeMs, sha],
      );
      continue;
    }
    // archiveFile names a second file of the same name `<name>.<n><ext>`: it goes back under its own name.
    const original = relative.replace(/\.\d+(\.[^./]+)$/, '$1');
    const to = (await free(path.join(inbox, original)))
      ? original
      : (await free(path.join(inbox, relative)))
        ? relative
        : undefined;
    const from = `_processed/${relative}`;
    if (to) {
      await mkdir(path.dirname(path.join(inbox, to)), { recursive: true });
      await rename(path.join(root, relative), path.join(inbox, to));
      await pool.query(`delete from ops.processed_files where path = $1`, [relative]);
      logger.warn(
        { file: from, movedTo: to },
        `${from}: no batch holds this file; moved back to the inbox to load`,
      );
    } else {
      logger.warn(
        { file: from },
        `${from}: no batch holds this file, and a file of its name waits in the inbox; left in _processed`,
      );
    }
    recovered.push({ from, to });
  }
  return recovered;
}

/**
 * Notes a file just moved to `_processed` as matching its batch (`movedTo` as archiveFile returns
 * it), so the next runs' check does not hash it again.
 */
export async function rememberProcessed(
  pool: pg.Pool,
  inbox: string,
  movedTo: string,
  batchId: number,
): Promise<void> {
  const info = await stat(path.join(inbox, movedTo));
  await pool.query(
    `insert into ops.processed_files (path, size, mtime_ms, content_sha256)
     select $1, $2, $3, content_sha256 from ops.batches where batch_id = $4 and content_sha256 <> ''
     on conflict (path) do update set size = excluded.size, mtime_ms = excluded.mtime_ms,
       content_sha256 = excluded.content_sha256, checked_at = now()`,
    [movedTo.replace(/^_processed\//, ''), info.size, info.mtimeMs, batchId],
  );
}

/** Regular files under `dir`, as paths relative to the walk's root (links and others are skipped). */
async function regularFiles(
  root: string,
  dir: string,
): Promise<{ relative: string; size: number; mtimeMs: number }[]> {
  const names = await readdir(path.join(root, dir)).catch(() => [] as string[]);
  const out: { relative: string; size: number; mtimeMs: number }[] = [];
  for (const name of names.sort()) {
    const relative = dir ? `${dir}/${name}` : name;
    const info = await lstat(path.join(root, relative)).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await regularFiles(root, relative)));
    else if (info?.isFile()) out.push({ relative, size: info.size, mtimeMs: info.mtimeMs });
  }
  return out;
}

async function free(file: string): Promise<boolean> {
  return access(file).then(
    () => false,
    () => true,
  );
}
