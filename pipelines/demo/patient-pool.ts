import { ageInYears, dayNumber } from './calendar.ts';
import type { CodeStyle } from './hospitals.ts';
import type { Prng } from './prng.ts';

/** 险种: 310 职工基本医疗保险, 390 城乡居民基本医疗保险, 999 自费. */
export type InsuranceType = '310' | '390' | '999';

/** A patient as the HIS master patient index knows them. */
export interface Patient {
  readonly index: number;
  readonly id: string;
  readonly gender: 1 | 2;
  readonly birthDay: number;
  readonly insurance: InsuranceType;
  /** 医保人员编号 (empty for self-pay). */
  readonly psnNo: string;
  /** 病案号, one per patient. */
  readonly medcasno: string;
}

/** Constraints a case or visit puts on its patient. */
export interface PatientFilter {
  readonly sex?: 1 | 2;
  readonly ageMin: number;
  readonly ageMax: number;
}

const REFERENCE_DAY = dayNumber(2025, 7, 1);

/**
 * A hospital's patients, held as typed arrays so the full demo (hundreds of
 * thousands of patients) stays small. Patients recur: outpatient visits and
 * admissions draw from the same pool, so one patient can have several visits.
 */
export class PatientPool {
  private readonly style: CodeStyle;
  private readonly region: string;
  private readonly gender: Uint8Array;
  private readonly birth: Int32Array;
  private readonly insurance: Uint8Array;
  private readonly cache = new Map<number, Patient>();

  constructor(style: CodeStyle, region: string, size: number, rng: Prng) {
    this.style = style;
    this.region = region;
    this.gender = new Uint8Array(size);
    this.birth = new Int32Array(size);
    this.insurance = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      this.gender[i] = rng.chance(0.49) ? 1 : 2;
      const band = rng.float();
      const age = band < 0.16 ? rng.int(0, 14) : band < 0.62 ? rng.int(15, 59) : rng.int(60, 95);
      this.birth[i] = REFERENCE_DAY - age * 365 - rng.int(0, 364);
      const ins = rng.float();
      // Children and most rural residents are in the resident scheme.
      this.insurance[i] = age < 18 ? (ins < 0.93 ? 1 : 2) : ins < 0.46 ? 0 : ins < 0.91 ? 1 : 2;
    }
  }

  get size(): number {
    return this.gender.length;
  }

  /** Patient by pool index (materialised lazily). */
  patient(index: number): Patient {
    let p = this.cache.get(index);
    if (p) return p;
    const gender = this.gender[index] === 1 ? 1 : 2;
    const insurance: InsuranceType =
      this.insurance[index] === 0 ? '310' : this.insurance[index] === 1 ? '390' : '999';
    p = {
      index,
      id: patientId(this.style, index),
      gender,
      birthDay: this.birth[index] ?? REFERENCE_DAY,
      insurance,
      psnNo: insurance === '999' ? '' : `${this.region}${String(index + 1).padStart(20, '0')}`,
      medcasno: medcasno(this.style, index),
    };
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(index, p);
    return p;
  }

  /**
   * Draws a patient meeting `filter` at `onDay`. Rejection sampling over the
   * pool; after many misses it scans forward so it always terminates.
   */
  draw(rng: Prng, filter: PatientFilter, onDay: number): Patient {
    const n = this.size;
    let index = rng.int(0, n - 1);
    for (let attempt = 0; attempt < 400; attempt++) {
      if (this.fits(index, filter, onDay)) return this.patient(index);
      index = rng.int(0, n - 1);
    }
    for (let k = 0; k < n; k++) {
      const i = (index + k) % n;
      if (this.fits(i, filter, onDay)) return this.patient(i);
    }
    throw new Error(`no patient fits ${JSON.stringify(filter)}`);
  }

  private fits(index: number, filter: PatientFilter, onDay: number): boolean {
    if (filter.sex !== undefined && this.gender[index] !== filter.sex) return false;
    const birth = this.birth[index] ?? 0;
    if (birth > onDay) return false;
    const age = ageInYears(birth, onDay);
    return age >= filter.ageMin && age <= filter.ageMax;
  }
}

function patientId(style: CodeStyle, index: number): string {
  switch (style) {
    case 'numeric':
      return String(1_000_000_000 + index * 3 + 7);
    case 'pinyin':
      return `BR${String(index + 1).padStart(8, '0')}`;
    default:
      return String(20_000_000 + index + 1);
  }
}

function medcasno(style: CodeStyle, index: number): string {
  switch (style) {
    case 'numeric':
      return String(300_000 + index);
    case 'pinyin':
      return `BA${String(index + 1).padStart(7, '0')}`;
    default:
      return String(index + 1).padStart(8, '0');
  }
}
