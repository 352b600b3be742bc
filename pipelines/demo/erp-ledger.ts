import type { HospitalDept, HospitalDictionary } from './hospital-dictionary.ts';
import type { MonthTally } from './month-tally.ts';
import type { Prng } from './prng.ts';

/** Staff of a department by category. */
export interface Headcount {
  readonly doctors: number;
  readonly nurses: number;
  readonly technicians: number;
  readonly admin: number;
}

/** A department's floor space and beds. */
export interface FloorArea {
  readonly building: string;
  readonly m2: number;
  readonly beds: number;
}

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

type Sized = readonly [large: number, small: number];

const NON_WARD: Readonly<
  Record<
    string,
    {
      staff: readonly [Sized, Sized, Sized, Sized];
      m2: Sized;
      building: string;
      equipment: Sized;
      software: Sized;
    }
  >
> = {
  // staff: doctors, nurses, technicians, admin; equipment/software: monthly depreciation/amortisation in yuan
  A26: {
    staff: [
      [32, 10],
      [12, 4],
      [0, 0],
      [1, 1],
    ],
    m2: [320, 120],
    building: '医技楼',
    equipment: [45_000, 12_000],
    software: [0, 0],
  },
  A30: {
    staff: [
      [3, 1],
      [0, 0],
      [48, 18],
      [2, 1],
    ],
    m2: [1800, 700],
    building: '医技楼',
    equipment: [95_000, 38_000],
    software: [9_000, 3_000],
  },
  A31: {
    staff: [
      [8, 2],
      [0, 0],
      [10, 3],
      [1, 1],
    ],
    m2: [600, 250],
    building: '医技楼',
    equipment: [30_000, 9_000],
    software: [2_000, 800],
  },
  A32: {
    staff: [
      [20, 7],
      [6, 3],
      [42, 16],
      [2, 1],
    ],
    m2: [2600, 900],
    building: '医技楼',
    equipment: [330_000, 110_000],
    software: [14_000, 4_500],
  },
  B01: {
    staff: [
      [0, 0],
      [64, 22],
      [4, 2],
      [2, 1],
    ],
    m2: [3000, 1000],
    building: '住院楼A',
    equipment: [125_000, 42_000],
    software: [0, 0],
  },
  B02: {
    staff: [
      [0, 0],
      [0, 0],
      [58, 20],
      [3, 1],
    ],
    m2: [1500, 600],
    building: '门诊楼',
    equipment: [18_000, 6_000],
    software: [3_000, 1_000],
  },
  C01: {
    staff: [
      [0, 0],
      [8, 3],
      [0, 0],
      [22, 8],
    ],
    m2: [1200, 420],
    building: '后勤楼',
    equipment: [26_000, 9_000],
    software: [0, 0],
  },
  C02: {
    staff: [
      [0, 0],
      [0, 0],
      [0, 0],
      [12, 5],
    ],
    m2: [420, 160],
    building: '行政楼',
    equipment: [1_500, 500],
    software: [1_000, 400],
  },
  C03: {
    staff: [
      [0, 0],
      [0, 0],
      [0, 0],
      [22, 14],
    ],
    m2: [260, 200],
    building: '门诊楼',
    equipment: [1_800, 900],
    software: [1_500, 600],
  },
  D01: {
    staff: [
      [0, 0],
      [0, 0],
      [0, 0],
      [30, 12],
    ],
    m2: [1500, 600],
    building: '行政楼',
    equipment: [9_000, 3_000],
    software: [60_000, 20_000],
  },
  D02: {
    staff: [
      [0, 0],
      [0, 0],
      [0, 0],
      [24, 10],
    ],
    m2: [500, 200],
    building: '行政楼',
    equipment: [2_000, 800],
    software: [15_000, 5_000],
  },
  D03: {
    staff: [
      [0, 0],
      [0, 0],
      [0, 0],
      [85, 32],
    ],
    m2: [3000, 1200],
    building: '后勤楼',
    equipment: [60_000, 20_000],
    software: [0, 0],
  },
};

function sized(v: Sized, level: 2 | 3): number {
  return level === 3 ? v[0] : v[1];
}

/** Base staffing of a department (before monthly movements). */
export function baseHeadcount(dept: HospitalDept, level: 2 | 3): Headcount {
  const fixed = NON_WARD[dept.std];
  if (fixed) {
    const [d, n, t, a] = fixed.staff;
    return {
      doctors: sized(d, level),
      nurses: sized(n, level),
      technicians: sized(t, level),
      admin: sized(a, level),
    };
  }
  if (dept.std === 'A28')
    return {
      doctors: Math.round(dept.beds * 0.8),
      nurses: Math.round(dept.beds * 2.5),
      technicians: 1,
      admin: 1,
    };
  if (dept.std === 'A20')
    return { doctors: level === 3 ? 16 : 8, nurses: level === 3 ? 30 : 14, technicians: 0, admin: 1 };
  return {
    doctors: Math.max(3, Math.round(dept.beds * (level === 3 ? 0.33 : 0.27) + dept.outpatient * 0.6)),
    nurses: Math.max(4, Math.round(dept.beds * (level === 3 ? 0.6 : 0.5))),
    technicians: dept.std === 'A03.04' || dept.std === 'A03.02' ? 2 : 0,
    admin: 1,
  };
}

/** Floor space of a department. */
export function floorArea(dept: HospitalDept, level: 2 | 3): FloorArea {
  const fixed = NON_WARD[dept.std];
  if (fixed) return { building: fixed.building, m2: sized(fixed.m2, level), beds: 0 };
  const m2 = Math.round(dept.beds * (dept.std === 'A28' ? 80 : 52) + dept.outpatient * 45 + 60);
  const building =
    dept.std === 'A20' ? '门诊楼' : dept.std.startsWith('A04') || dept.std === 'A28' ? '住院楼A' : '住院楼B';
  return { building, m2, beds: dept.beds };
}

/** Staff on the books in `month` (July intake of new graduates, small drift). */
export function monthlyHeadcount(base: Headcount, month: number, rng: Prng): Headcount {
  const intake = month >= 7 ? 1.03 : 1;
  const jitter = (n: number): number =>
    n === 0 ? 0 : Math.max(0, Math.round(n * intake) + (rng.chance(0.2) ? rng.int(-1, 1) : 0));
  return {
    doctors: jitter(base.doctors),
    nurses: jitter(base.nurses),
    technicians: jitter(base.technicians),
    admin: jitter(base.admin),
  };
}

/**
 * Direct cost (cents) of one department in one month by cost item, derived
 * from its staff, space and the month's HIS revenue. `scale` is the demo's
 * volume relative to the full-size hospital (1 for `full`). Drugs and billed
 * materials are consumed at (near) purchase price under 零差率, the risk fund
 * is a share of medical revenue, utilities sit with logistics.
 */
export function departmentCosts(
  dept: HospitalDept,
  staff: Headcount,
  area: FloorArea,
  dict: HospitalDictionary,
  tally: MonthTally,
  month: number,
  scale: number,
  rng: Prng,
): number[] {
  const h = dict.hospital;
  const level = h.level;
  const s = h.monthlySalary;
  const bonus = month === 12 ? 1.35 : month === 1 ? 1.12 : 1;
  const noise = (): number => rng.uniform(0.97, 1.03);
  const personnel =
    (staff.doctors * s.doctor +
      staff.nurses * s.nurse +
      staff.technicians * s.technician +
      staff.admin * s.other) *
    1.32 *
    bonus *
    noise();
  const rev = tally.byOrderDept.get(dept.code) ?? { drugs: 0, materials: 0, services: 0 };
  const execRevenue = tally.byExecDept.get(dept.code) ?? 0;
  let totalServices = 0;
  let totalDrugs = 0;
  for (const r of tally.byOrderDept.values()) {
    totalServices += r.services;
    totalDrugs += r.drugs;
  }
  const fixed = NON_WARD[dept.std];
  let materials = (rev.materials * 0.97 + rev.services * 0.035) / 100;
  let drugs = (rev.drugs * 0.99) / 100;
  if (dept.std === 'C01') materials += (totalServices * 0.006) / 100;
  if (dept.std === 'B02') drugs = (totalDrugs * 0.004) / 100;
  if (dept.deptClass === '行政后勤类')
    materials = (dept.std === 'D03' ? 18_000 * (level === 3 ? 1 : 0.4) : 1_500) * scale * noise();
  const depreciation =
    area.m2 * 35 +
    (fixed
      ? sized(fixed.equipment, level)
      : dept.beds * (level === 3 ? 260 : 140) + (dept.std === 'A03.04' && level === 3 ? 30_000 : 0));
  const amortisation = fixed ? sized(fixed.software, level) : 0;
  const medicalRevenue =
    dept.deptClass === '医疗技术类'
      ? execRevenue
      : dept.deptClass === '临床服务类'
        ? rev.drugs + rev.materials + rev.services
        : 0;
  const riskFund = (medicalRevenue * 0.0025) / 100;
  const staffCount = staff.doctors + staff.nurses + staff.technicians + staff.admin;
  let otherRunning = (area.m2 * 18 + staffCount * 950) * noise();
  if (dept.std === 'D03')
    otherRunning +=
      (level === 3 ? 900_000 : 300_000) *
      (month <= 2 || (month >= 7 && month <= 8) || month === 12 ? 1.25 : 1);
  if (dept.std === 'C03') otherRunning += ((totalServices + totalDrugs) * 0.0008) / 100;
  // Capacity costs follow the demo's volume so `small` keeps the cost/revenue structure of `full`.
  return [
    personnel * scale,
    materials,
    drugs,
    depreciation * scale,
    amortisation * scale,
    riskFund,
    otherRunning * scale,
  ].map((y) => Math.round(y * 100));
}
