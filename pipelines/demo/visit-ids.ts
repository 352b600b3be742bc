import { formatDate } from './calendar.ts';
import type { CodeStyle } from './hospitals.ts';

/**
 * Issues encounter and charge-line ids in each hospital's own style, and ids
 * from a reserved range that no real encounter ever receives — those are the
 * visit ids of `orphan_charge` lines and `settlement_without_visit` rows.
 */
export class VisitIds {
  private readonly style: CodeStyle;
  private readonly perDay = new Map<string, number>();
  private inpatientSeq = 0;
  private outpatientSeq = 0;
  private lineSeq = 0;
  private settlementSeq = 0;
  private orphanSeq = 0;

  constructor(style: CodeStyle) {
    this.style = style;
  }

  /** 住院号 for a stay admitted on `admitDay`. */
  inpatient(admitDay: number): string {
    switch (this.style) {
      case 'numeric': {
        const ymd = yymmdd(admitDay);
        const n = this.bump(`I${ymd}`);
        return `ZY${ymd}${String(n).padStart(4, '0')}`;
      }
      case 'pinyin':
        return `ZY${yymmdd(admitDay).slice(0, 2)}${String(++this.inpatientSeq).padStart(6, '0')}`;
      default:
        return String(10_000_000 + ++this.inpatientSeq);
    }
  }

  /** 门诊号 for a visit on `day`. */
  outpatient(day: number): string {
    switch (this.style) {
      case 'numeric': {
        const ymd = yymmdd(day);
        const n = this.bump(`O${ymd}`);
        return `MZ${ymd}${String(n).padStart(5, '0')}`;
      }
      case 'pinyin':
        return `O${String(100_000_000 + ++this.outpatientSeq)}`;
      default:
        return `20${yymmdd(day).slice(0, 2)}${String(++this.outpatientSeq).padStart(8, '0')}`;
    }
  }

  /** An inpatient id in the hospital's style that no stay uses. */
  orphanInpatient(day: number): string {
    const n = ++this.orphanSeq;
    switch (this.style) {
      case 'numeric':
        return `ZY${yymmdd(day)}9${String(n % 1000).padStart(3, '0')}`;
      case 'pinyin':
        return `ZY259${String(n).padStart(5, '0')}`;
      default:
        return String(19_000_000 + n);
    }
  }

  /** An outpatient id in the hospital's style that no visit uses. */
  orphanOutpatient(day: number): string {
    const n = ++this.orphanSeq;
    switch (this.style) {
      case 'numeric':
        return `MZ${yymmdd(day)}9${String(n % 10_000).padStart(4, '0')}`;
      case 'pinyin':
        return `O9${String(n).padStart(8, '0')}`;
      default:
        return `20259${String(n).padStart(7, '0')}`;
    }
  }

  /** 明细流水号, unique within the hospital. */
  line(): string {
    const n = ++this.lineSeq;
    switch (this.style) {
      case 'numeric':
        return String(100_000_000_000 + n);
      case 'pinyin':
        return `CF${String(n).padStart(10, '0')}`;
      default:
        return String(5_000_000_000 + n);
    }
  }

  /** 结算ID for a settlement on `day`. */
  settlement(region: string, day: number): string {
    return `S${region}${yymmdd(day)}${String(++this.settlementSeq).padStart(7, '0')}`;
  }

  private bump(key: string): number {
    const n = (this.perDay.get(key) ?? 0) + 1;
    this.perDay.set(key, n);
    return n;
  }
}

function yymmdd(day: number): string {
  const s = formatDate(day);
  return `${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}`;
}
