import { access, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { HdwError } from '../../core/errors.ts';
import { sha256File, type Delivery } from './load-batch.ts';
import { sourceId } from './source-definition.ts';

/**
 * Moves a delivered file out of the inbox into `<inbox>/<folder>/<same relative path>` (folders
 * starting with `_` are not scanned), keeping the hospital/system layout. A name already taken
 * there gets a numeric suffix, so no earlier file is overwritten. Returns the new relative path.
 */
export async function archiveFile(
  inbox: string,
  relativePath: string,
  folder: '_processed' | '_rejected',
): Promise<string> {
  const parsed = path.parse(relativePath);
  let target = path.join(folder, relativePath);
  for (let n = 1; await exists(path.join(inbox, target)); n += 1) {
    target = path.join(folder, parsed.dir, `${parsed.name}.${n}${parsed.ext}`);
  }
  await mkdir(path.dirname(path.join(inbox, target)), { recursive: true });
  await rename(path.join(inbox, relativePath), path.join(inbox, target));
  return target.split(path.sep).join('/');
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
  const sha = await sha256File(delivery.file).catch(() => null);
  const { rows } = await pool.query<{ rejected_id: number }>(
    `insert into ops.rejected_files (source, hospital_code, period, source_file, content_sha256, code, reason, job_run_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning rejected_id`,
    [
      sourceId(delivery.source),
      delivery.hospitalCode,
      delivery.period,
      delivery.relativePath,
      sha,
      error.code,
      error.message,
      options.jobRunId ?? null,
    ],
  );
  if (!options.archive) return;
  const movedTo = await archiveFile(inbox, delivery.relativePath, '_rejected');
  await pool.query(`update ops.rejected_files set moved_to = $2 where rejected_id = $1`, [
    rows[0]!.rejected_id,
    movedTo,
  ]);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
