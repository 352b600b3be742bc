import { mkdir } from 'node:fs/promises';
import { demoPeriods } from './calendar.ts';
import type { WrittenFile } from './csv-sink.ts';
import { DefectLog } from './defect-log.ts';
import { ratesFor } from './defect-kinds.ts';
import { DefectScheduler } from './defect-scheduler.ts';
import type { Entity } from './file-schemas.ts';
import { writeGroundTruth, type DemoSize } from './ground-truth.ts';
import { HospitalRun } from './hospital-run.ts';
import { HOSPITALS } from './hospitals.ts';
import { writePublisherFiles } from './publisher-files.ts';
import { apportion } from './seasonality.ts';

/** What to generate and where. */
export interface DemoOptions {
  readonly size: DemoSize;
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
  /** Rows listed in _ground_truth/scenarios.csv. */
  readonly scenarios: number;
  /** Bytes written, ground truth included. */
  readonly bytes: number;
}

/**
 * Alliance-wide volumes per size for 2024 (2025 grows by each hospital's rate) and the months
 * generated: `full` is both years, `small` the first quarter of each (so year-on-year figures
 * exist) at a tenth of the full monthly volume.
 */
const VOLUMES = {
  small: { inpatient: 2_200, outpatient: 10_000, months: [1, 2, 3] },
  full: { inpatient: 76_000, outpatient: 330_000, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
} as const;

/** The years every demo covers. */
export const DEMO_YEARS: readonly number[] = [2024, 2025];

/**
 * Generates two years (2024–2025) of source-system exports of a fictional ten-hospital alliance
 * in 盐城 — HIS, EMR front pages and groupings, insurance settlements, ERP ledger and master
 * data, LIS/PACS workload — the payers' published policy files (DRG table, base rates, regional
 * reference, the county's DIP catalogue and budget), with known defects, planted payer scenarios
 * and a ground truth, so the pipeline can be run and checked end to end without real patient
 * data. Deterministic: the same seed gives the same bytes.
 *
 * @example
 * await generateDemo({ size: 'small', seed: 42, outDir: '/tmp/demo' });
 */
export async function generateDemo(opts: DemoOptions): Promise<DemoSummary> {
  const seed = Math.trunc(opts.seed) >>> 0;
  const volumes = VOLUMES[opts.size];
  const periods = demoPeriods(DEMO_YEARS, volumes.months);
  const share = volumes.months.length / 12;
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
  const ctx = { seed, outDir: opts.outDir, log, scheduler, periods };
  await mkdir(opts.outDir, { recursive: true });

  const base = {
    inpatient: apportion(
      Math.round(volumes.inpatient * share),
      HOSPITALS.map((h) => h.inpatientShare),
    ),
    outpatient: apportion(
      Math.round(volumes.outpatient * share),
      HOSPITALS.map((h) => h.outpatientShare),
    ),
  };
  const perYear = (n: number, growth: number): Map<number, number> =>
    new Map(DEMO_YEARS.map((y, i) => [y, Math.round(n * growth ** i)]));
  const runs = HOSPITALS.map(
    (h, i) =>
      new HospitalRun(
        ctx,
        h,
        perYear(base.inpatient[i] ?? 0, h.growth),
        perYear(base.outpatient[i] ?? 0, h.growth),
      ),
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
  for (const run of runs) files.push(...(await run.finish()));
  files.push(...(await writePublisherFiles(opts.outDir, runs, DEMO_YEARS)));
  const truth = await writeGroundTruth(opts.outDir, seed, opts.size, periods, runs, files, log);
  opts.onProgress?.({ phase: 'ground_truth', done: total, total });
  const all = [...files, ...truth.files];
  return {
    outDir: opts.outDir,
    files: all.length,
    inpatientCases,
    outpatientVisits,
    chargeLines,
    defects: log.size,
    scenarios: truth.scenarios,
    bytes: all.reduce((n, f) => n + f.bytes, 0),
  };
}
