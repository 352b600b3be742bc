import type { ChargeCategory, InsuranceClass } from './catalog/charge-items.ts';
import type { HospitalProfile } from './hospitals.ts';
import type { InsuranceType } from './patient-pool.ts';
import type { PaymentTerms } from './payment-policy.ts';
import type { Prng } from './prng.ts';

/** Amounts (cents) of one charge category split by 医保 class. */
export interface CategoryAmounts {
  total: number;
  classA: number;
  classB: number;
  classC: number;
}

/** A fund's share of one settlement. */
export interface FundPayment {
  readonly type: string;
  readonly name: string;
  readonly cents: number;
}

/** The payer's result for one inpatient stay (all amounts in cents). */
export interface SettlementResult {
  readonly medfee: number;
  readonly fundPay: number;
  readonly selfpay: number;
  readonly ownpay: number;
  readonly acctPay: number;
  readonly cashPay: number;
  readonly funds: readonly FundPayment[];
  readonly method: 'DRG' | 'DIP';
  /** DIP 病种 and its 分值 (DIP only). */
  readonly dipCode: string;
  readonly dipScore: number;
  /** Empty when the case could not be grouped (paid per item) or is paid by DIP. */
  readonly drgCode: string;
  readonly drgName: string;
  readonly rw: number;
  readonly baseRate: number;
  readonly levelCoef: number;
  /** Payment standard in cents; 0 when ungrouped. */
  readonly paymentStandard: number;
  readonly refused: number;
  readonly deducted: number;
  /** 拒付原因代码 when part of the claim was refused. */
  readonly refuseReason: string;
}

/** A refusal the payer's review decides: reason code and the refused share of the fund payment. */
export interface Refusal {
  readonly reason: string;
  readonly share: number;
}

/** 拒付原因代码 of the demo payer. */
export const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  R01: '超标准收费',
  R02: '分解住院',
  R03: '高套分组',
  R04: '低标准入院',
  R05: '重复收费',
  R06: '不合理用药',
  R07: '病案首页与结算清单不一致',
};

/** Accumulates a stay's amounts by category and class. */
export function emptyCategories(): Map<ChargeCategory, CategoryAmounts> {
  return new Map();
}

export function addToCategory(
  map: Map<ChargeCategory, CategoryAmounts>,
  category: ChargeCategory,
  cls: InsuranceClass,
  cents: number,
): void {
  let entry = map.get(category);
  if (!entry) {
    entry = { total: 0, classA: 0, classB: 0, classC: 0 };
    map.set(category, entry);
  }
  entry.total += cents;
  if (cls === 'A') entry.classA += cents;
  else if (cls === 'B') entry.classB += cents;
  else entry.classC += cents;
}

const FUND_NAMES: Readonly<Record<string, string>> = {
  '310100': '职工基本医疗保险统筹基金',
  '330100': '职工大额医疗费用补助基金',
  '390100': '城乡居民基本医疗保险基金',
  '390200': '城乡居民大病医疗保险基金',
  '610100': '医疗救助基金',
};

/**
 * Settles an insured stay under a simplified 江苏-style policy: 乙类 items
 * carry a 10% first self-pay, 全自费 items are fully own-paid, the fund pays
 * its ratio above the deductible, large amounts spill into the 大额/大病
 * fund. Identities hold to the cent: medfee = fund + selfpay + ownpay and
 * selfpay + ownpay = acct_pay + cash_pay.
 */
export function settle(
  hospital: HospitalProfile,
  insurance: Exclude<InsuranceType, '999'>,
  terms: PaymentTerms,
  categories: ReadonlyMap<ChargeCategory, CategoryAmounts>,
  refusal: Refusal | undefined,
  rng: Prng,
): SettlementResult {
  let a = 0;
  let b = 0;
  let c = 0;
  for (const e of categories.values()) {
    a += e.classA;
    b += e.classB;
    c += e.classC;
  }
  const medfee = a + b + c;
  const employee = insurance === '310';
  const policy = a + Math.round(b * 0.9);
  const deductible = (employee ? hospital.deductible.employee : hospital.deductible.resident) * 100;
  const ratio = employee ? hospital.fundRatio.employee : hospital.fundRatio.resident;
  const fundPay = Math.max(0, Math.round((policy - deductible) * ratio));
  const funds: FundPayment[] = [];
  const basicCap = employee ? 8_000_000 : 6_000_000;
  const basicType = employee ? '310100' : '390100';
  const topType = employee ? '330100' : '390200';
  if (fundPay > 0) {
    const basic = Math.min(fundPay, basicCap);
    funds.push({ type: basicType, name: FUND_NAMES[basicType] ?? '', cents: basic });
    if (fundPay > basic)
      funds.push({ type: topType, name: FUND_NAMES[topType] ?? '', cents: fundPay - basic });
  }
  let assistance = 0;
  const withinPolicy = medfee - fundPay - c;
  if (!employee && withinPolicy > 0 && rng.chance(0.03)) {
    assistance = Math.round(withinPolicy * 0.3);
    if (assistance > 0) funds.push({ type: '610100', name: FUND_NAMES['610100'] ?? '', cents: assistance });
  }
  const fundTotal = fundPay + assistance;
  const ownpay = c;
  const selfpay = medfee - fundTotal - ownpay;
  const personalPart = selfpay + ownpay;
  const acctPay = employee ? Math.min(personalPart, rng.int(0, 3000) * 100) : 0;
  const cashPay = personalPart - acctPay;

  const dip = terms.method === 'DIP';
  const grouped = dip ? terms.dip !== undefined : !rng.chance(0.005);
  const drg = terms.drg;
  const paymentStandard = grouped ? terms.standard : 0;
  const refused = refusal ? Math.round(fundTotal * refusal.share) : 0;
  const deducted = rng.chance(0.03) ? Math.round(fundTotal * rng.uniform(0.005, 0.05)) : 0;
  return {
    medfee,
    fundPay: fundTotal,
    selfpay,
    ownpay,
    acctPay,
    cashPay,
    funds,
    method: terms.method,
    dipCode: dip && terms.dip ? terms.dip.code : '',
    dipScore: dip && terms.dip ? terms.dipScore : 0,
    drgCode: grouped && !dip ? drg.code : '',
    drgName: grouped && !dip ? drg.name : '',
    rw: grouped && !dip ? terms.rw : 0,
    baseRate: terms.baseRate,
    levelCoef: terms.levelCoef,
    paymentStandard,
    refused,
    deducted,
    refuseReason: refused > 0 ? (refusal?.reason ?? '') : '',
  };
}
