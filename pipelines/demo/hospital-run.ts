import { CARE_PROFILES } from './catalog/care-profiles.ts';
import { CC_SUPPORTING_ITEMS, diagnosis } from './catalog/diagnoses.ts';
import { procedure } from './catalog/procedures.ts';
import { EXAM_TYPES } from './catalog/charge-items.ts';
import { DRG_GROUPS, UPCODING, type DrgGroup } from './catalog/drg-groups.ts';
import { SECONDS_PER_DAY, formatDate, formatTimestamp, monthKey, pad2, type Period } from './calendar.ts';
import { CaseAmounts } from './case-amounts.ts';
import type { ChargeDraft } from './charge-line.ts';
import { ChargeLineWriter } from './charge-line-writer.ts';
import { csvRow, formatCents, formatPrice, lineAmountCents } from './csv-format.ts';
import { CsvSink, type WrittenFile } from './csv-sink.ts';
import type { DefectLog } from './defect-log.ts';
import { DefectScheduler } from './defect-scheduler.ts';
import {
  COST_ITEMS,
  COST_SUBITEMS,
  HospitalEconomy,
  PROCUREMENT_CUTS,
  STAFF_CLASSES,
  purchasePrice,
  type PlannedYear,
} from './economy.ts';
import { writeFrontPage } from './emr-writer.ts';
import { filePath, headerFor, type Entity } from './file-schemas.ts';
import { HospitalDictionary, type HospitalDept } from './hospital-dictionary.ts';
import type { HospitalProfile } from './hospitals.ts';
import { clinicalRecord, HospitalDoctors, type ClinicalRecord } from './clinical-record.ts';
import {
  buildInpatientLines,
  observationOnly,
  planInpatientCase,
  supportComplications,
  withTreatment,
  type CaseProcedure,
  type InpatientCase,
} from './inpatient-case.ts';
import { writeSettlement } from './insurance-writer.ts';
import { MonthTally } from './month-tally.ts';
import { buildOutpatientLines, clinicPatientFilter, type OutpatientVisit } from './outpatient-visit.ts';
import { PatientPool } from './patient-pool.ts';
import {
  LOW_OUTLIER_RATIO,
  highOutlierRatio,
  type PaymentPolicy,
  type PaymentTerms,
} from './payment-policy.ts';
import { Prng } from './prng.ts';
import {
  apportion,
  dischargeDayWeight,
  dischargeFactor,
  outpatientDayWeight,
  outpatientFactor,
  seasonFactor,
} from './seasonality.ts';
import { REFUSAL_REASONS, settle, type Refusal } from './settlement.ts';
import { VisitIds } from './visit-ids.ts';

/** Shared state of one generator run. */
export interface RunContext {
  readonly seed: number;
  readonly outDir: string;
  readonly log: DefectLog;
  readonly scheduler: (entity: Entity) => DefectScheduler;
  /** Every period of the run, in order (the last two are still under the payer's review). */
  readonly periods: readonly Period[];
  /** What the payers publish for each year: RW, 费率, DIP 分值 and 点值. */
  readonly policy: PaymentPolicy;
}

/** What one hospital-month produced. */
export interface MonthOutput {
  readonly files: readonly WrittenFile[];
  readonly inpatientCases: number;
  readonly outpatientVisits: number;
  readonly chargeLines: number;
}

/** What the generator knows about one stay (ground truth). */
export interface CaseFact {
  readonly hospital: HospitalProfile;
  readonly visitId: string;
  readonly period: string;
  readonly year: number;
  /** ISO date of discharge. */
  readonly dischargeDate: string;
  readonly insurance: string;
  readonly trueDrg: DrgGroup;
  readonly trueRw: number;
  readonly coded: PaymentTerms;
  /** Main diagnosis and main procedure ('' when none): the stay's DIP 病种. */
  readonly mainDiag: string;
  readonly mainOprn: string;
  /** Sum of the stay's charge lines at dictionary prices, cents. */
  readonly cleanTotal: number;
  readonly los: number;
  readonly died: boolean;
  readonly outlier: '' | 'high' | 'low';
  readonly scenarios: readonly string[];
  /** Where the payer's review stands (insured stays): 已清算, 部分拒付, 待审核; and the refusal. */
  readonly status: string;
  readonly refused: number;
  readonly refuseReason: string;
  /** Attending doctor, ICU and ventilation hours (drawn from their own stream). */
  readonly clinical: ClinicalRecord;
}

/** What the generator knows about a stay still in bed at the run's cut-off (ground truth). */
export interface OpenStayFact {
  readonly hospital: string;
  readonly visitId: string;
  /** The census's cut-off date, `YYYY-MM-DD` (the last day of the run). */
  readonly snapshotDate: string;
  readonly admitTime: string;
  readonly currentDept: string;
  /** Days in bed to the end of the cut-off day: cut-off date − admission date + 1. */
  readonly daysInBed: number;
  /** The group the stay was planned for, as it will be coded at discharge. */
  readonly plannedDrg: string;
  /** Every diagnosis the stay is planned to be coded with at discharge, principal first. */
  readonly plannedDiagnoses: readonly string[];
  /** Every procedure the stay is planned to be coded with at discharge, main first. */
  readonly plannedProcedures: readonly string[];
  /** When each planned procedure is (or will be) performed, `YYYY-MM-DD HH:MM:SS`, in the same order. */
  readonly plannedProcedureTimes: readonly string[];
  /** The diagnoses recorded by the cut-off, principal first, in the delivered order. */
  readonly diagnosesSoFar: readonly string[];
  /** The procedures performed by the cut-off, in the delivered order (planned later ones left out). */
  readonly proceduresSoFar: readonly string[];
  /** Sum of the stay's delivered charge lines (all charged by the cut-off), cents. */
  readonly chargesToDate: number;
  readonly chargeLines: number;
}

/** One planted scenario with its key. */
export interface ScenarioFact {
  readonly scenario: string;
  readonly hospital: string;
  readonly period: string;
  readonly key: string;
  readonly detail: string;
}

/** Cost and revenue of one department in one month of use (ground truth). */
export interface DeptMonthFact {
  readonly hospital: string;
  readonly period: string;
  readonly dept: HospitalDept;
  /** Clean revenue ordered by the department (clinical) or executed (medical-technical), cents. */
  readonly revenue: number;
  /** Cost by cost item 01–07, cents. */
  readonly costs: readonly number[];
}

/** One hospital-month in figures (ground truth). */
export interface HospitalMonthFact {
  readonly hospital: string;
  readonly period: string;
  readonly revenue: number;
  readonly revenueDrugs: number;
  readonly revenueMaterials: number;
  readonly revenueOutpatient: number;
  readonly revenueInpatient: number;
  readonly costs: readonly number[];
  readonly discharges: number;
  readonly outpatientVisits: number;
  readonly bedDays: number;
}

/** A stay as planned, with what the hospital codes and what is planted. */
interface PlannedCase extends InpatientCase {
  readonly coded: DrgGroup;
  readonly scenarios: string[];
  readonly firstStay?: string;
}

const HOUR = 3600;
const READY_EVERY = 64;
/** Ledgers are written two months after their month of use, once late stays are in. */
const LEDGER_LAG = 2;

/**
 * When a stay's procedure is performed: the operation (a procedure on the planned surgery day) at
 * the planned surgery time, any other during its planned day (ventilation on the ICU admission day,
 * a medical group's procedure the day after admission), between an hour after admission and an
 * hour before discharge.
 */
function procedureTime(c: InpatientCase, pr: CaseProcedure, rng: Prng): number {
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const during = pr.day * SECONDS_PER_DAY + rng.int(8 * HOUR, 18 * HOUR);
  if (c.surgeryDay >= 0 && pr.day === admitDay + c.surgeryDay) return c.surgeryTime;
  return Math.min(Math.max(during, c.admitTime + HOUR), c.dischargeTime - HOUR);
}

/**
 * Conditions an outpatient clinic can treat: stays for them may be low-standard admissions. All are
 * groups without complications (severity 0): such a stay is coded with the minor condition alone.
 */
const LOW_STANDARD: ReadonlySet<string> = new Set(['ST15', 'GW19', 'IU29', 'DT19', 'KS15', 'LU15']);
/** Stays of those conditions up to this long that were not planted as low-standard are truly treated. */
const SHORT_STAY_DAYS = 3;
/**
 * Days around a stay (before its admission and after its discharge) in which the same patient is
 * not admitted again unless a split admission is planted: keeps natural readmissions out of the
 * 分解住院 window (15 days by default) with room to spare.
 */
const READMISSION_CLEARANCE_DAYS = 30;
/** Share of stays without another planted scenario that are followed by a planted 分解住院. */
const SPLIT_RATE = 0.006;
/** The planted cost overrun: group, hospital and the four weeks it runs above its standard. */
export const OVERRUN = {
  hospital: 'H32090200001',
  drg: 'HC29',
  from: '2025-03-03',
  to: '2025-03-30',
} as const;

const DRG_BY_CODE = new Map(DRG_GROUPS.map((g) => [g.code, g]));

/**
 * Generates everything one hospital delivers, a month at a time. Per month it plans the stays
 * discharged and the visits made (planting the payer-relevant scenarios), streams their charge
 * lines, visit rows, front pages, groupings and settlements in time order, and tallies what was
 * used by month of use; the ERP files of a month (ledger, headcount, purchases, drivers, split)
 * and its LIS/PACS workload follow two months later, when every stay that used it is written.
 */
export class HospitalRun {
  readonly hospital: HospitalProfile;
  readonly dict: HospitalDictionary;
  private readonly doctors: HospitalDoctors;
  readonly economy: HospitalEconomy;
  readonly cases: CaseFact[] = [];
  readonly scenarios: ScenarioFact[] = [];
  readonly deptMonths: DeptMonthFact[] = [];
  readonly hospitalMonths: HospitalMonthFact[] = [];
  readonly openStays: OpenStayFact[] = [];
  private readonly ctx: RunContext;
  private readonly pool: PatientPool;
  private readonly ids: VisitIds;
  private readonly drgs: readonly DrgGroup[];
  private readonly drgWeights: readonly number[];
  /** 分解住院 accrued over the stays planned so far and not yet planted (see planCases). */
  private splitsDue = 0.5;
  private readonly inpatientByPeriod: ReadonlyMap<string, number>;
  private readonly outpatientByPeriod: ReadonlyMap<string, number>;
  private readonly tallies = new Map<string, MonthTally>();
  private readonly written = new Set<string>();
  /** Each patient's stays so far as [admission day, discharge day], by pool index. */
  private readonly staysByPatient = new Map<number, [number, number][]>();

  constructor(
    ctx: RunContext,
    hospital: HospitalProfile,
    inpatientPerYear: ReadonlyMap<number, number>,
    outpatientPerYear: ReadonlyMap<number, number>,
  ) {
    this.ctx = ctx;
    this.hospital = hospital;
    this.dict = new HospitalDictionary(hospital);
    this.doctors = new HospitalDoctors(this.dict);
    this.ids = new VisitIds(hospital.codeStyle);
    let inTotal = 0;
    let opTotal = 0;
    for (const n of inpatientPerYear.values()) inTotal += n;
    for (const n of outpatientPerYear.values()) opTotal += n;
    const poolSize = Math.max(400, Math.round(opTotal * 0.3 + inTotal * 0.5));
    this.pool = new PatientPool(
      hospital.codeStyle,
      hospital.region,
      poolSize,
      Prng.derive(ctx.seed, `${hospital.code}/patients`),
    );
    this.drgs = DRG_GROUPS.filter(
      (g) =>
        this.dict.wardsFor(g.dept).length > 0 &&
        (hospital.level > 1
          ? hospital.level >= g.minLevel
          : g.minLevel < 3 && g.kind === 'medical' && g.severity <= 1 && g.rw < 1.05 && g.mortality <= 0.01),
    );
    this.drgWeights = this.drgs.map((g) => {
      const level =
        hospital.level === 3 ? (g.rw >= 1.5 ? 1.4 : 1) : hospital.level === 2 ? (g.rw >= 1.5 ? 0.5 : 1.1) : 1;
      let tilt = 1;
      let best = '';
      for (const [prefix, f] of Object.entries(hospital.caseMix))
        if (g.dept.startsWith(prefix) && prefix.length > best.length) {
          best = prefix;
          tilt = f;
        }
      return g.weight * level * tilt;
    });
    const inByPeriod = new Map<string, number>();
    const opByPeriod = new Map<string, number>();
    for (const [year, total] of inpatientPerYear) {
      const ps = ctx.periods.filter((p) => p.year === year);
      const n = apportion(
        total,
        ps.map(
          (p) =>
            dischargeFactor(p.month) *
            this.drgs.reduce((s, g, i) => s + (this.drgWeights[i] ?? 0) * seasonFactor(g.season, p.month), 0),
        ),
      );
      ps.forEach((p, i) => inByPeriod.set(p.key, n[i] ?? 0));
    }
    for (const [year, total] of outpatientPerYear) {
      const ps = ctx.periods.filter((p) => p.year === year);
      const n = apportion(
        total,
        ps.map((p) => outpatientFactor(p.month) * (1 + 0.25 * (seasonFactor('respiratory', p.month) - 1))),
      );
      ps.forEach((p, i) => opByPeriod.set(p.key, n[i] ?? 0));
    }
    this.inpatientByPeriod = inByPeriod;
    this.outpatientByPeriod = opByPeriod;
    this.economy = new HospitalEconomy(hospital, this.dict, this.plans(inpatientPerYear, outpatientPerYear));
  }

  /** Expected yearly workload by department (annualised when a year is only partly generated). */
  private plans(
    inpatient: ReadonlyMap<number, number>,
    outpatient: ReadonlyMap<number, number>,
  ): PlannedYear[] {
    const totalWeight = this.drgWeights.reduce((a, b) => a + b, 0);
    const clinics = this.dict.departments.filter((d) => d.outpatient > 0);
    const opWeight = clinics.reduce((s, d) => s + d.outpatient, 0);
    const icu = this.dict.wardsFor('A28')[0];
    return [...inpatient.keys()].map((year) => {
      const months = this.ctx.periods.filter((p) => p.year === year).length;
      const annual = 12 / Math.max(1, months);
      const cases = (inpatient.get(year) ?? 0) * annual;
      const visits = (outpatient.get(year) ?? 0) * annual;
      const bedDays = new Map<string, number>();
      let surgeries = 0;
      this.drgs.forEach((g, i) => {
        const n = (cases * (this.drgWeights[i] ?? 0)) / totalWeight;
        const wards = this.dict.wardsFor(g.dept);
        let days = n * g.losMean * this.hospital.losFactor;
        if (icu && g.severity === 2) {
          const icuDays = n * 0.3 * 2.5;
          bedDays.set(icu.code, (bedDays.get(icu.code) ?? 0) + icuDays);
          days -= icuDays;
        }
        for (const w of wards) bedDays.set(w.code, (bedDays.get(w.code) ?? 0) + days / wards.length);
        if (CARE_PROFILES[g.profile]?.surgery) surgeries += n;
      });
      const visitMap = new Map(clinics.map((d) => [d.code, (visits * d.outpatient) / opWeight]));
      return { year, bedDays, visits: visitMap, surgeries, discharges: cases };
    });
  }

  /** HIS dictionaries and the ERP master data (floor area, pay scales, fixed assets); no period. */
  async writeDictionaries(): Promise<WrittenFile[]> {
    const depts = await this.open('his/departments');
    for (const d of this.dict.departments) depts.write(csvRow([d.code, d.name, d.deptClass, d.std]));
    const items = await this.open('his/charge_items');
    for (const i of this.dict.items) {
      items.write(
        `${i.code},${i.nameField},${i.std.category},${i.std.insuranceCode},${formatPrice(i.price)},${i.std.unit}`,
      );
    }
    const lastYear = this.ctx.periods.at(-1)?.year ?? 2025;
    const resources = this.economy.resources(lastYear);
    const area = await this.open('erp/floor_area');
    for (const d of this.dict.departments) {
      const r = resources.get(d.code);
      if (r) area.write(csvRow([d.code, d.name, r.building, String(r.m2), String(r.beds)]));
    }
    const pay = await this.open('erp/pay_scales');
    for (const year of new Set(this.ctx.periods.map((p) => p.year)))
      for (const [code, name, cls] of STAFF_CLASSES)
        pay.write(
          csvRow([
            String(year),
            code,
            name,
            String(this.economy.pay(year, cls)),
            this.economy.oncost.toFixed(2),
          ]),
        );
    const assets = await this.open('erp/fixed_assets');
    for (const a of this.economy.assets)
      assets.write(
        csvRow([
          a.id,
          a.dept.code,
          a.cls,
          a.name,
          formatCents(a.value),
          String(a.lifeMonths),
          a.inService,
          formatCents(a.monthly),
        ]),
      );
    return Promise.all([depts.close(), items.close(), area.close(), pay.close(), assets.close()]);
  }

  /** All files of one month, and the ERP/LIS files of the month two back. */
  async writeMonth(period: Period): Promise<MonthOutput> {
    const tag = `${this.hospital.code}/${period.key}`;
    const planRng = Prng.derive(this.ctx.seed, `${tag}/plan`);
    const lineRng = Prng.derive(this.ctx.seed, `${tag}/lines`);
    const defectRng = Prng.derive(this.ctx.seed, `${tag}/defects`);
    const scenarioRng = Prng.derive(this.ctx.seed, `${tag}/scenarios`);
    const clinicalRng = Prng.derive(this.ctx.seed, `${tag}/clinical`);
    const readmissionRng = Prng.derive(this.ctx.seed, `${tag}/readmissions`);
    const cases = this.planCases(period, planRng, scenarioRng, readmissionRng);
    const visits = this.planVisits(period, planRng);

    const open = (entity: Entity): Promise<CsvSink> => this.open(entity, period.key);
    const sinks = await Promise.all([
      open('his/outpatient_visits'),
      open('his/inpatient_visits'),
      open('his/charge_lines'),
      open('emr/front_pages'),
      open('emr/front_page_diagnoses'),
      open('emr/front_page_procedures'),
      open('emr/drg_groupings'),
      open('insurance/settlements'),
      open('insurance/settlement_diagnoses'),
      open('insurance/settlement_procedures'),
      open('insurance/settlement_charge_categories'),
      open('insurance/fund_payments'),
    ]);
    const [
      opSink,
      ipSink,
      lineSink,
      fpSink,
      fdSink,
      fprSink,
      grSink,
      stSink,
      sdSink,
      spSink,
      scSink,
      fuSink,
    ] = sinks;
    const charges = new ChargeLineWriter(
      lineSink,
      this.dict,
      this.ids,
      this.ctx.scheduler('his/charge_lines'),
      defectRng,
    );
    const emr = {
      frontPages: fpSink,
      diagnoses: fdSink,
      procedures: fprSink,
      frontPageDefects: this.ctx.scheduler('emr/front_pages'),
      diagnosisDefects: this.ctx.scheduler('emr/front_page_diagnoses'),
      procedureDefects: this.ctx.scheduler('emr/front_page_procedures'),
    };
    const insurance = {
      settlements: stSink,
      diagnoses: sdSink,
      procedures: spSink,
      categories: scSink,
      funds: fuSink,
      settlementDefects: this.ctx.scheduler('insurance/settlements'),
      diagnosisDefects: this.ctx.scheduler('insurance/settlement_diagnoses'),
      fundDefects: this.ctx.scheduler('insurance/fund_payments'),
    };
    const opDefects = this.ctx.scheduler('his/outpatient_visits');
    const ipDefects = this.ctx.scheduler('his/inpatient_visits');
    const sinksOf = { charges, ipSink, ipDefects, emr, insurance, groupings: grSink, clinicalRng };

    let ci = 0;
    let vi = 0;
    let events = 0;
    while (ci < cases.length || vi < visits.length) {
      const c = cases[ci];
      const v = visits[vi];
      if (c && (!v || c.dischargeTime <= v.time)) {
        ci++;
        this.writeCase(period, c, lineRng, defectRng, scenarioRng, sinksOf);
      } else if (v) {
        vi++;
        const lines = buildOutpatientLines(v, this.dict, lineRng);
        charges.writeVisit('O', v.visitId, lines, (line) =>
          this.tally(line, period).add('O', line, clean(line)),
        );
        this.writeOutpatientRow(v, opSink, opDefects, defectRng);
        this.tallyAt(Math.floor(v.time / SECONDS_PER_DAY), period).addVisit(v.dept.code);
      }
      if (++events % READY_EVERY === 0) await Promise.all(sinks.map((s) => s.ready()));
    }
    const index = this.ctx.periods.findIndex((p) => p.key === period.key);
    const extra: WrittenFile[] = [];
    // The run's last month: the stays still in bed at its end, their lines into this month's file.
    if (index === this.ctx.periods.length - 1) extra.push(...(await this.writeOpenStays(period, lineSink)));
    const files = await Promise.all(sinks.map((s) => s.close()));
    const chargeLines = lineSink.rows; // after close: includes duplicates released at the end
    for (const p of this.ctx.periods.slice(0, Math.max(0, index - LEDGER_LAG + 1)))
      if (!this.written.has(p.key)) extra.push(...(await this.writeMonthlyLedgers(p)));
    return {
      files: [...files, ...extra],
      inpatientCases: cases.length,
      outpatientVisits: visits.length,
      chargeLines,
    };
  }

  /**
   * The stays in bed at the run's cut-off (the end of its last month, `period`): stays planned as
   * the following month's discharges, with the same groups, coding and charge lines as any other,
   * of which those admitted by the cut-off are kept. Delivered as a census snapshot dated the
   * cut-off (在院患者清单) with the diagnoses recorded by then (入院诊断 at admission, the others
   * later in the stay), the procedures performed by then (at their planned times: procedureTime),
   * and their charge lines charged by then, clean, in this month's charge-line
   * file (`lineSink`), tallied by month of use like every other line. Own random streams: nothing
   * else the run writes shifts.
   */
  private async writeOpenStays(period: Period, lineSink: CsvSink): Promise<WrittenFile[]> {
    const tag = `${this.hospital.code}/${period.key}/open-stays`;
    const rng = Prng.derive(this.ctx.seed, `${tag}/plan`);
    const again = Prng.derive(this.ctx.seed, `${tag}/readmissions`);
    const lineRng = Prng.derive(this.ctx.seed, `${tag}/lines`);
    const dxRng = Prng.derive(this.ctx.seed, `${tag}/diagnoses`);
    const cutoffDay = period.firstDay + period.days - 1;
    const cutoff = (cutoffDay + 1) * SECONDS_PER_DAY - 1;
    const snapshotDate = formatDate(cutoffDay);
    const nextMonth = (period.month % 12) + 1;
    const weights = this.drgs.map((g, i) => (this.drgWeights[i] ?? 0) * seasonFactor(g.season, nextMonth));
    const dayWeights = Array.from({ length: period.days }, (_, d) => dischargeDayWeight(cutoffDay + 1 + d));
    const n = this.inpatientByPeriod.get(period.key) ?? 0;
    const planned: Omit<InpatientCase, 'visitId'>[] = [];
    for (let i = 0; i < n; i++) {
      const drg = this.drgs[rng.weightedIndex(weights)];
      if (!drg) continue;
      const dischargeDay = cutoffDay + 1 + rng.weightedIndex(dayWeights);
      const c = planInpatientCase(
        {
          dict: this.dict,
          drg,
          dischargeDay,
          losFactor: this.hospital.losFactor,
          drawPatient: (filter, onDay) => this.drawInpatient(rng, again, filter, onDay, dischargeDay),
        },
        rng,
      );
      if (c.admitTime > cutoff) continue;
      const stays = this.staysByPatient.get(c.patient.index) ?? [];
      stays.push([Math.floor(c.admitTime / SECONDS_PER_DAY), dischargeDay]);
      this.staysByPatient.set(c.patient.index, stays);
      planned.push(c);
    }
    planned.sort((a, b) => a.admitTime - b.admitTime);
    const census = await this.open('his/inpatient_census', snapshotDate);
    const diagnoses = await this.open('his/inpatient_census_diagnoses', snapshotDate);
    const procedures = await this.open('his/inpatient_census_procedures', snapshotDate);
    const pxRng = Prng.derive(this.ctx.seed, `${tag}/procedures`);
    const clean = new ChargeLineWriter(
      lineSink,
      this.dict,
      this.ids,
      new DefectScheduler(this.ctx.seed, 'open-stays', []),
      lineRng,
    );
    for (const planCase of planned) {
      const c: InpatientCase = {
        ...planCase,
        visitId: this.ids.inpatient(Math.floor(planCase.admitTime / SECONDS_PER_DAY)),
      };
      const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
      const dept = cutoffDay - admitDay < c.icuDays ? c.admitDept : c.ward;
      const p = c.patient;
      census.write(
        csvRow([
          formatTimestamp(cutoff),
          c.visitId,
          p.id,
          String(p.gender),
          formatDate(p.birthDay),
          formatTimestamp(c.admitTime),
          c.admitDept.code,
          dept.code,
          p.insurance,
        ]),
      );
      // 入院诊断 (the principal and what was present on admission) within hours of admission; the
      // others when found, somewhere in the stay as planned: those after the cut-off are not yet there.
      const onAdmission = c.admitTime + dxRng.int(600, 2 * HOUR);
      const recorded = c.diagnoses
        .map((d) => ({
          d,
          at:
            d.main || d.admCond === '1'
              ? onAdmission
              : c.admitTime + Math.round(dxRng.uniform(0.15, 0.9) * (c.dischargeTime - c.admitTime)),
        }))
        .filter((r) => r.at <= cutoff);
      recorded.forEach(({ d, at }, i) =>
        diagnoses.write(
          csvRow([
            c.visitId,
            String(i + 1),
            d.code,
            diagnosis(d.code).name,
            d.main ? '1' : '0',
            d.main || d.admCond === '1' ? '入院诊断' : '补充诊断',
            formatTimestamp(at),
          ]),
        ),
      );
      // Procedures when performed: the operation at its planned time, the others (ventilation on
      // the ICU admission day, a medical group's procedure) during their planned day; those after
      // the cut-off are not yet done.
      const timed = c.procedures.map((pr) => ({ pr, at: procedureTime(c, pr, pxRng) }));
      const performed = timed.filter((r) => r.at <= cutoff);
      performed.forEach(({ pr, at }, i) =>
        procedures.write(
          csvRow([
            c.visitId,
            String(i + 1),
            pr.code,
            procedure(pr.code).name,
            pr.main ? '1' : '0',
            formatTimestamp(at),
          ]),
        ),
      );
      const lines = supportComplications(
        c,
        buildInpatientLines(c, this.dict, lineRng),
        this.dict,
        new Set(),
      ).filter((l) => l.time <= cutoff);
      let charges = 0;
      let count = 0;
      clean.writeVisit('I', c.visitId, lines, (line, cents) => {
        charges += cents;
        count++;
        this.tally(line, period).add('I', line, cents);
      });
      this.openStays.push({
        hospital: this.hospital.code,
        visitId: c.visitId,
        snapshotDate,
        admitTime: formatTimestamp(c.admitTime),
        currentDept: dept.code,
        daysInBed: cutoffDay - admitDay + 1,
        plannedDrg: c.drg.code,
        plannedDiagnoses: c.diagnoses.map((d) => d.code),
        plannedProcedures: c.procedures.map((pr) => pr.code),
        plannedProcedureTimes: timed.map((r) => formatTimestamp(r.at)),
        diagnosesSoFar: recorded.map((r) => r.d.code),
        proceduresSoFar: performed.map((r) => r.pr.code),
        chargesToDate: charges,
        chargeLines: count,
      });
    }
    return Promise.all([census.close(), diagnoses.close(), procedures.close()]);
  }

  /** The ERP/LIS files of the months not yet written (after the last month). */
  async finish(): Promise<WrittenFile[]> {
    const out: WrittenFile[] = [];
    for (const p of this.ctx.periods)
      if (!this.written.has(p.key)) out.push(...(await this.writeMonthlyLedgers(p)));
    return out;
  }

  /** The tally of a line's month of use (its discharge period when that month is not generated). */
  private tally(line: ChargeDraft, filePeriod: Period): MonthTally {
    return this.tallyAt(Math.floor(line.time / SECONDS_PER_DAY), filePeriod);
  }

  private tallyAt(day: number, filePeriod: Period): MonthTally {
    let key = monthKey(day);
    if (!this.inRun(key)) key = filePeriod.key;
    let t = this.tallies.get(key);
    if (!t) {
      t = new MonthTally();
      this.tallies.set(key, t);
    }
    return t;
  }

  private inRun(key: string): boolean {
    return this.inpatientByPeriod.has(key);
  }

  private writeCase(
    period: Period,
    c: PlannedCase,
    lineRng: Prng,
    defectRng: Prng,
    scenarioRng: Prng,
    s: {
      charges: ChargeLineWriter;
      ipSink: CsvSink;
      ipDefects: DefectScheduler;
      emr: Parameters<typeof writeFrontPage>[0];
      insurance: Parameters<typeof writeSettlement>[0];
      groupings: CsvSink;
      clinicalRng: Prng;
    },
  ): void {
    const h = this.hospital;
    const clinical = clinicalRecord(c, this.doctors, s.clinicalRng);
    let lines = buildInpatientLines(c, this.dict, lineRng);
    // The lines bill what the coded diagnoses need, except a diagnosis added to upcode the stay.
    const upcoded = c.scenarios.includes('upcoding') ? UPCODING[c.drg.code]?.[1] : undefined;
    lines = supportComplications(c, lines, this.dict, new Set(upcoded ? [upcoded] : []));
    if (c.scenarios.includes('low_standard_admission')) lines = observationOnly(lines);
    else if (LOW_STANDARD.has(c.drg.code) && c.los <= SHORT_STAY_DAYS)
      lines = withTreatment(c, lines, this.dict);
    if (c.scenarios.includes('cost_overrun'))
      // More intensive treatment than the group pays for: three times the drugs and materials.
      lines = lines.map((l) =>
        ['08', '09', '10', '11'].includes(l.item.std.category) ? { ...l, qty: l.qty * 3 } : l,
      );
    let duplicate: ChargeDraft | undefined;
    if (scenarioRng.chance(0.008) && lines.length > 4) {
      const src = lines[scenarioRng.int(1, lines.length - 2)];
      if (src && src.item.std.category !== '01' && src.item.std.category !== '07') {
        duplicate = { ...src };
        lines.splice(lines.indexOf(src) + 1, 0, duplicate);
      }
    }
    const amounts = new CaseAmounts();
    let cleanTotal = 0;
    const overPriced: string[] = [];
    const scenarios = [...c.scenarios];
    s.charges.writeVisit('I', c.visitId, lines, (line, cents, lineId, defect) => {
      amounts.add(line, cents);
      const ok = clean(line);
      cleanTotal += ok;
      this.tally(line, period).add('I', line, ok);
      if (line === duplicate)
        this.plant('duplicate_charge', period, lineId, `${c.visitId} ${line.item.code}`);
      if (defect === 'price_spike') overPriced.push(lineId);
    });
    if (duplicate) scenarios.push('duplicate_charge');
    for (const lineId of overPriced) this.plant('over_priced_charge', period, lineId, c.visitId);
    if (overPriced.length > 0) scenarios.push('over_priced_charge');
    const dischargeDay = Math.floor(c.dischargeTime / SECONDS_PER_DAY);
    this.tallyAt(dischargeDay, period).addDischarge(c.ward.code);
    if (c.surgeryDay >= 0)
      this.tallyAt(Math.floor(c.surgeryTime / SECONDS_PER_DAY), period).addSurgery(c.ward.code);

    const p = c.patient;
    const kind = s.ipDefects.take();
    let admit = c.admitTime;
    if (kind === 'discharge_before_admission') {
      const monthEnd = this.monthEnd(c.dischargeTime);
      admit =
        c.dischargeTime +
        defectRng.int(600, Math.max(601, Math.min(48 * HOUR, monthEnd - c.dischargeTime - 60)));
    }
    const row = csvRow([
      c.visitId,
      kind === 'missing_required' ? '' : p.id,
      String(p.gender),
      formatDate(p.birthDay),
      formatTimestamp(admit),
      formatTimestamp(c.dischargeTime),
      c.admitDept.code,
      kind === 'unknown_department' ? defectRng.pick(this.dict.unknownDeptCodes) : c.ward.code,
      c.dischargeWay,
      p.insurance,
      formatCents(amounts.total),
    ]);
    s.ipSink.write(row, kind === 'duplicate_row' ? undefined : kind, c.visitId);
    if (kind === 'duplicate_row') s.ipSink.duplicateLater(row, c.visitId, defectRng.int(1, 12));

    const mainDiag = c.diagnoses.find((d) => d.main)?.code ?? '';
    const mainOprn = c.procedures.find((x) => x.main)?.code;
    const terms = this.ctx.policy.terms(h, p.insurance, c.coded, period.year, mainDiag, mainOprn);
    const trueTerms = this.ctx.policy.terms(h, p.insurance, c.drg, period.year, mainDiag, mainOprn);
    const standard = terms.standard;
    const outlier: CaseFact['outlier'] =
      standard <= 0
        ? ''
        : cleanTotal > highOutlierRatio(terms.method === 'DRG' ? terms.rw : terms.dipScore / 100) * standard
          ? 'high'
          : cleanTotal < LOW_OUTLIER_RATIO * standard
            ? 'low'
            : '';
    for (const want of ['high_outlier', 'low_outlier'] as const) {
      const i = scenarios.indexOf(want);
      if (i < 0) continue;
      if ((want === 'high_outlier' && outlier === 'high') || (want === 'low_outlier' && outlier === 'low'))
        this.plant(want, period, c.visitId, `${(cleanTotal / standard).toFixed(2)} × 支付标准`);
      else scenarios.splice(i, 1);
    }
    for (const sc of scenarios) {
      if (sc === 'upcoding')
        this.plant(
          sc,
          period,
          c.visitId,
          `${c.drg.code} → ${c.coded.code}（${UPCODING[c.drg.code]?.[1] ?? ''}）`,
        );
      if (sc === 'low_risk_death' || sc === 'low_standard_admission' || sc === 'cost_overrun')
        this.plant(sc, period, c.visitId, `${c.drg.code} ${c.los} 天`);
      if (sc === 'split_admission') this.plant(sc, period, c.visitId, `前次住院 ${c.firstStay ?? ''}`);
    }

    s.groupings.write(
      csvRow([
        c.visitId,
        p.medcasno,
        p.insurance,
        c.coded.code,
        c.coded.name,
        terms.rw.toFixed(4),
        'CHS-DRG 1.1',
      ]),
    );

    let result: ReturnType<typeof settle> | undefined;
    let status = '';
    if (p.insurance !== '999') {
      result = settle(
        h,
        p.insurance,
        terms,
        amounts.categories,
        this.refusal(scenarios, scenarioRng),
        defectRng,
      );
    }
    const selfPay = result ? result.selfpay + result.ownpay : amounts.total;
    writeFrontPage(s.emr, c, amounts, selfPay, defectRng, clinical);
    if (result) {
      const index = this.ctx.periods.findIndex((x) => x.key === period.key);
      const pending = index >= this.ctx.periods.length - 2 || scenarioRng.chance(0.01);
      status = pending ? '待审核' : result.refused > 0 ? '部分拒付' : '已清算';
      const next = period.month === 12 ? `${period.year + 1}-01` : `${period.year}-${pad2(period.month + 1)}`;
      writeSettlement(
        s.insurance,
        h,
        this.ids,
        c,
        amounts,
        result,
        clinical,
        {
          declareDate: `${next}-${pad2(scenarioRng.int(5, 15))}`,
          status,
        },
        defectRng,
      );
    }
    this.cases.push({
      hospital: h,
      visitId: c.visitId,
      period: period.key,
      year: period.year,
      dischargeDate: formatDate(dischargeDay),
      insurance: p.insurance,
      trueDrg: c.drg,
      trueRw: trueTerms.rw,
      coded: terms,
      mainDiag,
      mainOprn: mainOprn ?? '',
      cleanTotal,
      los: c.los,
      died: c.dischargeWay === '5',
      outlier,
      scenarios,
      status,
      refused: result?.refused ?? 0,
      refuseReason: result?.refuseReason ?? '',
      clinical,
    });
  }

  /** The payer's review: planted scenarios are often caught, a few other claims are cut too. */
  private refusal(scenarios: readonly string[], rng: Prng): Refusal | undefined {
    const caught: Readonly<Record<string, readonly [string, number]>> = {
      split_admission: ['R02', 0.6],
      upcoding: ['R03', 0.5],
      low_standard_admission: ['R04', 0.5],
      duplicate_charge: ['R05', 0.7],
      over_priced_charge: ['R01', 0.5],
    };
    for (const sc of scenarios) {
      const rule = caught[sc];
      if (rule && rng.chance(rule[1])) return { reason: rule[0], share: rng.uniform(0.05, 0.4) };
    }
    if (rng.chance(0.015)) return { reason: rng.chance(0.5) ? 'R06' : 'R07', share: rng.uniform(0.02, 0.15) };
    return undefined;
  }

  private plant(scenario: string, period: Period, key: string, detail: string): void {
    this.scenarios.push({ scenario, hospital: this.hospital.code, period: period.key, key, detail });
  }

  private writeOutpatientRow(v: OutpatientVisit, sink: CsvSink, defects: DefectScheduler, rng: Prng): void {
    const kind = defects.take();
    const p = v.patient;
    const row = csvRow([
      v.visitId,
      kind === 'missing_required' ? '' : p.id,
      String(p.gender),
      formatDate(p.birthDay),
      formatTimestamp(v.time),
      kind === 'unknown_department' ? rng.pick(this.dict.unknownDeptCodes) : v.dept.code,
      p.insurance,
    ]);
    sink.write(row, kind === 'duplicate_row' ? undefined : kind, v.visitId);
    if (kind === 'duplicate_row') sink.duplicateLater(row, v.visitId, rng.int(1, 30));
  }

  /**
   * A patient for a stay from `admitDay` to `dischargeDay`: drawn as always from the plan stream,
   * and, when that patient has another stay within READMISSION_CLEARANCE_DAYS, drawn again from a
   * stream of its own (so the plan stream's other draws do not shift).
   */
  private drawInpatient(
    rng: Prng,
    again: Prng,
    filter: { sex?: 1 | 2; ageMin: number; ageMax: number },
    admitDay: number,
    dischargeDay: number,
  ): InpatientCase['patient'] {
    let patient = this.pool.draw(rng, filter, admitDay);
    for (let i = 0; i < 200 && this.staysNear(patient.index, admitDay, dischargeDay); i++)
      patient = this.pool.draw(again, filter, admitDay);
    return patient;
  }

  /** Whether the patient has a stay, other than `except`, within the clearance of this one. */
  private staysNear(
    index: number,
    admitDay: number,
    dischargeDay: number,
    except?: readonly number[],
  ): boolean {
    return (this.staysByPatient.get(index) ?? []).some(
      ([a, d]) =>
        !(except && a === except[0] && d === except[1]) &&
        admitDay <= d + READMISSION_CLEARANCE_DAYS &&
        a <= dischargeDay + READMISSION_CLEARANCE_DAYS,
    );
  }

  private planCases(period: Period, rng: Prng, srng: Prng, readmissionRng: Prng): PlannedCase[] {
    const h = this.hospital;
    const n = this.inpatientByPeriod.get(period.key) ?? 0;
    const overrun = h.code === OVERRUN.hospital && period.key === OVERRUN.from.slice(0, 7);
    const weights = this.drgs.map(
      (g, i) =>
        (this.drgWeights[i] ?? 0) *
        seasonFactor(g.season, period.month) *
        (overrun && g.code === OVERRUN.drg ? 4 : 1),
    );
    const dayWeights = Array.from({ length: period.days }, (_, d) => dischargeDayWeight(period.firstDay + d));
    const lastDay = period.firstDay + period.days - 1;
    const planned: Omit<PlannedCase, 'visitId'>[] = [];
    const plan = (
      drg: DrgGroup,
      dischargeDay: number,
      extra: { los?: number; dies?: boolean; patient?: InpatientCase['patient'] } = {},
    ): Omit<InpatientCase, 'visitId'> => {
      const c = planInpatientCase(
        {
          dict: this.dict,
          drg,
          dischargeDay,
          losFactor: h.losFactor,
          ...(extra.los === undefined ? {} : { los: extra.los }),
          ...(extra.dies === undefined ? {} : { dies: extra.dies }),
          drawPatient: (filter, onDay) =>
            extra.patient ?? this.drawInpatient(rng, readmissionRng, filter, onDay, dischargeDay),
        },
        rng,
      );
      const stays = this.staysByPatient.get(c.patient.index) ?? [];
      stays.push([Math.floor(c.admitTime / SECONDS_PER_DAY), dischargeDay]);
      this.staysByPatient.set(c.patient.index, stays);
      return c;
    };
    for (let i = 0; i < n; i++) {
      const drg = this.drgs[rng.weightedIndex(weights)];
      if (!drg) continue;
      const dischargeDay = period.firstDay + rng.weightedIndex(dayWeights);
      const scenarios: string[] = [];
      let los: number | undefined;
      let dies: boolean | undefined;
      const day = formatDate(dischargeDay);
      const r = srng.float();
      if (overrun && drg.code === OVERRUN.drg && day >= OVERRUN.from && day <= OVERRUN.to) {
        los = Math.round(drg.losMean * h.losFactor * srng.uniform(1.6, 2.2));
        scenarios.push('cost_overrun');
      } else if (r < 0.006 && drg.losMean >= 4) {
        los = Math.round(drg.losMean * h.losFactor * srng.uniform(4.5, 6));
        scenarios.push('high_outlier');
      } else if (r < 0.011 && drg.losMean >= 5) {
        los = 1;
        scenarios.push('low_outlier');
      } else if (r < 0.0125 && drg.mortality <= 0.002 && drg.rw < 1.2 && drg.ageMin >= 16) {
        dies = true;
        scenarios.push('low_risk_death');
      } else if (LOW_STANDARD.has(drg.code) && srng.chance(h.lowStandardRate)) {
        los = srng.int(1, 2);
        scenarios.push('low_standard_admission');
      }
      const drawn = plan(drg, dischargeDay, {
        ...(los === undefined ? {} : { los }),
        ...(dies ? { dies } : {}),
      });
      // A low-standard admission is for the minor condition alone: no complication to treat.
      const base = scenarios.includes('low_standard_admission')
        ? { ...drawn, diagnoses: drawn.diagnoses.filter((d) => d.main || !CC_SUPPORTING_ITEMS[d.code]) }
        : drawn;
      let coded = drg;
      let c: Omit<InpatientCase, 'visitId'> = base;
      const up = UPCODING[drg.code];
      if (up && scenarios.length === 0 && srng.chance(h.upcodingRate)) {
        const sibling = DRG_BY_CODE.get(up[0]);
        if (sibling && !base.diagnoses.some((d) => d.code === up[1])) {
          coded = sibling;
          c = { ...base, diagnoses: [...base.diagnoses, { code: up[1], main: false, admCond: '4' }] };
          scenarios.push('upcoding');
        }
      }
      planned.push({ ...c, coded, scenarios });
      // 分解住院: the same patient back within 15 days for the same condition, same month, at
      // SPLIT_RATE of the stays without another scenario. The rate accrues over the hospital's
      // stays and a split is planted whenever a whole one is due (the next stay that can take it:
      // not too late in the month, no other stay of the patient near), so even a small demo plants
      // its share rather than what a run of draws happens to give.
      if (scenarios.length === 0) this.splitsDue += SPLIT_RATE;
      if (scenarios.length === 0 && this.splitsDue >= 1) {
        if (dischargeDay + 4 > lastDay) continue;
        const gap = srng.int(1, Math.min(14, lastDay - dischargeDay - 2));
        const los2 = srng.int(2, Math.max(2, Math.min(6, lastDay - dischargeDay - gap)));
        const first = [Math.floor(c.admitTime / SECONDS_PER_DAY), dischargeDay];
        // Not when the patient has another stay near the readmission: that one would look split too.
        if (this.staysNear(c.patient.index, dischargeDay + gap, dischargeDay + gap + los2, first)) continue;
        this.splitsDue -= 1;
        const second = plan(drg, dischargeDay + gap + los2, { los: los2, patient: c.patient });
        planned.push({
          ...second,
          coded: drg,
          scenarios: ['split_admission'],
          firstStay: `#${planned.length - 1}`,
        });
      }
    }
    const order = planned
      .map((c, i) => ({ c, i }))
      .sort((a, b) => a.c.dischargeTime - b.c.dischargeTime || a.i - b.i);
    const ids = new Map<number, string>();
    const out: PlannedCase[] = [];
    for (const { c, i } of [...order].sort((a, b) => a.c.admitTime - b.c.admitTime || a.i - b.i))
      ids.set(i, this.ids.inpatient(Math.floor(c.admitTime / SECONDS_PER_DAY)));
    for (const { c, i } of order) {
      const firstStay = c.firstStay ? ids.get(Number(c.firstStay.slice(1))) : undefined;
      out.push({ ...c, visitId: ids.get(i) ?? '', ...(firstStay ? { firstStay } : {}) });
    }
    return out;
  }

  private planVisits(period: Period, rng: Prng): OutpatientVisit[] {
    const n = this.outpatientByPeriod.get(period.key) ?? 0;
    const clinics = this.dict.departments.filter((d) => d.outpatient > 0);
    const resp = seasonFactor('respiratory', period.month);
    const weights = clinics.map((d) => d.outpatient * (d.std === 'A07' || d.std === 'A03.01' ? resp : 1));
    const dayWeights = Array.from({ length: period.days }, (_, d) =>
      outpatientDayWeight(period.firstDay + d),
    );
    const out: Omit<OutpatientVisit, 'visitId'>[] = [];
    for (let i = 0; i < n; i++) {
      const dept = clinics[rng.weightedIndex(weights)];
      if (!dept) continue;
      const day = period.firstDay + rng.weightedIndex(dayWeights);
      const secs =
        dept.std === 'A20'
          ? rng.int(0, 24 * HOUR - 1800)
          : rng.chance(0.68)
            ? rng.int(7.75 * HOUR, 11.75 * HOUR)
            : rng.int(13.5 * HOUR, 17 * HOUR);
      const patient = this.pool.draw(rng, clinicPatientFilter(dept.std), day);
      out.push({ patient, dept, time: day * SECONDS_PER_DAY + secs });
    }
    out.sort((a, b) => a.time - b.time);
    return out.map((v) => ({ ...v, visitId: this.ids.outpatient(Math.floor(v.time / SECONDS_PER_DAY)) }));
  }

  private async writeMonthlyLedgers(period: Period): Promise<WrittenFile[]> {
    this.written.add(period.key);
    const h = this.hospital;
    const tally = this.tallies.get(period.key) ?? new MonthTally();
    this.tallies.delete(period.key);
    const rng = Prng.derive(this.ctx.seed, `${h.code}/${period.key}/erp`);
    const [ledger, heads, purchases, drivers, split, lab] = await Promise.all([
      this.open('erp/cost_ledger', period.key),
      this.open('erp/headcount', period.key),
      this.open('erp/purchases', period.key),
      this.open('erp/allocation_drivers', period.key),
      this.open('erp/service_split', period.key),
      this.open('lab/workload', period.key),
    ]);
    const resources = this.economy.resources(period.year);
    for (const d of this.dict.departments) {
      const r = resources.get(d.code);
      if (!r) continue;
      const st = r.staff;
      const total = st.doctors + st.nurses + st.technicians + st.admin;
      heads.write(
        csvRow([
          period.key,
          d.code,
          d.name,
          st.doctors.toFixed(2),
          st.nurses.toFixed(2),
          st.technicians.toFixed(2),
          st.admin.toFixed(2),
          total.toFixed(2),
        ]),
      );
    }

    const cells = this.economy.monthCosts(period, tally, (item) => purchasePrice(item, period));
    const ledgerDefects = this.ctx.scheduler('erp/cost_ledger');
    const byDept = new Map<string, number[]>();
    const itemName = new Map(COST_ITEMS);
    for (const cell of cells) {
      const sub = COST_SUBITEMS.find(([code]) => code === cell.subitem);
      const item = sub?.[2] ?? '07';
      const costs = byDept.get(cell.dept.code) ?? new Array<number>(COST_ITEMS.length).fill(0);
      costs[Number(item) - 1] = (costs[Number(item) - 1] ?? 0) + cell.cents;
      byDept.set(cell.dept.code, costs);
      const kind = ledgerDefects.take();
      const deptCode = kind === 'unknown_department' ? rng.pick(this.dict.unknownDeptCodes) : cell.dept.code;
      ledger.write(
        csvRow([
          period.key,
          deptCode,
          cell.dept.name,
          item,
          itemName.get(item) ?? '',
          cell.subitem,
          sub?.[1] ?? '',
          formatCents(kind === 'negative_amount' ? -cell.cents : cell.cents),
        ]),
        kind,
        `${deptCode}:${item}:${cell.subitem}`,
      );
    }

    // Purchases: what was used, bought at the month's price; reagents and films by test and exam.
    const bought = new Map<string, { name: string; cls: string; qty: number; price: number }>();
    for (const use of tally.usage.values()) {
      const i = use.item;
      const cat = i.std.category;
      const e = bought.get(i.code) ?? {
        name: i.nameField,
        cls: cat === '08' ? '卫生材料' : cat === '09' ? '西药' : cat === '11' ? '中成药' : '中药饮片',
        qty: 0,
        price: purchasePrice(i, period),
      };
      e.qty += use.qty;
      bought.set(i.code, e);
    }
    for (const [code, e] of [...bought].sort(([a], [b]) => (a < b ? -1 : 1)))
      purchases.write(
        `${period.key},${code},${e.name},${e.cls},${(e.qty / 100).toFixed(2)},${formatPrice(e.price)},${formatCents(lineAmountCents(e.qty, e.price))}`,
      );

    // Allocation drivers.
    const driverRows: string[][] = [];
    const driver = (
      code: string,
      name: string,
      service: HospitalDept | undefined,
      map: ReadonlyMap<string, number>,
      unit: string,
      per = 1,
    ): void => {
      if (!service) return;
      for (const [dept, q] of [...map].sort(([a], [b]) => (a < b ? -1 : 1)))
        if (q * per > 0)
          driverRows.push([period.key, code, name, service.code, dept, (q * per).toFixed(1), unit]);
    };
    const labBy = new Map<string, number>();
    const imgBy = new Map<string, number>();
    for (const c of tally.workload.values()) {
      const target = c.examType.startsWith('RIS') ? imgBy : labBy;
      target.set(c.orderDept, (target.get(c.orderDept) ?? 0) + c.count);
    }
    const packs = new Map<string, number>();
    for (const [ward, days] of tally.bedDays) packs.set(ward, (packs.get(ward) ?? 0) + days * 0.15);
    for (const [clinic, v] of tally.visits) packs.set(clinic, (packs.get(clinic) ?? 0) + v * 0.02);
    const theatre = this.dict.deptsFor('B01')[0];
    if (theatre) packs.set(theatre.code, (packs.get(theatre.code) ?? 0) + tally.surgeryCount * 3);
    const sterile = this.dict.deptsFor('C01')[0];
    const logistics = this.dict.deptsFor('D03')[0];
    const cashiers = this.dict.deptsFor('C03');
    driver('STERILE_PACKS', '消毒供应包', sterile, packs, '包');
    driver('LAUNDRY_KG', '被服洗涤', logistics, tally.bedDays, '公斤', 1.6);
    driver('MEALS', '病员膳食', logistics, tally.bedDays, '份', 3);
    driver('IP_DISCHARGES', '住院结算人次', cashiers[1] ?? cashiers[0], tally.discharges, '人次');
    driver('OP_REGISTRATIONS', '门诊挂号人次', cashiers[0], tally.visits, '人次');
    driver('LAB_TESTS', '检验项目数', this.dict.deptsFor('A30')[0], labBy, '项');
    driver('IMAGING_EXAMS', '影像检查人次', this.dict.deptsFor('A32')[0], imgBy, '人次');
    for (const r of driverRows) drivers.write(csvRow(r));

    // Departments serving outpatients and inpatients: how their cost splits.
    for (const d of this.dict.departments) {
      let op = 0;
      let ip = 0;
      let basis = '';
      if (d.deptClass === '临床服务类') {
        op = (tally.visits.get(d.code) ?? 0) * 0.5;
        ip = (tally.bedDays.get(d.code) ?? 0) * 2;
        basis = '工作量工时（门诊人次×0.5，住院床日×2）';
      } else if (d.std === 'A30' || d.std === 'A32' || d.std === 'A31') {
        op = tally.examsByExec.get(`${d.code}|O`) ?? 0;
        ip = tally.examsByExec.get(`${d.code}|I`) ?? 0;
        basis = '检查检验人次';
      } else if (d.std === 'B02') {
        op = tally.revenueByType.O > 0 ? tally.outpatientVisits : 0;
        ip = tally.inpatientDays;
        basis = '调剂处方数（门诊人次、住院床日）';
      }
      if (op <= 0 || ip <= 0) continue;
      const share = Math.round((op / (op + ip)) * 10_000) / 10_000;
      split.write(csvRow([period.key, d.code, d.name, share.toFixed(4), (1 - share).toFixed(4), basis]));
    }

    const labDefects = this.ctx.scheduler('lab/workload');
    const workload = [...tally.workload.values()].sort((a, b) =>
      a.orderDept === b.orderDept
        ? a.execDept === b.execDept
          ? a.examType < b.examType
            ? -1
            : 1
          : a.execDept < b.execDept
            ? -1
            : 1
        : a.orderDept < b.orderDept
          ? -1
          : 1,
    );
    for (const cell of workload) {
      const kind = labDefects.take();
      const order = kind === 'unknown_department' ? rng.pick(this.dict.unknownDeptCodes) : cell.orderDept;
      lab.write(
        csvRow([
          period.key,
          order,
          cell.execDept,
          cell.examType,
          EXAM_TYPES[cell.examType] ?? '',
          String(Math.round(cell.count)),
          formatCents(cell.revenue),
        ]),
        kind,
        `${order}:${cell.execDept}:${cell.examType}`,
      );
    }

    // Ground truth of the month.
    const totals = new Array<number>(COST_ITEMS.length).fill(0);
    let drugs = 0;
    let materials = 0;
    for (const d of this.dict.departments) {
      const costs = byDept.get(d.code) ?? new Array<number>(COST_ITEMS.length).fill(0);
      costs.forEach((c, i) => (totals[i] = (totals[i] ?? 0) + c));
      const rev = tally.byOrderDept.get(d.code);
      const revenue =
        d.deptClass === '医疗技术类'
          ? (tally.byExecDept.get(d.code) ?? 0)
          : rev
            ? rev.drugs + rev.materials + rev.services
            : 0;
      if (rev) {
        drugs += rev.drugs;
        materials += rev.materials;
      }
      if (revenue > 0 || costs.some((c) => c > 0))
        this.deptMonths.push({ hospital: h.code, period: period.key, dept: d, revenue, costs });
    }
    this.hospitalMonths.push({
      hospital: h.code,
      period: period.key,
      revenue: tally.revenue(),
      revenueDrugs: drugs,
      revenueMaterials: materials,
      revenueOutpatient: tally.revenueByType.O,
      revenueInpatient: tally.revenueByType.I,
      costs: totals,
      discharges: tally.dischargeCount,
      outpatientVisits: tally.outpatientVisits,
      bedDays: tally.inpatientDays,
    });
    return Promise.all([ledger, heads, purchases, drivers, split, lab].map((s) => s.close()));
  }

  private monthEnd(time: number): number {
    const day = Math.floor(time / SECONDS_PER_DAY);
    const s = formatDate(day);
    const y = Number(s.slice(0, 4));
    const m = Number(s.slice(5, 7));
    return Math.floor(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) / 1000) - 1;
  }

  private open(entity: Entity, period?: string): Promise<CsvSink> {
    const h = this.hospital;
    return CsvSink.open(
      this.ctx.outDir,
      filePath(h.code, entity, period),
      h.encoding,
      headerFor(entity, h.headerLanguage),
      this.ctx.log,
    );
  }
}

/** A line's amount at the dictionary price (what it is without any planted defect), cents. */
function clean(line: ChargeDraft): number {
  return lineAmountCents(line.qty, line.item.price);
}

export { PROCUREMENT_CUTS, REFUSAL_REASONS };
