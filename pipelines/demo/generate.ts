import { mkdir } from 'node:fs/promises';
import { demoPeriods } from './calendar.ts';
import type { WrittenFile } from './csv-sink.ts';
import { DefectLog } from './defect-log.ts';
import { ratesFor } from './defect-kinds.ts';
import { DefectScheduler } from './defect-scheduler.ts';
import type { Entity } from './file-schemas.ts';
import { writeGroundTruth } from './ground-truth.ts';
import { HospitalRun } from './hospital-run.ts';
import { HOSPITALS } from './hospitals.ts';
import { apportion } from './seasonality.ts';

/** What to generate and where. */
export interface DemoOptions {
  readonly size: 'small' | 'full';
  readonly seed: number;
  readonly outDir: string;
  readonly onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

/** What was generated. */
export interface DemoSummary {
  readonly outDir: string;
  /** Files written, ground truth included. */
  readonly files: number;
  /** Distinct inpatient stays (visit rows without defect duplicates). */
  readonly inpatientCases: number;
  /** Distinct outpatient visits. */
  readonly outpatientVisits: number;
  /** Data lines in all charge_lines files, defective ones included. */
  readonly chargeLines: number;
  /** Rows listed in _ground_truth/defects.csv. */
  readonly defects: number;
  /** Bytes written, ground truth included. */
  readonly bytes: number;
}

/** Alliance-wide yearly volumes per size. */
const VOLUMES = {
  small: { inpatient: 600, outpatient: 3_000 },
  full: { inpatient: 54_000, outpatient: 270_000 },
} as const;

/**
 * Generates a year (2025-01 … 2025-12) of source-system exports of a
 * fictional three-hospital alliance — HIS, EMR front pages, insurance
 * settlements, ERP cost ledger, LIS/PACS workload — with known defects and a
 * ground truth, so the pipeline can be run and checked end to end without
 * real patient data. Deterministic: the same seed gives the same bytes.
 *
 * @example
 * await generateDemo({ size: 'small', seed: 42, outDir: '/tmp/demo' });
 */
export async function generateDemo(opts: DemoOptions): Promise<DemoSummary> {
  const seed = Math.trunc(opts.seed) >>> 0;
  const periods = demoPeriods(2025);
  const volumes = VOLUMES[opts.size];
  const log = new DefectLog();
  const schedulers = new Map<Entity, DefectScheduler>();
  const scheduler = (entity: Entity): DefectScheduler => {
    let s = schedulers.get(entity);
    if (!s) {
      s = new DefectScheduler(seed, entity, ratesFor(entity));
      schedulers.set(entity, s);
    }
    return s;
  };
  const ctx = { seed, outDir: opts.outDir, log, scheduler };
  await mkdir(opts.outDir, { recursive: true });

  const inpatient = apportion(
    volumes.inpatient,
    HOSPITALS.map((h) => h.inpatientShare),
  );
  const outpatient = apportion(
    volumes.outpatient,
    HOSPITALS.map((h) => h.outpatientShare),
  );
  const scale = volumes.inpatient / VOLUMES.full.inpatient;
  const runs = HOSPITALS.map(
    (h, i) => new HospitalRun(ctx, h, inpatient[i] ?? 0, outpatient[i] ?? 0, scale, periods),
  );

  const files: WrittenFile[] = [];
  const total = runs.length * (periods.length + 1);
  let done = 0;
  const progress = (phase: string): void => opts.onProgress?.({ phase, done, total });
  progress('dictionaries');
  for (const run of runs) {
    files.push(...(await run.writeDictionaries()));
    done++;
    progress('dictionaries');
  }
  let inpatientCases = 0;
  let outpatientVisits = 0;
  let chargeLines = 0;
  // Month-major order keeps the defect schedulers interleaved across hospitals.
  for (const period of periods) {
    for (const run of runs) {
      const out = await run.writeMonth(period);
      files.push(...out.files);
      inpatientCases += out.inpatientCases;
      outpatientVisits += out.outpatientVisits;
      chargeLines += out.chargeLines;
      done++;
      progress(`${run.hospital.code} ${period.key}`);
    }
  }
  const truth = await writeGroundTruth(opts.outDir, seed, opts.size, periods, HOSPITALS, files, log);
  opts.onProgress?.({ phase: 'ground_truth', done: total, total });
  const all = [...files, ...truth];
  return {
    outDir: opts.outDir,
    files: all.length,
    inpatientCases,
    outpatientVisits,
    chargeLines,
    defects: log.size,
    bytes: all.reduce((n, f) => n + f.bytes, 0),
  };
}
