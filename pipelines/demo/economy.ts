import type { Period } from './calendar.ts';
import { dayNumber } from './calendar.ts';
import type { HospitalDept, HospitalDictionary, HospitalItem } from './hospital-dictionary.ts';
import type { HospitalLevel, HospitalProfile } from './hospitals.ts';
import type { MonthTally } from './month-tally.ts';
import { hashString } from './prng.ts';

/** The seven cost items of 公立医院成本核算规范. */
export const COST_ITEMS: readonly (readonly [code: string, name: string])[] = [
  ['01', '人员经费'],
  ['02', '卫生材料费'],
  ['03', '药品费'],
  ['04', '固定资产折旧费'],
  ['05', '无形资产摊销费'],
  ['06', '提取医疗风险基金'],
  ['07', '其他运行费用'],
];

/** Sub-items of the ledger: code, name, cost item. */
export const COST_SUBITEMS: readonly (readonly [code: string, name: string, item: string])[] = [
  ['0101', '医生薪酬', '01'],
  ['0102', '护士薪酬', '01'],
  ['0103', '医技药技人员薪酬', '01'],
  ['0104', '行政后勤人员薪酬', '01'],
  ['0201', '可单独收费卫生材料', '02'],
  ['0202', '不可单独收费卫生材料', '02'],
  ['0203', '检验试剂', '02'],
  ['0204', '放射胶片及造影材料', '02'],
  ['0301', '西药', '03'],
  ['0302', '中成药', '03'],
  ['0303', '中药饮片', '03'],
  ['0401', '房屋及建筑物折旧', '04'],
  ['0402', '专用及通用设备折旧', '04'],
  ['0501', '软件摊销', '05'],
  ['0601', '医疗风险基金', '06'],
  ['0701', '水电能耗', '07'],
  ['0702', '膳食与洗涤外包', '07'],
  ['0703', '设备维修维护', '07'],
  ['0704', '办公及其他运行费用', '07'],
];

const SUB_INDEX = new Map(COST_SUBITEMS.map(([code], i) => [code, i]));

/** Staff classes with their ERP codes. */
export const STAFF_CLASSES = [
  ['DOC', '医生', 'doctor'],
  ['NUR', '护士', 'nurse'],
  ['TEC', '医技药技人员', 'technician'],
  ['ADM', '行政后勤人员', 'other'],
] as const;

/** Full-time equivalents of a department by staff class. */
export interface Staff {
  readonly doctors: number;
  readonly nurses: number;
  readonly technicians: number;
  readonly admin: number;
}

/** What the hospital expects to do in a year, by department: what resources are sized to. */
export interface PlannedYear {
  readonly year: number;
  /** Occupied bed-days per ward. */
  readonly bedDays: ReadonlyMap<string, number>;
  /** Outpatient visits per clinic. */
  readonly visits: ReadonlyMap<string, number>;
  readonly surgeries: number;
  readonly discharges: number;
}

/** A department's resources in one year. */
export interface DeptResources {
  readonly dept: HospitalDept;
  readonly staff: Staff;
  readonly beds: number;
  /** Beds the workload needs, unrounded: what ward equipment is sized to. */
  readonly capacity: number;
  readonly m2: number;
  readonly building: string;
}

/** A fixed-asset card: buildings, equipment, software. */
export interface Asset {
  readonly id: string;
  readonly dept: HospitalDept;
  readonly cls: '房屋及建筑物' | '专用设备' | '通用设备' | '无形资产';
  readonly name: string;
  /** Original value, cents. */
  readonly value: number;
  readonly lifeMonths: number;
  readonly inService: string;
  /** Monthly depreciation, cents. */
  readonly monthly: number;
}

/** One cost line: department × sub-item, cents. */
export interface CostCell {
  readonly dept: HospitalDept;
  readonly subitem: string;
  readonly cents: number;
}

interface Norms {
  readonly doctorsPerBed: number;
  readonly nursesPerBed: number;
  readonly visitsPerDoctor: number;
  readonly visitsPerNurse: number;
  readonly occupancy: number;
  readonly buildCost: number;
  readonly equipPerBed: number;
  readonly imagingPerFte: number;
  readonly labPerFte: number;
  readonly unbilledPerBedDay: number;
}

// Staffing and capacity norms per level (yuan where money). Calibrated so that, with the
// generated workload and the level's prices, personnel lands near a third of cost.
const NORMS: Readonly<Record<HospitalLevel, Norms>> = {
  3: {
    doctorsPerBed: 0.16,
    nursesPerBed: 0.31,
    visitsPerDoctor: 9000,
    visitsPerNurse: 22000,
    occupancy: 0.9,
    buildCost: 3500,
    equipPerBed: 80_000,
    imagingPerFte: 90_000,
    labPerFte: 28_000,
    unbilledPerBedDay: 26,
  },
  2: {
    doctorsPerBed: 0.14,
    nursesPerBed: 0.285,
    visitsPerDoctor: 9500,
    visitsPerNurse: 24000,
    occupancy: 0.86,
    buildCost: 2300,
    equipPerBed: 43_000,
    imagingPerFte: 65_000,
    labPerFte: 21_000,
    unbilledPerBedDay: 18,
  },
  1: {
    doctorsPerBed: 0.16,
    nursesPerBed: 0.28,
    visitsPerDoctor: 7400,
    visitsPerNurse: 18000,
    occupancy: 0.78,
    buildCost: 2800,
    equipPerBed: 35_000,
    imagingPerFte: 39_000,
    labPerFte: 13_000,
    unbilledPerBedDay: 11,
  },
};

const REAGENT_YUAN: Readonly<Record<string, number>> = {
  'LAB-HEM': 5,
  'LAB-BIO': 12,
  'LAB-IMM': 20,
  'LAB-MIC': 26,
  PATH: 70,
};
const FILM_YUAN: Readonly<Record<string, number>> = { 'RIS-DR': 8, 'RIS-CT': 28, 'RIS-MR': 42, 'RIS-US': 2 };

const ONCOST = 0.32;
const ZERO: Staff = { doctors: 0, nurses: 0, technicians: 0, admin: 0 };
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * A hospital's economy by construction: resources (staff by class, beds, floor area, fixed
 * assets) are sized to the workload it plans for each year, and each month's cost comes from
 * those resources and from what was used (drugs and billed materials at purchase price, reagents
 * per test, films per exam, unbilled materials per bed-day and operation) — never from revenue,
 * except the 医疗风险基金 the regulation sets as a share of medical revenue.
 */
export class HospitalEconomy {
  readonly hospital: HospitalProfile;
  readonly dict: HospitalDictionary;
  readonly assets: Asset[] = [];
  private readonly years = new Map<number, Map<string, DeptResources>>();

  constructor(hospital: HospitalProfile, dict: HospitalDictionary, plans: readonly PlannedYear[]) {
    this.hospital = hospital;
    this.dict = dict;
    for (const plan of plans) this.years.set(plan.year, this.size(plan));
    this.buildAssets(plans);
  }

  /** Resources of a year (the last planned year for later ones). */
  resources(year: number): ReadonlyMap<string, DeptResources> {
    const found = this.years.get(year) ?? [...this.years.values()].at(-1);
    if (!found) throw new RangeError(`no plan for ${year}`);
    return found;
  }

  /** Monthly pay per head (yuan) of a staff class in a year: 2025 pays 3 % more than 2024. */
  pay(year: number, cls: 'doctor' | 'nurse' | 'technician' | 'other'): number {
    return Math.round(this.hospital.monthlySalary[cls] * (year >= 2025 ? 1.03 : 1));
  }

  /** On-cost rate (social insurance, housing fund) on pay. */
  readonly oncost = ONCOST;

  private size(plan: PlannedYear): Map<string, DeptResources> {
    const h = this.hospital;
    const n = NORMS[h.level];
    const s = h.staffing;
    const out = new Map<string, DeptResources>();
    const set = (
      d: HospitalDept,
      staff: Staff,
      beds: number,
      m2: number,
      building: string,
      capacity = beds,
    ): void => {
      out.set(d.code, {
        dept: d,
        staff: {
          doctors: round2(staff.doctors),
          nurses: round2(staff.nurses),
          technicians: round2(staff.technicians),
          admin: round2(staff.admin),
        },
        beds,
        capacity,
        m2: Math.round(m2 * 10) / 10,
        building,
      });
    };
    let clinical = 0;
    for (const d of this.dict.departments) {
      if (d.deptClass !== '临床服务类') continue;
      const occ = (plan.bedDays.get(d.code) ?? 0) / 365;
      const visits = plan.visits.get(d.code) ?? 0;
      const icu = d.std === 'A28';
      const ed = d.std === 'A20';
      const doctors =
        s * (occ * (icu ? 0.8 : n.doctorsPerBed) + (visits * (ed ? 1.6 : 1)) / n.visitsPerDoctor);
      const nurses = s * (occ * (icu ? 2.4 : n.nursesPerBed) + (visits * (ed ? 2 : 1)) / n.visitsPerNurse);
      // Open beds at the level's occupancy; space and equipment follow the workload (not the rounding).
      const bedLoad = occ / (n.occupancy / s);
      const beds = occ > 0 ? Math.max(1, Math.round(bedLoad)) : 0;
      const staff = { doctors, nurses, technicians: 0, admin: 0.03 * (doctors + nurses) };
      clinical += doctors + nurses + staff.admin;
      const m2 = bedLoad * (icu ? 80 : 50) + (visits / 1000) * 22;
      const building = ed ? '门诊楼' : d.std.startsWith('A04') || icu ? '住院楼A' : '住院楼B';
      set(d, staff, beds, m2, building, bedLoad);
    }
    const cf = clinical;
    const totalVisits = [...plan.visits.values()].reduce((a, b) => a + b, 0);
    const cashiers = this.dict.deptsFor('C03');
    let support = 0;
    const sized = (d: HospitalDept, staff: Staff, m2PerHead: number, building: string): void => {
      support += staff.doctors + staff.nurses + staff.technicians + staff.admin;
      const heads = staff.doctors + staff.nurses + staff.technicians + staff.admin;
      set(d, staff, 0, heads * m2PerHead, building);
    };
    for (const d of this.dict.departments) {
      switch (d.std) {
        case 'A30':
          sized(d, { ...ZERO, doctors: 0.006 * cf, technicians: 0.075 * cf * s }, 14, '医技楼');
          break;
        case 'A31':
          sized(d, { ...ZERO, doctors: 0.01 * cf, technicians: 0.012 * cf }, 16, '医技楼');
          break;
        case 'A32':
          sized(
            d,
            { ...ZERO, doctors: 0.025 * cf * s, technicians: 0.05 * cf * s, nurses: 0.006 * cf },
            30,
            '医技楼',
          );
          break;
        case 'A26':
          sized(
            d,
            { ...ZERO, doctors: (plan.surgeries / 600) * s, nurses: (plan.surgeries / 1600) * s },
            8,
            '医技楼',
          );
          break;
        case 'B01':
          sized(
            d,
            { ...ZERO, nurses: (plan.surgeries / 400) * s, technicians: plan.surgeries / 4000 },
            55,
            '住院楼A',
          );
          break;
        case 'B02':
          sized(d, { ...ZERO, technicians: 0.045 * cf * s, admin: 0.005 * cf }, 20, '门诊楼');
          break;
        case 'C01':
          sized(d, { ...ZERO, nurses: 0.008 * cf, admin: 0.016 * cf * s }, 30, '后勤楼');
          break;
        case 'C02':
          sized(d, { ...ZERO, admin: 0.012 * cf }, 12, '行政楼');
          break;
        case 'C03': {
          const both = cashiers.length < 2;
          const inpatientDesk = !both && cashiers[1]?.code === d.code;
          const heads =
            (both || inpatientDesk ? plan.discharges / 9000 : 0) +
            (both || !inpatientDesk ? totalVisits / 40000 : 0);
          sized(d, { ...ZERO, admin: heads * s }, 10, '门诊楼');
          break;
        }
        default:
          break;
      }
    }
    const staffed = cf + support;
    const admin: Record<string, number> = { D01: 0.03, D02: 0.02, D03: 0.05 };
    for (const d of this.dict.departments) {
      const share = admin[d.std];
      if (share !== undefined)
        sized(
          d,
          { ...ZERO, admin: share * staffed * s },
          d.std === 'D03' ? 25 : 12,
          d.std === 'D03' ? '后勤楼' : '行政楼',
        );
    }
    return out;
  }

  private buildAssets(plans: readonly PlannedYear[]): void {
    const h = this.hospital;
    const n = NORMS[h.level];
    let seq = 0;
    const add = (
      dept: HospitalDept,
      cls: Asset['cls'],
      name: string,
      yuan: number,
      lifeMonths: number,
      inService: string,
    ): void => {
      const value = Math.round(yuan * 100);
      if (value <= 0) return;
      this.assets.push({
        id: `${h.code.slice(-5)}-${String(++seq).padStart(5, '0')}`,
        dept,
        cls,
        name,
        value,
        lifeMonths,
        inService,
        monthly: Math.round(value / lifeMonths),
      });
    };
    let previous: ReadonlyMap<string, DeptResources> | undefined;
    for (const plan of plans) {
      const res = this.resources(plan.year);
      const inService = previous ? `${plan.year}-01-01` : '2019-07-01';
      let cf = 0;
      for (const r of res.values())
        if (r.dept.deptClass === '临床服务类') cf += r.staff.doctors + r.staff.nurses + r.staff.admin;
      let heads = 0;
      for (const r of res.values())
        heads += r.staff.doctors + r.staff.nurses + r.staff.technicians + r.staff.admin;
      for (const r of res.values()) {
        const before = previous?.get(r.dept.code);
        const grow = (now: number, then: number | undefined): number =>
          then === undefined ? now : Math.max(0, now - then);
        const m2 = grow(r.m2, before?.m2);
        add(r.dept, '房屋及建筑物', `${r.building}（${r.dept.name}）`, m2 * n.buildCost, 360, inService);
        const d = r.dept;
        let equip = 0;
        let equipName = '通用医疗设备';
        if (d.deptClass === '临床服务类')
          equip = grow(r.capacity, before?.capacity) * (d.std === 'A28' ? 4 * n.equipPerBed : n.equipPerBed);
        if (d.std === 'A20') equip += 0.4 * n.equipPerBed * grow(r.staff.doctors, before?.staff.doctors);
        if (d.std === 'A32') {
          equip = (previous ? Math.max(0, cf - this.clinicalFte(previous)) : cf) * n.imagingPerFte;
          equipName = h.level === 1 ? 'DR及超声设备' : 'CT、MR、DR及超声设备';
        }
        if (d.std === 'A30') {
          equip = (previous ? Math.max(0, cf - this.clinicalFte(previous)) : cf) * n.labPerFte;
          equipName = '检验分析仪器';
        }
        if (d.std === 'A31') equip = (previous ? 0 : cf) * n.labPerFte * 0.3;
        if (d.std === 'B01' || d.std === 'A26') {
          const ops = plan.surgeries - (previous ? (plans[0]?.surgeries ?? 0) : 0);
          equip = Math.max(0, ops) * (d.std === 'B01' ? 2600 : 700);
          equipName = d.std === 'B01' ? '手术室设备' : '麻醉机及监护设备';
        }
        if (d.std === 'C01') equip = (previous ? 0 : cf) * 4000;
        if (d.std === 'D03') equip = (previous ? 0 : heads) * 2500;
        add(d, '专用设备', equipName, equip, 72, inService);
        if (d.std === 'D01')
          add(d, '无形资产', '信息系统软件（HIS/EMR/HRP）', (previous ? 0 : heads) * 2600, 60, inService);
      }
      previous = res;
    }
  }

  private clinicalFte(res: ReadonlyMap<string, DeptResources>): number {
    let cf = 0;
    for (const r of res.values())
      if (r.dept.deptClass === '临床服务类') cf += r.staff.doctors + r.staff.nurses + r.staff.admin;
    return cf;
  }

  /**
   * The ledger of one month: department × sub-item in cents. `priceOf` is the purchase price
   * (1/10,000 yuan) of a drug or material in the month; `tally` is the month's clean usage.
   */
  monthCosts(period: Period, tally: MonthTally, priceOf: (item: HospitalItem) => number): CostCell[] {
    const h = this.hospital;
    const n = NORMS[h.level];
    const res = this.resources(period.year);
    const bonus = period.month === 12 ? 1.3 : period.month === 1 ? 1.1 : 0.97;
    const firstDay = dayNumber(period.year, period.month, 1);
    const cells = new Map<string, number[]>();
    const row = (dept: string): number[] => {
      let r = cells.get(dept);
      if (!r) {
        r = new Array<number>(COST_SUBITEMS.length).fill(0);
        cells.set(dept, r);
      }
      return r;
    };
    const put = (dept: string, sub: string, yuan: number): void => {
      const r = row(dept);
      const i = SUB_INDEX.get(sub) ?? 0;
      r[i] = (r[i] ?? 0) + yuan * 100;
    };
    let equipmentValue = new Map<string, number>();
    for (const a of this.assets) {
      if (dayNumber(Number(a.inService.slice(0, 4)), Number(a.inService.slice(5, 7)), 1) > firstDay) continue;
      put(
        a.dept.code,
        a.cls === '房屋及建筑物' ? '0401' : a.cls === '无形资产' ? '0501' : '0402',
        a.monthly / 100,
      );
      if (a.cls === '专用设备')
        equipmentValue.set(a.dept.code, (equipmentValue.get(a.dept.code) ?? 0) + a.value / 100);
    }
    let bedDays = 0;
    for (const r of res.values()) {
      const code = r.dept.code;
      const pay = (cls: 'doctor' | 'nurse' | 'technician' | 'other', fte: number): number =>
        fte * this.pay(period.year, cls) * (1 + ONCOST) * bonus;
      put(code, '0101', pay('doctor', r.staff.doctors));
      put(code, '0102', pay('nurse', r.staff.nurses));
      put(code, '0103', pay('technician', r.staff.technicians));
      put(code, '0104', pay('other', r.staff.admin));
      const heads = r.staff.doctors + r.staff.nurses + r.staff.technicians + r.staff.admin;
      put(
        code,
        '0701',
        r.m2 *
          (h.level === 3 ? 8 : 7) *
          (period.month <= 2 || (period.month >= 7 && period.month <= 8) ? 1.25 : 1),
      );
      put(code, '0704', heads * 600);
      put(code, '0703', (equipmentValue.get(code) ?? 0) * 0.004);
      const days = tally.bedDays.get(code) ?? 0;
      bedDays += days;
      put(code, '0202', days * n.unbilledPerBedDay + (tally.visits.get(code) ?? 0) * 2.5);
    }
    equipmentValue = new Map();
    for (const use of tally.usage.values()) {
      const cat = use.item.std.category;
      const cents = (use.qty * priceOf(use.item)) / 1_000_000;
      put(use.dept, cat === '08' ? '0201' : cat === '09' ? '0301' : cat === '11' ? '0302' : '0303', cents);
    }
    for (const cell of tally.workload.values()) {
      const reagent = REAGENT_YUAN[cell.examType];
      if (reagent !== undefined) put(cell.execDept, '0203', cell.count * reagent);
      const film = FILM_YUAN[cell.examType];
      if (film !== undefined) put(cell.execDept, '0204', cell.count * film);
    }
    const theatre = this.dict.deptsFor('B01')[0];
    if (theatre) put(theatre.code, '0202', tally.surgeryCount * 320);
    const logistics = this.dict.deptsFor('D03')[0];
    if (logistics) put(logistics.code, '0702', bedDays * 9);
    for (const [dept, rev] of tally.byOrderDept) {
      const d = res.get(dept)?.dept;
      if (d?.deptClass === '临床服务类')
        put(dept, '0601', ((rev.drugs + rev.materials + rev.services) / 100) * 0.002);
    }
    for (const [dept, cents] of tally.byExecDept) {
      const d = res.get(dept)?.dept;
      if (d?.deptClass === '医疗技术类') put(dept, '0601', (cents / 100) * 0.002);
    }
    const out: CostCell[] = [];
    for (const d of this.dict.departments) {
      const r = cells.get(d.code);
      if (!r) continue;
      r.forEach((v, i) => {
        const cents = Math.round(v);
        if (cents > 0) out.push({ dept: d, subitem: COST_SUBITEMS[i]?.[0] ?? '', cents });
      });
    }
    return out;
  }
}

/**
 * Purchase price (1/10,000 yuan) of a drug or material in a period: the tender price the HIS
 * sells at (零差率), drifting a little each year, and for a few drugs of the 2025 集采 batch a cut
 * from April 2025. Returns the moved items too, for the ground truth.
 */
export function purchasePrice(item: HospitalItem, period: Period): number {
  const f = priceFactor(item.std.key, item.std.category, period);
  return Math.max(1, Math.round(item.price * f));
}

/** Drugs whose purchase price falls with the 2025 集采 batch, and from when. */
export const PROCUREMENT_CUTS: Readonly<Record<string, { readonly from: string; readonly factor: number }>> =
  {
    ATORVASTATIN: { from: '2025-02', factor: 0.46 },
    AMLODIPINE: { from: '2025-03', factor: 0.52 },
    LEVOFLOX: { from: '2025-04', factor: 0.58 },
    CEFTRIAXONE: { from: '2025-07', factor: 0.61 },
  };

function priceFactor(key: string, category: string, period: Period): number {
  const cut = PROCUREMENT_CUTS[key];
  if (cut && period.key >= cut.from) return cut.factor;
  if (category === '08' || period.year < 2025) return 1;
  return 1 + ((hashString(`drift/${key}`) % 61) - 30) / 1000;
}
