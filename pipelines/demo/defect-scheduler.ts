import { Prng } from './prng.ts';

/** A defect kind and the share of eligible rows that should carry it. */
export interface DefectRate {
  readonly kind: string;
  readonly rate: number;
}

/**
 * Decides which rows of one entity (say every `his/charge_lines` file of the
 * alliance) carry which defect. Instead of an independent coin per row it
 * spaces defects by jittered gaps of about 1/rate rows, so even the small
 * demo gets every kind a predictable number of times, and no row ever gets
 * two kinds: a kind that falls due on a busy row waits for the next one.
 */
export class DefectScheduler {
  private readonly rates: readonly DefectRate[];
  private readonly next: number[];
  private readonly rng: Prng;
  private row = 0;

  constructor(seed: number, entity: string, rates: readonly DefectRate[]) {
    this.rates = rates;
    this.rng = Prng.derive(seed, `defects/${entity}`);
    this.next = rates.map((r) => this.gap(r.rate) * this.rng.uniform(0.15, 1));
  }

  /**
   * Advances by one row and returns the defect kind for it, or undefined for
   * a clean row. `allowed` narrows the kinds this particular row can carry;
   * kinds that are due but not allowed stay due.
   */
  take(allowed?: (kind: string) => boolean): string | undefined {
    this.row++;
    for (let i = 0; i < this.rates.length; i++) {
      const due = this.next[i] ?? Infinity;
      if (this.row < due) continue;
      const rate = this.rates[i];
      if (!rate) continue;
      if (allowed && !allowed(rate.kind)) continue;
      this.next[i] = this.row + this.gap(rate.rate);
      return rate.kind;
    }
    return undefined;
  }

  private gap(rate: number): number {
    return Math.max(1, Math.round(this.rng.uniform(0.5, 1.5) / rate));
  }
}
