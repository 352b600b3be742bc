import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../../core/logging/logger.ts';
import { noProgress, type ProgressReporter } from '../../core/logging/progress.ts';
import { archiveFile, rejectFile } from './file-disposition.ts';
import { recoverProcessed, rememberProcessed } from './processed-recovery.ts';
import {
  DeliveryError,
  ensureRawTables,
  loadDelivery,
  type BatchResult,
  type Delivery,
} from './load-batch.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

export interface IngestSummary {
  readonly batches: readonly BatchResult[];
  /** Files that could not be read as their source at all, with why; moved to `_rejected/` and recorded in ops.rejected_files. */
  readonly rejected: readonly { readonly file: string; readonly reason: string }[];
  /** Files matching no declared source. */
  readonly unrecognised: readonly string[];
}

const hospitalFolder = /^H\d{11}$/;

/**
 * Loads every delivery in the inbox (`<inbox>/<hospital_code>/<system>/<file>`), dictionaries
 * before the records that use them, one batch per file. Folders starting with `_` or `.` are
 * ignored. Safe to run again: content already loaded is skipped.
 *
 * Files are never deleted: once its batch has committed (or its content was already loaded) a file
 * moves to `<inbox>/_processed/<hospital>/<system>/<file>`; a file that cannot be read as its
 * source moves to `<inbox>/_rejected/…` and is recorded in ops.rejected_files with the reason. A
 * process killed mid-batch leaves the file in the inbox, so the next run loads it whole.
 * `archive: false` leaves every file where it is.
 */
export async function ingestInbox(
  pool: pg.Pool,
  options: {
    readonly inbox: string;
    readonly sources: readonly SourceDefinition[];
    readonly logger: Logger;
    readonly progress?: ProgressReporter;
    readonly jobRunId?: number;
    readonly archive?: boolean;
  },
): Promise<IngestSummary> {
  const archive = options.archive ?? true;
  await ensureRawTables(pool, options.sources);
  // A file in _processed whose batch never committed goes back to the inbox first, to be loaded now.
  if (archive) await recoverProcessed(pool, options.inbox, options.logger);
  const { deliveries, unrecognised } = await findDeliveries(options.inbox, options.sources);
  for (const file of unrecognised)
    options.logger.warn({ file }, 'file matches no declared source; left in the inbox');
  const batches: BatchResult[] = [];
  const rejected: { file: string; reason: string }[] = [];
  const progress = options.progress ?? noProgress;
  for (const [index, delivery] of deliveries.entries()) {
    progress.update('入库 (ingest)', index, deliveries.length);
    let result: BatchResult;
    try {
      result = await loadDelivery(pool, delivery, {
        logger: options.logger,
        progress,
        jobRunId: options.jobRunId,
      });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      options.logger.error({ file: delivery.relativePath, code: error.code }, error.message);
      rejected.push({ file: delivery.relativePath, reason: error.message });
      await rejectFile(pool, options.inbox, delivery, error, { archive, jobRunId: options.jobRunId });
      continue;
    }
    batches.push(result);
    if (archive) {
      const movedTo = await archiveFile(options.inbox, delivery.relativePath, '_processed');
      await rememberProcessed(pool, options.inbox, movedTo, result.batchId);
    }
  }
  progress.finish('入库 (ingest)');
  return { batches, rejected, unrecognised };
}

/** The inbox's deliveries in load order: by source dependency, then hospital, then period. */
export async function findDeliveries(
  inbox: string,
  sources: readonly SourceDefinition[],
): Promise<{ deliveries: Delivery[]; unrecognised: string[] }> {
  const order = loadOrder(sources);
  const deliveries: Delivery[] = [];
  const unrecognised: string[] = [];
  for (const hospital of await listDir(inbox)) {
    if (hospital.startsWith('_') || hospital.startsWith('.')) continue;
    for (const system of await listDir(path.join(inbox, hospital))) {
      for (const name of await listDir(path.join(inbox, hospital, system))) {
        const relativePath = [hospital, system, name].join('/');
        // A workbook is the same delivery as its CSV export: patterns name the .csv form.
        const asCsv = name.replace(/\.xlsx$/i, '.csv');
        const source = sources.find((s) => s.system === system && s.filePattern.test(asCsv));
        if (!source || !hospitalFolder.test(hospital)) {
          unrecognised.push(relativePath);
          continue;
        }
        const period = source.filePattern.exec(asCsv)?.groups?.period ?? 'current';
        deliveries.push({
          source,
          file: path.join(inbox, hospital, system, name),
          relativePath,
          hospitalCode: hospital,
          period,
        });
      }
    }
  }
  deliveries.sort(
    (a, b) =>
      order.get(sourceId(a.source))! - order.get(sourceId(b.source))! ||
      a.hospitalCode.localeCompare(b.hospitalCode) ||
      a.period.localeCompare(b.period) ||
      a.relativePath.localeCompare(b.relativePath),
  );
  return { deliveries, unrecognised };
}

/** Rank of each source so that every source loads after the ones it names in `after`. */
export function loadOrder(sources: readonly SourceDefinition[]): Map<string, number> {
  const rank = new Map<string, number>();
  const visit = (source: SourceDefinition, trail: string[]): number => {
    const id = sourceId(source);
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (trail.includes(id))
      throw new Error(`sources depend on each other in a cycle: ${[...trail, id].join(' → ')}`);
    const deps = (source.after ?? [])
      .map((dep) => sources.find((s) => sourceId(s) === dep))
      .filter((s) => s !== undefined);
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => visit(dep, [...trail, id])));
    rank.set(id, value);
    return value;
  };
  for (const source of sources) visit(source, []);
  return rank;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return [];
    throw error;
  }
}
