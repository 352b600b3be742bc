import { DRG_GROUPS, type DrgGroup } from './catalog/drg-groups.ts';
import type { HospitalLevel, HospitalProfile } from './hospitals.ts';
import type { InsuranceType } from './patient-pool.ts';
import { hashString } from './prng.ts';

/** Level coefficient (级别系数) of the city's DRG by hospital level. */
export const DRG_LEVEL_COEF: Readonly<Record<HospitalLevel, number>> = { 3: 1.0, 2: 0.82, 1: 0.66 };

/** DIP level coefficient of the county by hospital level. */
export const DIP_LEVEL_COEF: Readonly<Record<HospitalLevel, number>> = { 3: 1.0, 2: 1.0, 1: 0.8 };

/**
 * The city's 费率 (yuan per RW) as a multiple of the calibration sample's mean cost per stay, by
 * insurance type: a stay of RW 1 at a 三级 hospital is paid 1.2 (职工) or 1.1 (居民) times the
 * region's mean cost.
 */
export const DRG_BASE_RATE_FACTOR: Readonly<Record<'310' | '390', number>> = { '310': 1.2, '390': 1.1 };

/** The county's provisional DIP 点值 as a multiple of the calibration mean cost per 分 (分值 × 100 scale). */
export const DIP_POINT_VALUE_FACTOR = 1.05;

/** 高倍率 threshold (times the payment standard) by RW band; 低倍率 is 0.4 for all groups. */
export function highOutlierRatio(rw: number): number {
  return rw <= 1 ? 3 : rw <= 2 ? 2.5 : 2;
}

export const LOW_OUTLIER_RATIO = 0.4;

/** Groups the city pays by item rather than by group (单议病组). */
export const SINGLE_REVIEW: ReadonlySet<string> = new Set(['BB21', 'FK39']);

/** One DIP 病种 of the county catalogue (its 分值 is per year: see {@link PaymentPolicy.dipScore}). */
export interface DipDisease {
  readonly code: string;
  readonly name: string;
  readonly diag: string;
  readonly oprn: string;
  /** The DRG group whose stays the 病种 comes from (scores the 病种 when the sample has none of it). */
  readonly drg: DrgGroup;
}

const dipKey = (diag: string, oprn: string): string => `${diag}|${oprn}`;

/**
 * The county's DIP 病种 catalogue: one 病种 per main diagnosis and main procedure (or 保守治疗)
 * the demo's groups produce. Keyed by 病种 code and main diagnosis (two diagnoses of one ICD
 * category share a 病种 code).
 */
export const DIP_CATALOGUE: readonly DipDisease[] = (() => {
  const out = new Map<string, DipDisease>();
  for (const g of DRG_GROUPS) {
    for (const diag of g.diagnoses) {
      const options = g.procedures.length > 0 ? [g.procedures[0] ?? '', ''] : [''];
      for (const oprn of options) {
        const key = dipKey(diag, oprn);
        if (out.has(key)) continue;
        out.set(key, {
          code: `${diag.slice(0, 5)}${oprn ? `:${oprn.slice(0, 5)}` : ':00.00'}`,
          name: `${g.name.split('，')[0]}${oprn ? '（手术操作）' : '（保守治疗）'}`,
          diag,
          oprn,
          drg: g,
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
  /** The 病种's 分值 (0 when not DIP or no 病种). */
  readonly dipScore: number;
  /** Payment standard, cents. */
  readonly standard: number;
}

/** One stay of a payer's calibration sample: its group, 病种 and cost (cents). */
export interface CalibrationStay {
  readonly year: number;
  /** The group the stay was coded into (what the payer's data shows). */
  readonly drg: DrgGroup;
  readonly mainDiag: string;
  readonly mainOprn: string;
  /** Paid by the city's DRG (city and 响水 members); the others are the county's. */
  readonly cityDrg: boolean;
  readonly cost: number;
}

interface YearPolicy {
  readonly rw: ReadonlyMap<string, number>;
  readonly baseRate: Readonly<Record<'310' | '390', number>>;
  readonly dipScore: ReadonlyMap<DipDisease, number>;
  readonly pointValue: number;
  /** Mean cost per stay of the year's sample, yuan (what RW 1 and 分值 100 stand for). */
  readonly meanCost: number;
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

/**
 * The payers' policy as published for each year, computed the way a 医保局 computes it from its
 * region's data — here from a calibration sample of stays (see `calibration.ts`):
 *
 * - city DRG: RW of a group = the group's mean cost / the mean cost of all the city's sample
 *   stays (4 decimals); groups without sample stays keep their catalogue design weight scaled
 *   to the sample (Σ n·RW / Σ n·design weight over the groups it has); 费率 = mean cost ×
 *   {@link DRG_BASE_RATE_FACTOR} (2 decimals);
 * - county DIP: 分值 of a 病种 = its mean cost / the mean cost of all sample stays × 100 (2
 *   decimals); a 病种 without sample stays is scored from its group's mean (×0.45 for the
 *   保守治疗 variant of a surgical group); provisional 点值 = mean cost / 100 ×
 *   {@link DIP_POINT_VALUE_FACTOR}.
 */
export class PaymentPolicy {
  private readonly years = new Map<number, YearPolicy>();

  constructor(stays: readonly CalibrationStay[], years: readonly number[]) {
    for (const year of years) this.years.set(year, calibrateYear(stays.filter((s) => s.year === year)));
  }

  private year(year: number): YearPolicy {
    const y = this.years.get(year) ?? [...this.years.values()].at(-1);
    if (!y) throw new RangeError(`no payment policy for ${year}`);
    return y;
  }

  /** RW of a group in a year, as the city publishes it. */
  rw(drg: DrgGroup, year: number): number {
    return this.year(year).rw.get(drg.code) ?? 0;
  }

  /** 费率 (yuan per RW) of the city by year and insurance type, before the level coefficient. */
  baseRate(year: number, insurance: '310' | '390'): number {
    return this.year(year).baseRate[insurance];
  }

  /** 分值 of a 病种 in a year. */
  dipScore(dip: DipDisease, year: number): number {
    return this.year(year).dipScore.get(dip) ?? 0;
  }

  /** Provisional DIP 点值 (yuan per 分) announced for the year; the budget file gives the final one. */
  pointValue(year: number): number {
    return this.year(year).pointValue;
  }

  /** Mean cost per stay of the year's calibration sample, yuan. */
  meanCost(year: number): number {
    return this.year(year).meanCost;
  }

  /** The payment terms of a stay coded into `drg` at `hospital` in `year`. */
  terms(
    hospital: HospitalProfile,
    insurance: InsuranceType,
    drg: DrgGroup,
    year: number,
    mainDiag: string,
    mainOprn: string | undefined,
  ): PaymentTerms {
    const rw = this.rw(drg, year);
    if (hospital.payer.scheme === 'DIP') {
      const dip = dipFor(mainDiag, mainOprn);
      const score = dip ? this.dipScore(dip, year) : 0;
      const point = this.pointValue(year);
      const coef = DIP_LEVEL_COEF[hospital.level];
      return {
        method: 'DIP',
        drg,
        rw,
        baseRate: point,
        levelCoef: coef,
        ...(dip ? { dip } : {}),
        dipScore: score,
        standard: Math.round(score * point * coef * 100),
      };
    }
    const baseRate = this.baseRate(year, insurance === '310' ? '310' : '390');
    const levelCoef = DRG_LEVEL_COEF[hospital.level];
    return {
      method: 'DRG',
      drg,
      rw,
      baseRate,
      levelCoef,
      dipScore: 0,
      standard: Math.round(rw * baseRate * levelCoef * 100),
    };
  }
}

/**
 * A provisional policy from the catalogue's design weights (a mean stay of 6,000 yuan): what the
 * calibration run itself is paid by. Nothing it produces is published.
 */
export function provisionalPolicy(years: readonly number[]): PaymentPolicy {
  const stays: CalibrationStay[] = [];
  for (const year of years)
    for (const drg of DRG_GROUPS)
      stays.push({
        year,
        drg,
        mainDiag: drg.diagnoses[0] ?? '',
        mainOprn: drg.procedures[0] ?? '',
        cityDrg: true,
        cost: Math.round(drg.rw * 600_000),
      });
  return new PaymentPolicy(stays, years);
}

function calibrateYear(stays: readonly CalibrationStay[]): YearPolicy {
  const mean = (xs: { n: number; cost: number }): number => (xs.n > 0 ? xs.cost / xs.n : 0);
  const add = <K>(m: Map<K, { n: number; cost: number }>, k: K, cost: number): void => {
    const e = m.get(k) ?? { n: 0, cost: 0 };
    e.n++;
    e.cost += cost;
    m.set(k, e);
  };

  // City DRG: the city's own stays.
  const city = { n: 0, cost: 0 };
  const byGroup = new Map<string, { n: number; cost: number }>();
  for (const s of stays) {
    if (!s.cityDrg) continue;
    city.n++;
    city.cost += s.cost;
    add(byGroup, s.drg.code, s.cost);
  }
  const cityMean = mean(city) || 1;
  const rw = new Map<string, number>();
  let weighted = 0;
  let design = 0;
  for (const g of DRG_GROUPS) {
    const e = byGroup.get(g.code);
    if (!e) continue;
    const w = round(mean(e) / cityMean, 4);
    rw.set(g.code, w);
    weighted += e.n * w;
    design += e.n * g.rw;
  }
  const scale = design > 0 ? weighted / design : 1;
  for (const g of DRG_GROUPS) if (!rw.has(g.code)) rw.set(g.code, round(g.rw * scale, 4));

  // County DIP: every sample stay of the region, by 病种.
  const all = { n: 0, cost: 0 };
  const byDip = new Map<DipDisease, { n: number; cost: number }>();
  const byDrg = new Map<string, { n: number; cost: number }>();
  for (const s of stays) {
    all.n++;
    all.cost += s.cost;
    add(byDrg, s.drg.code, s.cost);
    const d = dipFor(s.mainDiag, s.mainOprn);
    if (d) add(byDip, d, s.cost);
  }
  const allMean = mean(all) || 1;
  const dipScore = new Map<DipDisease, number>();
  for (const d of DIP_CATALOGUE) {
    const e = byDip.get(d);
    const groupMean = mean(byDrg.get(d.drg.code) ?? { n: 0, cost: 0 }) || d.drg.rw * allMean;
    const basis = e ? mean(e) : groupMean * (d.oprn || d.drg.kind === 'medical' ? 1 : 0.45);
    dipScore.set(d, Math.max(1, round((basis / allMean) * 100, 2)));
  }

  const meanYuan = cityMean / 100;
  return {
    rw,
    baseRate: {
      '310': round(meanYuan * DRG_BASE_RATE_FACTOR['310'], 2),
      '390': round(meanYuan * DRG_BASE_RATE_FACTOR['390'], 2),
    },
    dipScore,
    pointValue: round((allMean / 100 / 100) * DIP_POINT_VALUE_FACTOR, 2),
    meanCost: meanYuan,
  };
}

/** The county's final 点值 for a year: the provisional one moved by the year's settlement (−3 % to +1 %). */
export function finalPointValue(provisional: number, year: number): number {
  return round(provisional * (0.97 + (hashString(`dip/${year}`) % 41) / 1000), 2);
}
