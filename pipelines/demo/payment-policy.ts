import { DRG_GROUPS, type DrgGroup } from './catalog/drg-groups.ts';
import type { HospitalLevel, HospitalProfile } from './hospitals.ts';
import type { InsuranceType } from './patient-pool.ts';
import { hashString } from './prng.ts';

/** DRG base rate (yuan per RW) by year and insurance type, before the level coefficient. */
export const DRG_BASE_RATES: Readonly<Record<number, Readonly<Record<'310' | '390', number>>>> = {
  2024: { '310': 10_600, '390': 9_800 },
  2025: { '310': 10_900, '390': 10_000 },
};

/** Level coefficient (级别系数) of the city's DRG by hospital level. */
export const DRG_LEVEL_COEF: Readonly<Record<HospitalLevel, number>> = { 3: 1.0, 2: 0.82, 1: 0.66 };

/** DIP level coefficient of the county by hospital level. */
export const DIP_LEVEL_COEF: Readonly<Record<HospitalLevel, number>> = { 3: 1.0, 2: 1.0, 1: 0.8 };

/** Provisional DIP 点值 (yuan per 分) announced for the year; the budget file gives the final one. */
export const DIP_POINT_VALUE: Readonly<Record<number, number>> = { 2024: 86, 2025: 88 };

/**
 * RW of a group in a year: the catalogue's RW (calibrated on the demo's generated cost per
 * group) for 2024, recalibrated by a few percent for 2025 as a payer does each year.
 */
export function drgWeight(drg: DrgGroup, year: number): number {
  if (year < 2025) return drg.rw;
  const drift = ((hashString(`rw/${drg.code}`) % 81) - 40) / 1000;
  return Math.round(drg.rw * (1 + drift) * 10_000) / 10_000;
}

/** 高倍率 threshold (times the payment standard) by RW band; 低倍率 is 0.4 for all groups. */
export function highOutlierRatio(rw: number): number {
  return rw <= 1 ? 3 : rw <= 2 ? 2.5 : 2;
}

export const LOW_OUTLIER_RATIO = 0.4;

/** Groups the city pays by item rather than by group (单议病组). */
export const SINGLE_REVIEW: ReadonlySet<string> = new Set(['BB21', 'FK39']);

/** One DIP 病种 of the county catalogue. */
export interface DipDisease {
  readonly code: string;
  readonly name: string;
  readonly diag: string;
  readonly oprn: string;
  readonly score: number;
}

const dipKey = (diag: string, oprn: string): string => `${diag}|${oprn}`;

/**
 * The county's DIP catalogue: one 病种 per main diagnosis and main procedure (or 保守治疗) the
 * demo's groups produce, scored from the group's RW (分值 ≈ RW × 100, rounded, with the
 * county's own adjustments).
 */
export const DIP_CATALOGUE: readonly DipDisease[] = (() => {
  const out = new Map<string, DipDisease>();
  for (const g of DRG_GROUPS) {
    for (const diag of g.diagnoses) {
      const options = g.procedures.length > 0 ? [g.procedures[0] ?? '', ''] : [''];
      for (const oprn of options) {
        const key = dipKey(diag, oprn);
        if (out.has(key)) continue;
        const adj = 1 + ((hashString(`dip/${key}`) % 121) - 60) / 1000;
        const base = oprn ? g.rw : g.kind === 'medical' ? g.rw : g.rw * 0.45;
        out.set(key, {
          code: `${diag.slice(0, 5)}${oprn ? `:${oprn.slice(0, 5)}` : ':00.00'}`,
          name: `${g.name.split('，')[0]}${oprn ? '（手术操作）' : '（保守治疗）'}`,
          diag,
          oprn,
          score: Math.max(5, Math.round(base * 100 * adj)),
        });
      }
    }
  }
  return [...out.values()];
})();

const DIP_BY_KEY = new Map(DIP_CATALOGUE.map((d) => [dipKey(d.diag, d.oprn), d]));

/** The DIP 病种 of a stay from its main diagnosis and main procedure. */
export function dipFor(mainDiag: string, mainOprn: string | undefined): DipDisease | undefined {
  return DIP_BY_KEY.get(dipKey(mainDiag, mainOprn ?? '')) ?? DIP_BY_KEY.get(dipKey(mainDiag, ''));
}

/** What the payer will pay a stay by: the coded DRG or DIP 病种, and its standard. */
export interface PaymentTerms {
  readonly method: 'DRG' | 'DIP';
  readonly drg: DrgGroup;
  readonly rw: number;
  readonly baseRate: number;
  readonly levelCoef: number;
  readonly dip?: DipDisease;
  /** Payment standard, cents. */
  readonly standard: number;
}

/** The payment terms of a stay coded into `drg` at `hospital` in `year`. */
export function paymentTerms(
  hospital: HospitalProfile,
  insurance: InsuranceType,
  drg: DrgGroup,
  year: number,
  mainDiag: string,
  mainOprn: string | undefined,
): PaymentTerms {
  const rw = drgWeight(drg, year);
  const ins = insurance === '310' ? '310' : '390';
  if (hospital.payer.scheme === 'DIP') {
    const dip = dipFor(mainDiag, mainOprn);
    const point = DIP_POINT_VALUE[year] ?? 88;
    const coef = DIP_LEVEL_COEF[hospital.level];
    return {
      method: 'DIP',
      drg,
      rw,
      baseRate: point,
      levelCoef: coef,
      ...(dip ? { dip } : {}),
      standard: Math.round((dip?.score ?? 0) * point * coef * 100),
    };
  }
  const baseRate = DRG_BASE_RATES[year]?.[ins] ?? 10_000;
  const levelCoef = DRG_LEVEL_COEF[hospital.level];
  return {
    method: 'DRG',
    drg,
    rw,
    baseRate,
    levelCoef,
    standard: Math.round(rw * baseRate * levelCoef * 100),
  };
}
