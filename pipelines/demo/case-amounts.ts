import type { ChargeCategory, FeeGroup } from './catalog/charge-items.ts';
import type { ChargeDraft } from './charge-line.ts';
import { addToCategory, type CategoryAmounts } from './settlement.ts';

/**
 * A stay's charges summed the three ways downstream systems report them:
 * total, by 医保 category and class (settlement list) and by front-page fee
 * group (病案首页). All in cents, from the amounts as written to HIS.
 */
export class CaseAmounts {
  total = 0;
  antibacterial = 0;
  readonly categories = new Map<ChargeCategory, CategoryAmounts>();
  readonly feeGroups = new Map<FeeGroup, number>();

  add(line: ChargeDraft, cents: number): void {
    this.total += cents;
    const std = line.item.std;
    addToCategory(this.categories, std.category, std.insuranceClass, cents);
    this.feeGroups.set(std.feeGroup, (this.feeGroups.get(std.feeGroup) ?? 0) + cents);
    if (std.antibiotic) this.antibacterial += cents;
  }

  group(g: FeeGroup): number {
    return this.feeGroups.get(g) ?? 0;
  }
}
