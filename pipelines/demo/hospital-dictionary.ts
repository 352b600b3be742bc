import { csvField, yuanToPrice } from './csv-format.ts';
import { hospitalDepartments, type LocalDepartment } from './catalog/hospital-departments.ts';
import { STANDARD_ITEMS, type ExecUnit, type StandardItem } from './catalog/charge-items.ts';
import { standardDepartment, type DeptClass } from './catalog/standard-departments.ts';
import type { CodeStyle, HospitalProfile } from './hospitals.ts';
import { hashString } from './prng.ts';

/** A department of one hospital with its standard class resolved. */
export interface HospitalDept extends LocalDepartment {
  readonly deptClass: DeptClass;
}

/** A charge item as one hospital bills it: local code and local price. */
export interface HospitalItem {
  readonly std: StandardItem;
  readonly code: string;
  /** Unit price in 1/10,000 yuan. */
  readonly price: number;
  /** Pre-quoted CSV field of the item name (names may contain commas). */
  readonly nameField: string;
}

const EXEC_STD: Readonly<Record<Exclude<ExecUnit, 'ward'>, readonly string[]>> = {
  lab: ['A30'],
  imaging: ['A32'],
  pathology: ['A31', 'A30'],
  pharmacy: ['B02'],
  theatre: ['B01'],
  anesthesia: ['A26'],
};

/**
 * The master data of one hospital — departments and priced items under its
 * own code styles — and the codes it does not have, from which defects are
 * planted. Everything here is fixed per hospital (independent of the seed) so
 * that dictionaries are stable across runs.
 */
export class HospitalDictionary {
  readonly hospital: HospitalProfile;
  readonly departments: readonly HospitalDept[];
  readonly items: readonly HospitalItem[];
  readonly unknownDeptCodes: readonly string[];
  private readonly byStd = new Map<string, HospitalDept[]>();
  private readonly itemByKey = new Map<string, HospitalItem>();
  private readonly deptCodes: ReadonlySet<string>;
  private readonly itemCodes: ReadonlySet<string>;

  constructor(hospital: HospitalProfile) {
    this.hospital = hospital;
    const local = hospitalDepartments(hospital.code);
    this.departments = local.departments.map((d) => ({
      ...d,
      deptClass: standardDepartment(d.std).deptClass,
    }));
    for (const dept of this.departments) {
      const list = this.byStd.get(dept.std) ?? [];
      list.push(dept);
      this.byStd.set(dept.std, list);
    }
    this.deptCodes = new Set(this.departments.map((d) => d.code));
    this.unknownDeptCodes = local.unknownCodes.filter((c) => !this.deptCodes.has(c));
    const perCategory = new Map<string, number>();
    this.items = STANDARD_ITEMS.map((std) => {
      const seq = (perCategory.get(std.category) ?? 0) + 1;
      perCategory.set(std.category, seq);
      const item: HospitalItem = {
        std,
        code: localItemCode(hospital.codeStyle, std, seq),
        price: localPrice(hospital, std),
        nameField: csvField(std.name),
      };
      this.itemByKey.set(std.key, item);
      return item;
    });
    this.itemCodes = new Set(this.items.map((i) => i.code));
  }

  item(key: string): HospitalItem {
    const found = this.itemByKey.get(key);
    if (!found) throw new RangeError(`item ${key} is not in the demo catalogue`);
    return found;
  }

  hasDept(code: string): boolean {
    return this.deptCodes.has(code);
  }

  hasItem(code: string): boolean {
    return this.itemCodes.has(code);
  }

  /** Local departments mapped to a standard code (possibly several wards). */
  deptsFor(std: string): readonly HospitalDept[] {
    return this.byStd.get(std) ?? [];
  }

  /**
   * The wards that can discharge a case of standard department `std`,
   * falling back to the parent specialty the way a smaller hospital would
   * (cardiology → internal medicine, obstetrics → 妇产科). Empty when the
   * hospital does not treat such cases at all.
   */
  wardsFor(std: string): readonly HospitalDept[] {
    for (const candidate of fallbackChain(std)) {
      const found = this.deptsFor(candidate).filter((d) => d.beds > 0);
      if (found.length > 0) return found;
    }
    return [];
  }

  /** The unit that executes an item ordered by `ward`. */
  execDept(exec: ExecUnit, ward: HospitalDept): HospitalDept {
    if (exec === 'ward') return ward;
    for (const std of EXEC_STD[exec]) {
      const found = this.deptsFor(std)[0];
      if (found) return found;
    }
    return ward;
  }

  /** An item code in this hospital's style that is absent from its dictionary. */
  unknownItemCode(n: number): string {
    const code = unknownItemCode(this.hospital.codeStyle, n);
    if (this.itemCodes.has(code)) throw new Error(`unknown item code ${code} collides with the dictionary`);
    return code;
  }
}

function fallbackChain(std: string): readonly string[] {
  if (std.startsWith('A03.')) return [std, 'A03'];
  if (std.startsWith('A04.')) return [std, 'A04.01', 'A04'];
  if (std.startsWith('A05.')) return [std, 'A05'];
  return [std];
}

function localItemCode(style: CodeStyle, item: StandardItem, seq: number): string {
  const n = seq * 7 + 100;
  switch (style) {
    case 'numeric':
      return `${item.category}${String(n).padStart(6, '0')}`;
    case 'pinyin': {
      const prefix =
        item.category === '09'
          ? 'YP'
          : item.category === '10'
            ? 'ZYP'
            : item.category === '11'
              ? 'ZCY'
              : item.category === '08'
                ? 'CL'
                : 'XM';
      return `${prefix}${String(n + Number(item.category) * 1000).padStart(5, '0')}`;
    }
    default:
      return `${item.category}-${String(n).padStart(4, '0')}`;
  }
}

function unknownItemCode(style: CodeStyle, n: number): string {
  switch (style) {
    case 'numeric':
      return `99${String(100 + (n % 900_000)).padStart(6, '0')}`;
    case 'pinyin':
      return `XM9${String(n % 10_000).padStart(4, '0')}`;
    default:
      return `99-${String(n % 10_000).padStart(4, '0')}`;
  }
}

function localPrice(hospital: HospitalProfile, item: StandardItem): number {
  const cat = item.category;
  if (cat === '09' || cat === '10' || cat === '11') {
    // Drugs are sold at purchase price (零差率); hospitals differ only by tender.
    const jitter = 1 + ((hashString(`${hospital.code}/${item.key}`) % 61) - 30) / 1000;
    const yuan = item.price * (hospital.level === 3 ? 1 : jitter);
    return item.price < 1 ? Math.max(1, Math.round(yuan * 10_000)) : Math.round(yuan * 100) * 100;
  }
  if (item.feeGroup === 'blood') return yuanToPrice(item.price);
  const factor = cat === '08' ? hospital.materialPriceFactor : hospital.servicePriceFactor;
  return Math.round(item.price * factor * 100) * 100;
}
