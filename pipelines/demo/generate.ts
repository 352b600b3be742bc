import { mkdir } from 'node:fs/promises';
import { DEMO_YEARS, runAlliance, type RunProgress } from './alliance-run.ts';
import { calibratePolicy } from './calibration.ts';
import { DefectLog } from './defect-log.ts';
import { writeGroundTruth, type DemoSize } from './ground-truth.ts';
import { writePublisherFiles } from './publisher-files.ts';

/** What to generate and where. */
export interface DemoOptions {
  readonly size: DemoSize;
  readonly seed: number;
  readonly outDir: string;
  readonly onProgress?: RunProgress;
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
  const policy = await calibratePolicy(seed, DEMO_YEARS);
  const log = new DefectLog();
  await mkdir(opts.outDir, { recursive: true });
  const out = await runAlliance({ seed, outDir: opts.outDir, log, policy, volumes }, opts.onProgress);
  const { runs, periods, files } = out;
  files.push(...(await writePublisherFiles(opts.outDir, runs, DEMO_YEARS, policy)));
  const truth = await writeGroundTruth(opts.outDir, seed, opts.size, periods, runs, files, log);
  opts.onProgress?.({ phase: 'ground_truth', done: out.steps, total: out.steps });
  const all = [...files, ...truth.files];
  return {
    outDir: opts.outDir,
    files: all.length,
    inpatientCases: out.inpatientCases,
    outpatientVisits: out.outpatientVisits,
    chargeLines: out.chargeLines,
    defects: log.size,
    scenarios: truth.scenarios,
    bytes: all.reduce((n, f) => n + f.bytes, 0),
  };
}
