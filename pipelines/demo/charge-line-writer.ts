import { formatTimestamp } from './calendar.ts';
import { formatCents, formatPrice, formatQuantity, lineAmountCents } from './csv-format.ts';
import type { ChargeDraft } from './charge-line.ts';
import type { CsvSink } from './csv-sink.ts';
import type { DefectScheduler } from './defect-scheduler.ts';
import type { HospitalDictionary } from './hospital-dictionary.ts';
import type { Prng } from './prng.ts';
import type { VisitIds } from './visit-ids.ts';

/**
 * Writes HIS charge lines and plants the charge-line defects. Each defective
 * row breaks exactly one rule: an `unknown_item` keeps a consistent amount,
 * a `price_spike` recomputes its amount, an `orphan_charge` is an extra
 * otherwise clean line whose visit id is from the reserved range.
 */
export class ChargeLineWriter {
  private readonly sink: CsvSink;
  private readonly dict: HospitalDictionary;
  private readonly ids: VisitIds;
  private readonly defects: DefectScheduler;
  private readonly rng: Prng;
  private unknownItems = 0;

  constructor(sink: CsvSink, dict: HospitalDictionary, ids: VisitIds, defects: DefectScheduler, rng: Prng) {
    this.sink = sink;
    this.dict = dict;
    this.ids = ids;
    this.defects = defects;
    this.rng = rng;
  }

  /**
   * Writes one visit's lines; `onLine` receives every line that belongs to
   * the visit with its amount as written, its line id and its planted defect
   * (duplicates and orphans excluded).
   * Returns the visit total in cents.
   */
  writeVisit(
    visitType: 'I' | 'O',
    visitId: string,
    lines: readonly ChargeDraft[],
    onLine: (line: ChargeDraft, cents: number, lineId: string, defect: string | undefined) => void,
  ): number {
    let total = 0;
    for (const line of lines) {
      const kind = this.defects.take();
      const lineId = this.ids.line();
      let price = line.item.price;
      let amount = lineAmountCents(line.qty, price);
      let itemCode = line.item.code;
      let time = formatTimestamp(line.time);
      let orderDept = line.orderDept.code;
      switch (kind) {
        case 'missing_required':
          time = '';
          break;
        case 'unknown_department':
          orderDept = this.rng.pick(this.dict.unknownDeptCodes);
          break;
        case 'unknown_item':
          itemCode = this.dict.unknownItemCode(++this.unknownItems);
          break;
        case 'amount_mismatch':
          amount = amount >= 100 && this.rng.chance(0.5) ? amount * 10 : amount + this.rng.int(100, 5000);
          break;
        case 'price_spike':
          price = spikedPrice(price, this.rng.uniform(1.3, 2.5));
          amount = lineAmountCents(line.qty, price);
          break;
        default:
          break;
      }
      const text = this.format(lineId, visitType, visitId, time, itemCode, line, price, amount, orderDept);
      const defect = kind === 'duplicate_row' || kind === 'orphan_charge' ? undefined : kind;
      this.sink.write(text, defect, lineId);
      if (kind === 'duplicate_row') this.sink.duplicateLater(text, lineId, this.rng.int(1, 40));
      total += amount;
      onLine(line, amount, lineId, kind);
      if (kind === 'orphan_charge') this.writeOrphan(visitType, line);
    }
    return total;
  }

  private writeOrphan(visitType: 'I' | 'O', line: ChargeDraft): void {
    const day = Math.floor(line.time / 86_400);
    const orphanVisit = visitType === 'I' ? this.ids.orphanInpatient(day) : this.ids.orphanOutpatient(day);
    const lineId = this.ids.line();
    const price = line.item.price;
    const text = this.format(
      lineId,
      visitType,
      orphanVisit,
      formatTimestamp(line.time),
      line.item.code,
      line,
      price,
      lineAmountCents(line.qty, price),
      line.orderDept.code,
    );
    this.sink.write(text, 'orphan_charge', lineId);
  }

  private format(
    lineId: string,
    visitType: string,
    visitId: string,
    time: string,
    itemCode: string,
    line: ChargeDraft,
    price: number,
    amount: number,
    orderDept: string,
  ): string {
    const item = line.item;
    return `${lineId},${visitType},${visitId},${time},${itemCode},${item.nameField},${item.std.category},${formatQuantity(line.qty)},${formatPrice(price)},${formatCents(amount)},${orderDept},${line.execDept.code}`;
  }
}

/** A unit price raised by `factor`, keeping the item's precision and strictly above 1.2×. */
function spikedPrice(price: number, factor: number): number {
  const step = price % 100 === 0 ? 100 : 1;
  let spiked = Math.ceil((price * factor) / step) * step;
  while (spiked * 10 <= price * 12) spiked += step;
  return spiked;
}
