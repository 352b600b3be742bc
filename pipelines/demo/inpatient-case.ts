import { CARE_PROFILES, type CareProfile, type DailyUse, type OnceUse } from './catalog/care-profiles.ts';
import { CC_SUPPORTING_ITEMS, COMORBIDITIES, PRESENT_ON_ADMISSION, diagnosis } from './catalog/diagnoses.ts';
import type { DrgGroup } from './catalog/drg-groups.ts';
import { procedure } from './catalog/procedures.ts';
import { keepsSeverity, severityComplications } from './national-coding.ts';
import { SECONDS_PER_DAY } from './calendar.ts';
import { quantityFor, type ChargeDraft } from './charge-line.ts';
import type { HospitalDept, HospitalDictionary, HospitalItem } from './hospital-dictionary.ts';
import type { Patient } from './patient-pool.ts';
import type { Prng } from './prng.ts';

/** A diagnosis on the front page: 入院病情 1 有, 2 临床未确定, 3 情况不明, 4 无. */
export interface CaseDiagnosis {
  readonly code: string;
  readonly main: boolean;
  readonly admCond: '1' | '2' | '3' | '4';
}

/** A procedure on the front page with its date. */
export interface CaseProcedure {
  readonly code: string;
  readonly main: boolean;
  readonly day: number;
  /** 麻醉方式: 1 全身, 21 椎管内, 3 局部, empty for none. */
  readonly anesthesia: string;
}

/** One inpatient stay, everything except its charge lines. */
export interface InpatientCase {
  readonly visitId: string;
  readonly patient: Patient;
  readonly drg: DrgGroup;
  readonly admitTime: number;
  readonly dischargeTime: number;
  /** Length of stay in days (discharge date − admission date, at least 1). */
  readonly los: number;
  readonly admitDept: HospitalDept;
  readonly ward: HospitalDept;
  readonly icuDays: number;
  readonly ventilated: boolean;
  readonly roomUpgrade: boolean;
  /** 离院方式 1,2,3,4,5,9. */
  readonly dischargeWay: string;
  /** 入院途径 1 急诊, 2 门诊, 3 其他医疗机构转入, 9 其他. */
  readonly route: string;
  /** Day offset of the operation or main procedure; −1 when none. */
  readonly surgeryDay: number;
  readonly surgeryTime: number;
  readonly diagnoses: readonly CaseDiagnosis[];
  readonly procedures: readonly CaseProcedure[];
}

/** What the planner needs to know about the hospital and the day. */
export interface CasePlanInput {
  readonly dict: HospitalDictionary;
  readonly drg: DrgGroup;
  readonly dischargeDay: number;
  readonly losFactor: number;
  /** A fixed length of stay (planted scenarios: outliers, split and low-standard admissions). */
  readonly los?: number;
  /** Forces an in-hospital death (planted low-risk deaths). */
  readonly dies?: boolean;
  readonly drawPatient: (filter: { sex?: 1 | 2; ageMin: number; ageMax: number }, onDay: number) => Patient;
}

const HOUR = 3600;
/** Ventilation in the ICU as coded unless the group says otherwise: invasive, under 96 hours. */
export const VENTILATION = '96.7101';
const BATCH_DAYS = 4;
const MAX_LOS = 59;

function profileOf(drg: DrgGroup): CareProfile {
  const p = CARE_PROFILES[drg.profile];
  if (!p) throw new RangeError(`care profile ${drg.profile} missing`);
  return p;
}

/**
 * Plans one stay discharged on `dischargeDay`: length of stay, times, wards,
 * patient, diagnoses and procedures. Clean by construction: admission before
 * discharge, stay under 60 days, known departments, sex-compatible codes.
 */
export function planInpatientCase(input: CasePlanInput, rng: Prng): Omit<InpatientCase, 'visitId'> {
  const { dict, drg } = input;
  const profile = profileOf(drg);
  const emergency = rng.chance(drg.emergency);
  const drawn = Math.round(rng.logNormal(drg.losMean * input.losFactor, drg.losSigma));
  const los = Math.min(MAX_LOS, Math.max(1, input.los ?? drawn));
  const admitDay = input.dischargeDay - los;
  const admitTime =
    admitDay * SECONDS_PER_DAY + (emergency ? rng.int(0, 23 * HOUR) : rng.int(8 * HOUR, 16 * HOUR));
  const dies = rng.chance(drg.mortality) || input.dies === true;
  const dischargeTime =
    input.dischargeDay * SECONDS_PER_DAY +
    (dies ? rng.int(2 * HOUR, 23 * HOUR) : rng.int(8.5 * HOUR, 16.5 * HOUR));
  const patient = input.drawPatient(
    drg.sex === undefined
      ? { ageMin: drg.ageMin, ageMax: drg.ageMax }
      : { sex: drg.sex, ageMin: drg.ageMin, ageMax: drg.ageMax },
    admitDay,
  );

  const wards = dict.wardsFor(drg.dept);
  const ward = rng.pick(wards);
  const icu = dict.wardsFor('A28')[0];
  const icuDays =
    drg.severity === 2 && icu && los >= 3 && rng.chance(0.3) ? rng.int(1, Math.min(4, los - 1)) : 0;
  const admitDept = icuDays > 0 && icu ? icu : ward;
  const ventilated = icuDays > 0 && rng.chance(0.4);

  let surgeryDay = -1;
  let surgeryTime = 0;
  const clampTime = (t: number): number => Math.min(Math.max(t, admitTime + 1800), dischargeTime - 1800);
  if (profile.surgery) {
    const preop = emergency ? 0 : rng.int(profile.surgery.preopDays[0], profile.surgery.preopDays[1]);
    surgeryDay = Math.min(preop, los - 1);
    const base = (admitDay + surgeryDay) * SECONDS_PER_DAY;
    surgeryTime = clampTime(
      surgeryDay === 0 && emergency
        ? admitTime + rng.int(2 * HOUR, 5 * HOUR)
        : base + rng.int(8 * HOUR, 15 * HOUR),
    );
    surgeryDay = Math.floor(surgeryTime / SECONDS_PER_DAY) - admitDay;
  }

  const diagnoses = planDiagnoses(drg, patient, admitDay, rng);
  const procedures = planProcedures(drg, profile, diagnoses, admitDay, los, surgeryDay, ventilated, rng);

  return {
    patient,
    drg,
    admitTime,
    dischargeTime,
    los,
    admitDept,
    ward,
    icuDays,
    ventilated,
    roomUpgrade: rng.chance(0.06),
    dischargeWay: dies ? '5' : pickDischargeWay(dict.hospital.level, rng),
    route: emergency ? '1' : rng.chance(0.03) ? '3' : rng.chance(0.01) ? '9' : '2',
    surgeryDay,
    surgeryTime,
    diagnoses,
    procedures,
  };
}

function pickDischargeWay(level: 1 | 2 | 3, rng: Prng): string {
  const r = rng.float();
  const transfer = level === 1 ? 0.05 : level === 2 ? 0.025 : 0.01;
  if (r < transfer) return '2';
  if (r < transfer + 0.006) return '3';
  if (r < transfer + 0.021) return '4';
  if (r < transfer + 0.023) return '9';
  return '1';
}

function planDiagnoses(drg: DrgGroup, patient: Patient, admitDay: number, rng: Prng): CaseDiagnosis[] {
  const mainIndex = rng.int(0, drg.diagnoses.length - 1);
  const main = drg.diagnoses[mainIndex] ?? drg.diagnoses[0] ?? 'R50.900';
  diagnosis(main);
  const out: CaseDiagnosis[] = [{ code: main, main: true, admCond: '1' }];
  const ageDays = admitDay - patient.birthDay;
  const adult = ageDays >= 35 * 365;
  const wanted =
    drg.severity === 2 ? rng.int(2, 5) : drg.severity === 1 ? rng.int(1, 3) : adult ? rng.int(0, 2) : 0;
  // The complication that makes the group's severity under the national CC/MCC table (an MCC for
  // 伴严重并发症, a CC for 伴并发症) comes first and always; every other secondary diagnosis is one
  // that counts no higher than the group's level beside this principal.
  const raising = severityComplications(drg.severity, main, drg.complications ?? []);
  if (drg.severity > 0 && raising.length === 0)
    throw new RangeError(`DRG ${drg.code}: no complication of its severity beside ${main}`);
  const required = drg.severity > 0 ? rng.pick(raising) : undefined;
  const pool: string[] = required === undefined ? [] : [required, ...(drg.complications ?? [])];
  if (drg.code === 'OB19' || drg.code === 'OC19') {
    pool.push('Z37.000');
    if (rng.chance(0.12)) pool.push('O24.400');
  }
  if (adult) pool.push(...COMORBIDITIES);
  for (const code of pool) {
    if (out.length > wanted) break;
    if (out.some((d) => d.code === code)) continue;
    if (!keepsSeverity(drg.severity, main, code)) continue;
    if (code !== 'Z37.000' && code !== required && !rng.chance(0.35)) continue;
    const dx = diagnosis(code);
    if (dx.sex !== undefined && dx.sex !== patient.gender) continue;
    const drawn = rng.chance(0.85) ? '1' : rng.chance(0.5) ? '2' : '4';
    out.push({ code, main: false, admCond: PRESENT_ON_ADMISSION.has(code) ? '1' : drawn });
  }
  return out;
}

/** Share of a group's stays coded with its procedures: medical groups without an operation often skip them. */
export function procedureShare(drg: DrgGroup, profile: CareProfile = profileOf(drg)): number {
  return drg.procedureRate ?? (drg.kind === 'medical' && !profile.surgery ? 0.6 : 1);
}

function planProcedures(
  drg: DrgGroup,
  profile: CareProfile,
  diagnoses: readonly CaseDiagnosis[],
  admitDay: number,
  los: number,
  surgeryDay: number,
  ventilated: boolean,
  rng: Prng,
): CaseProcedure[] {
  const out: CaseProcedure[] = [];
  if (drg.procedures.length > 0 && rng.chance(procedureShare(drg, profile))) {
    let codes: readonly string[] = drg.procedures;
    if (drg.alignProcedures) {
      const idx = Math.max(0, drg.diagnoses.indexOf(diagnoses[0]?.code ?? ''));
      codes = [drg.procedures[idx] ?? drg.procedures[0] ?? ''];
    }
    const day = admitDay + (surgeryDay >= 0 ? surgeryDay : Math.min(1, los - 1));
    const anesthesia = anesthesiaCode(profile.surgery?.anesthesia);
    codes.forEach((code, i) => {
      procedure(code);
      out.push({ code, main: i === 0, day, anesthesia: i === 0 ? anesthesia : '' });
    });
  }
  if (ventilated) {
    const code = drg.ventilation ?? VENTILATION;
    procedure(code);
    out.push({ code, main: out.length === 0, day: admitDay, anesthesia: '' });
  }
  return out;
}

function anesthesiaCode(item: string | undefined): string {
  if (item === 'ANES_GA') return '1';
  if (item === 'ANES_SPINAL') return '21';
  if (item === 'ANES_LOCAL') return '3';
  return '';
}

interface ActiveUse {
  readonly item: HospitalItem;
  readonly rate: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The stay's charge lines: bed and nursing per day (nightly auto-billing),
 * ward rounds, drugs and treatments per four-day ward billing cycle, tests at
 * admission and on repeat days, and the operation with its anaesthesia,
 * implants and drugs. All times fall inside the stay. Sorted by time.
 */
export function buildInpatientLines(c: InpatientCase, dict: HospitalDictionary, rng: Prng): ChargeDraft[] {
  const profile = profileOf(c.drg);
  const lines: ChargeDraft[] = [];
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const clamp = (t: number): number => Math.min(Math.max(t, c.admitTime + 300), c.dischargeTime - 60);
  const deptOn = (d: number): HospitalDept => (d < c.icuDays ? c.admitDept : c.ward);
  const push = (key: string, amount: number, time: number, dept: HospitalDept): void => {
    const item = dict.item(key);
    lines.push({
      item,
      qty: quantityFor(item, amount),
      time,
      orderDept: dept,
      execDept: dict.execDept(item.std.exec, dept),
    });
  };

  const uses: ActiveUse[] = [];
  const activate = (u: DailyUse): void => {
    if (!rng.chance(u.prob)) return;
    const from = u.afterSurgery && c.surgeryDay >= 0 ? c.surgeryDay : 0;
    const avail = c.los - from;
    if (avail <= 0) return;
    const days = Math.max(1, Math.round(rng.uniform(u.span[0], u.span[1]) * avail));
    const item = dict.item(u.item);
    const cat = item.std.category;
    const intensity = cat === '09' || cat === '10' || cat === '11' ? dict.hospital.drugIntensity : 1;
    uses.push({
      item,
      rate: rng.uniform(u.perDay[0], u.perDay[1]) * intensity,
      from,
      to: Math.min(c.los, from + days),
    });
  };
  profile.drugs.forEach(activate);
  profile.treatments.forEach(activate);
  if (c.icuDays > 0) {
    uses.push({ item: dict.item('MONITOR'), rate: 24, from: 0, to: c.icuDays });
    if (c.ventilated)
      uses.push({ item: dict.item('VENT'), rate: rng.uniform(10, 24), from: 0, to: c.icuDays });
  }

  // Nightly auto-billing of bed and nursing level.
  const severeDays = c.drg.severity === 2 ? Math.ceil(c.los / 2) : c.surgeryDay >= 0 ? c.surgeryDay + 2 : 1;
  for (let d = 0; d < c.los; d++) {
    const bed = d < c.icuDays ? 'BED_ICU' : c.roomUpgrade ? 'BED_2P' : 'BED_STD';
    const nursing =
      d < c.icuDays
        ? 'NURSE_SP'
        : d < severeDays
          ? 'NURSE_1'
          : c.drg.severity === 0 && d > 4
            ? 'NURSE_3'
            : 'NURSE_2';
    const night = (admitDay + d) * SECONDS_PER_DAY + 23 * HOUR + 50 * 60 + rng.int(0, 540);
    push(bed, 1, night, deptOn(d));
    push(nursing, 1, night, deptOn(d));
  }

  // Ward billing cycles.
  for (let s = 0; s < c.los; s += BATCH_DAYS) {
    const e = Math.min(c.los, s + BATCH_DAYS);
    const time = clamp((admitDay + e - 1) * SECONDS_PER_DAY + rng.int(17 * HOUR, 21 * HOUR));
    const dept = deptOn(s);
    push('EXAM_IP', e - s, time, dept);
    for (const u of uses) {
      const overlap = Math.min(e, u.to) - Math.max(s, u.from);
      if (overlap <= 0) continue;
      const t =
        u.item.std.exec === 'pharmacy'
          ? clamp((admitDay + Math.max(s, u.from)) * SECONDS_PER_DAY + rng.int(9 * HOUR, 11 * HOUR))
          : time;
      lines.push({
        item: u.item,
        qty: quantityFor(u.item, u.rate * overlap),
        time: t,
        orderDept: deptOn(Math.max(s, u.from)),
        execDept: dict.execDept(u.item.std.exec, deptOn(Math.max(s, u.from))),
      });
    }
  }

  // Tests at admission and repeats.
  const labTime = clamp(c.admitTime + rng.int(1800, 3 * HOUR));
  for (const key of profile.labs) push(key, 1, labTime, c.admitDept);
  if (profile.repeatEvery > 0) {
    for (let d = profile.repeatEvery; d < c.los; d += profile.repeatEvery) {
      const t = clamp((admitDay + d) * SECONDS_PER_DAY + rng.int(6 * HOUR, 8 * HOUR));
      for (const key of profile.repeatLabs) push(key, 1, t, deptOn(d));
    }
  }
  const examDay = c.los > 1 && rng.chance(0.6) ? 1 : 0;
  for (const use of profile.exams)
    once(use, clamp((admitDay + examDay) * SECONDS_PER_DAY + rng.int(9 * HOUR, 16 * HOUR)), deptOn(examDay));

  // The operation.
  const surgery = profile.surgery;
  if (surgery && c.surgeryDay >= 0) {
    const dept = deptOn(c.surgeryDay);
    for (const use of surgery.fees) once(use, c.surgeryTime, dept);
    if (surgery.anesthesia) push(surgery.anesthesia, 1, c.surgeryTime, dept);
    for (const use of surgery.materials) once(use, c.surgeryTime, dept);
    for (const use of surgery.drugs) once(use, c.surgeryTime, dept);
    if (surgery.pathology) push('PATHO', 1, clamp(c.surgeryTime + rng.int(2 * HOUR, 30 * HOUR)), dept);
  }

  lines.sort((a, b) => a.time - b.time);
  return lines;

  function once(use: OnceUse, time: number, dept: HospitalDept): void {
    if (!rng.chance(use.prob)) return;
    push(use.item, rng.int(use.qty[0], use.qty[1]), time, dept);
  }
}

/** Charge categories that treat (治疗费, 手术费); the rest only house, observe, test or dispense. */
const TREATMENT_CATEGORIES: ReadonlySet<string> = new Set(['05', '06']);
/** Days of a stay that bill the treatment of a complication the stay's lines lacked. */
const SUPPORT_DAYS = 3;

/**
 * Makes the stay's lines bill the treatment of every CC/MCC secondary diagnosis it carries
 * (CC_SUPPORTING_ITEMS): where none of a diagnosis' items is billed, its first item is, once a day
 * on the first days of the stay. `unsupported` names diagnoses added only to raise the group: the
 * lines of their items are dropped instead. Adds no random draw, so the line stream does not shift.
 */
export function supportComplications(
  c: InpatientCase,
  lines: readonly ChargeDraft[],
  dict: HospitalDictionary,
  unsupported: ReadonlySet<string>,
): ChargeDraft[] {
  const dropped = new Set(
    c.diagnoses
      .filter((d) => !d.main && unsupported.has(d.code))
      .flatMap((d) => CC_SUPPORTING_ITEMS[d.code] ?? []),
  );
  const out = lines.filter((l) => !dropped.has(l.item.std.key));
  for (const d of c.diagnoses) {
    const items = CC_SUPPORTING_ITEMS[d.code];
    if (d.main || unsupported.has(d.code) || !items?.[0]) continue;
    if (out.some((l) => items.includes(l.item.std.key))) continue;
    const item = dict.item(items[0]);
    for (let day = 0; day < Math.min(c.los, SUPPORT_DAYS); day++)
      out.push(stayLine(c, dict, item, item.std.unit === '小时' ? 8 : 1, day, 10 * HOUR));
  }
  return out.sort((a, b) => a.time - b.time);
}

/**
 * A low-standard admission as billed: bed, nursing, ward rounds, exams, tests and oral drugs only
 * (no treatment, material or injection), what an outpatient visit would have covered.
 */
export function observationOnly(lines: readonly ChargeDraft[]): ChargeDraft[] {
  return lines.filter((l) => {
    const { category, name } = l.item.std;
    if (category === '09' || category === '10' || category === '11') return !/注射|吸入/.test(name);
    return !TREATMENT_CATEGORIES.has(category) && category !== '08';
  });
}

/**
 * A short stay of a condition an outpatient clinic could treat, that was truly treated: where it
 * bills fewer than two treatment lines, an infusion (first and one more group) with saline on the
 * day of admission.
 */
export function withTreatment(
  c: InpatientCase,
  lines: readonly ChargeDraft[],
  dict: HospitalDictionary,
): ChargeDraft[] {
  if (lines.filter((l) => TREATMENT_CATEGORIES.has(l.item.std.category)).length >= 2) return [...lines];
  const infusion = ['IV_FIRST', 'IV_ADD', 'NS250', 'MAT_IVSET'].map((key) =>
    stayLine(c, dict, dict.item(key), key === 'NS250' ? 2 : 1, 0, 2 * HOUR),
  );
  return [...lines, ...infusion].sort((a, b) => a.time - b.time);
}

/** One line of `amount` units on day `day` of the stay, `offset` seconds after midnight (inside the stay). */
function stayLine(
  c: InpatientCase,
  dict: HospitalDictionary,
  item: HospitalItem,
  amount: number,
  day: number,
  offset: number,
): ChargeDraft {
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const time = Math.min(
    Math.max((admitDay + day) * SECONDS_PER_DAY + offset, c.admitTime + 600),
    c.dischargeTime - 120,
  );
  const dept = day < c.icuDays ? c.admitDept : c.ward;
  return {
    item,
    qty: quantityFor(item, amount),
    time,
    orderDept: dept,
    execDept: dict.execDept(item.std.exec, dept),
  };
}
