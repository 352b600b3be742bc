import type { Season } from './catalog/drg-groups.ts';
import { isHoliday, weekday } from './calendar.ts';

/** Monthly multipliers, January first. */
type Monthly = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

const SEASONS: Readonly<Record<Season, Monthly>> = {
  // Winter respiratory peak (influenza, RSV, COPD exacerbations).
  respiratory: [1.55, 1.35, 1.1, 0.9, 0.75, 0.65, 0.65, 0.65, 0.75, 0.95, 1.25, 1.5],
  // Cold-season cardiovascular and cerebrovascular events, winter falls.
  winter: [1.2, 1.1, 1.05, 0.95, 0.9, 0.88, 0.88, 0.9, 0.95, 1.0, 1.08, 1.15],
  // Elective surgery pauses around Spring Festival (Feb) and National Day (Oct).
  elective: [1.0, 0.55, 1.1, 1.08, 1.05, 1.05, 1.1, 1.1, 1.05, 0.85, 1.05, 1.02],
  flat: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
};

/** Overall discharge volume by month (fewer working days in Feb and Oct). */
const DISCHARGES: Monthly = [1.02, 0.84, 1.03, 1.0, 1.0, 0.98, 1.03, 1.03, 0.98, 0.93, 1.02, 1.06];

/** Overall outpatient volume by month. */
const OUTPATIENT: Monthly = [1.08, 0.82, 1.02, 0.99, 0.97, 0.96, 1.0, 1.02, 0.98, 0.92, 1.04, 1.1];

export function seasonFactor(season: Season, month: number): number {
  return SEASONS[season][month - 1] ?? 1;
}

export function dischargeFactor(month: number): number {
  return DISCHARGES[month - 1] ?? 1;
}

export function outpatientFactor(month: number): number {
  return OUTPATIENT[month - 1] ?? 1;
}

/** Relative volume of discharges on a calendar day. */
export function dischargeDayWeight(day: number): number {
  if (isHoliday(day)) return 0.45;
  const wd = weekday(day);
  return wd === 0 ? 0.55 : wd === 6 ? 0.75 : 1;
}

/** Relative volume of outpatient visits on a calendar day. */
export function outpatientDayWeight(day: number): number {
  if (isHoliday(day)) return 0.3;
  const wd = weekday(day);
  return wd === 0 ? 0.45 : wd === 6 ? 0.65 : 1;
}

/**
 * Splits `total` over buckets in proportion to `weights` with the largest
 * remainder method, so yearly totals are exact and deterministic.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const out = raw.map((r) => Math.floor(r));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => ({ i, frac: r - Math.floor(r) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  return out;
}
