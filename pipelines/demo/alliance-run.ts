import { demoPeriods, type Period } from './calendar.ts';
import type { WrittenFile } from './csv-sink.ts';
import type { DefectLog } from './defect-log.ts';
import { ratesFor } from './defect-kinds.ts';
import { DefectScheduler } from './defect-scheduler.ts';
import type { Entity } from './file-schemas.ts';
import { HospitalRun } from './hospital-run.ts';
import { HOSPITALS } from './hospitals.ts';
import type { PaymentPolicy } from './payment-policy.ts';
import { apportion } from './seasonality.ts';

/** The years every demo covers. */
export const DEMO_YEARS: readonly number[] = [2024, 2025];

/** Progress of a run: a phase name and steps done of total. */
export type RunProgress = (p: { phase: string; done: number; total: number }) => void;

/** Alliance-wide volumes of one run: 2024 stays and visits, and the months generated. */
export interface AllianceVolumes {
  readonly inpatient: number;
  readonly outpatient: number;
  readonly months: readonly number[];
}

/** What one run of the alliance produced. */
export interface AllianceRun {
  readonly runs: readonly HospitalRun[];
  readonly periods: readonly Period[];
  readonly files: WrittenFile[];
  readonly inpatientCases: number;
  readonly outpatientVisits: number;
  readonly chargeLines: number;
  /** Progress steps taken (dictionaries and hospital-months). */
  readonly steps: number;
}

/**
 * Runs the ten hospitals over both years at the given volumes, paid by `policy`, writing every
 * member's files into `outDir`: the demo itself, and the payers' calibration sample.
 */
export async function runAlliance(
  opts: {
    readonly seed: number;
    readonly outDir: string;
    readonly log: DefectLog;
    readonly policy: PaymentPolicy;
    readonly volumes: AllianceVolumes;
  },
  onProgress?: RunProgress,
): Promise<AllianceRun> {
  const { seed, volumes } = opts;
  const periods = demoPeriods(DEMO_YEARS, volumes.months);
  const share = volumes.months.length / 12;
  const schedulers = new Map<Entity, DefectScheduler>();
  const scheduler = (entity: Entity): DefectScheduler => {
    let s = schedulers.get(entity);
    if (!s) {
      s = new DefectScheduler(seed, entity, ratesFor(entity));
      schedulers.set(entity, s);
    }
    return s;
  };
  const ctx = { seed, outDir: opts.outDir, log: opts.log, scheduler, periods, policy: opts.policy };

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
  const progress = (phase: string): void => onProgress?.({ phase, done, total });
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
  return { runs, periods, files, inpatientCases, outpatientVisits, chargeLines, steps: total };
}
