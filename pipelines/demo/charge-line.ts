import type { HospitalDept, HospitalItem } from './hospital-dictionary.ts';

/** A charge as the ward or clinic books it, before ids and defects are applied. */
export interface ChargeDraft {
  readonly item: HospitalItem;
  /** Quantity in hundredths of the item unit. */
  readonly qty: number;
  /** Charge time, seconds since the epoch (wall clock). */
  readonly time: number;
  readonly orderDept: HospitalDept;
  readonly execDept: HospitalDept;
}

const FRACTIONAL_UNITS: ReadonlySet<string> = new Set(['小时', '克', 'ml']);

/**
 * Quantity in hundredths for `amount` units of `item`: hours, grams and
 * millilitres keep two decimals, countable units are whole and at least 1.
 */
export function quantityFor(item: HospitalItem, amount: number): number {
  if (FRACTIONAL_UNITS.has(item.std.unit)) return Math.max(50, Math.round(amount * 4) * 25);
  return Math.max(1, Math.round(amount)) * 100;
}
