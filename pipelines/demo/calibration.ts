import { runAlliance, type AllianceVolumes } from './alliance-run.ts';
import { DISCARD_ROOT } from './csv-sink.ts';
import { DefectLog } from './defect-log.ts';
import { caseCosts } from './ground-truth.ts';
import { PaymentPolicy, provisionalPolicy } from './payment-policy.ts';
import { hashString } from './prng.ts';

/**
 * The payers' calibration sample: each year of the whole alliance at about a twentieth of the full
 * demo's stays (every month, so seasons weigh as in the data), the same for every demo size.
 */
export const CALIBRATION_VOLUMES: AllianceVolumes = {
  inpatient: 4_000,
  outpatient: 17_000,
  months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
};

/**
 * What the payers publish for each year, computed as a 医保局 computes it from its region's data:
 * from a calibration sample of the region's stays. The sample is the alliance itself, generated
 * with a seed of its own (`seed` mixed with "calibration") at {@link CALIBRATION_VOLUMES}, its
 * files discarded as they are written, and each sample stay is costed as the ground truth
 * costs the demo's stays (clean charges × its hospital-month's cost/revenue, `caseCosts`). So
 * the published RW, 费率, DIP 分值 and 点值 follow the generator's own cost, while the demo's
 * stays scatter around them as a real year scatters around the calibration (see
 * {@link PaymentPolicy} for the formulas).
 */
export function calibratePolicy(seed: number, years: readonly number[]): Promise<PaymentPolicy> {
  const key = `${seed}/${years.join(',')}`;
  let policy = calibrated.get(key);
  if (!policy) {
    policy = calibrate(seed, years);
    calibrated.set(key, policy);
  }
  return policy;
}

/** Policies already calibrated in this process, by seed and years (a test generates twice). */
const calibrated = new Map<string, Promise<PaymentPolicy>>();

async function calibrate(seed: number, years: readonly number[]): Promise<PaymentPolicy> {
  const sample = await runAlliance({
    seed: (seed ^ hashString('calibration')) >>> 0,
    outDir: DISCARD_ROOT,
    log: new DefectLog(),
    policy: provisionalPolicy(years),
    volumes: CALIBRATION_VOLUMES,
  });
  const costOf = caseCosts(sample.runs);
  const stays = sample.runs.flatMap((r) =>
    r.cases.map((c) => ({
      year: c.year,
      drg: c.coded.drg,
      mainDiag: c.mainDiag,
      mainOprn: c.mainOprn,
      cityDrg: c.hospital.payer.scheme === 'DRG',
      cost: costOf(c),
    })),
  );
  return new PaymentPolicy(stays, years);
}
