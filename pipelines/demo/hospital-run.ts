import { EXAM_TYPES } from './catalog/charge-items.ts';
import { DRG_GROUPS, type DrgGroup } from './catalog/drg-groups.ts';
import { SECONDS_PER_DAY, formatDate, formatTimestamp, type Period } from './calendar.ts';
import { CaseAmounts } from './case-amounts.ts';
import { ChargeLineWriter } from './charge-line-writer.ts';
import { csvRow, formatCents, formatPrice } from './csv-format.ts';
import { CsvSink, type WrittenFile } from './csv-sink.ts';
import type { DefectLog } from './defect-log.ts';
import type { DefectScheduler } from './defect-scheduler.ts';
import { writeFrontPage } from './emr-writer.ts';
import { COST_ITEMS, baseHeadcount, departmentCosts, floorArea, monthlyHeadcount } from './erp-ledger.ts';
import { filePath, headerFor, type Entity } from './file-schemas.ts';
import { HospitalDictionary } from './hospital-dictionary.ts';
import type { HospitalProfile } from './hospitals.ts';
import { buildInpatientLines, planInpatientCase, type InpatientCase } from './inpatient-case.ts';
import { writeSettlement } from './insurance-writer.ts';
import { MonthTally } from './month-tally.ts';
import { buildOutpatientLines, clinicPatientFilter, type OutpatientVisit } from './outpatient-visit.ts';
import { PatientPool } from './patient-pool.ts';
import { Prng } from './prng.ts';
import {
  apportion,
  dischargeDayWeight,
  dischargeFactor,
  outpatientDayWeight,
  outpatientFactor,
  seasonFactor,
} from './seasonality.ts';
import { settle } from './settlement.ts';
import { VisitIds } from './visit-ids.ts';

/** Shared state of one generator run. */
export interface RunContext {
  readonly seed: number;
  readonly outDir: string;
  readonly log: DefectLog;
  readonly scheduler: (entity: Entity) => DefectScheduler;
}

/** What one hospital-month produced. */
export interface MonthOutput {
  readonly files: readonly WrittenFile[];
  readonly inpatientCases: number;
  readonly outpatientVisits: number;
  readonly chargeLines: number;
}

const HOUR = 3600;
const READY_EVERY = 64;

/**
 * Generates everything one hospital delivers, a month at a time. Per month
 * it plans the stays discharged and the visits made, then streams their
 * charge lines, visit rows, front pages and settlements in time order, and
 * finally writes the month's ERP and LIS files from the month's tallies.
 * Only one month of encounter headers is ever held in memory.
 */
export class HospitalRun {
  readonly hospital: HospitalProfile;
  readonly dict: HospitalDictionary;
  private readonly ctx: RunContext;
  private readonly pool: PatientPool;
  private readonly ids: VisitIds;
  private readonly drgs: readonly DrgGroup[];
  private readonly drgWeights: readonly number[];
  private readonly inpatientByMonth: readonly number[];
  private readonly outpatientByMonth: readonly number[];
  private readonly scale: number;

  constructor(
    ctx: RunContext,
    hospital: HospitalProfile,
    inpatientTotal: number,
    outpatientTotal: number,
    scale: number,
    periods: readonly Period[],
  ) {
    this.ctx = ctx;
    this.scale = scale;
    this.hospital = hospital;
    this.dict = new HospitalDictionary(hospital);
    this.ids = new VisitIds(hospital.code);
    const poolSize = Math.max(400, Math.round(outpatientTotal * 0.45 + inpatientTotal * 0.6));
    this.pool = new PatientPool(
      hospital.code,
      hospital.region,
      poolSize,
      Prng.derive(ctx.seed, `${hospital.code}/patients`),
    );
    this.drgs = DRG_GROUPS.filter(
      (g) => hospital.level >= g.minLevel && this.dict.wardsFor(g.dept).length > 0,
    );
    this.drgWeights = this.drgs.map(
      (g) => g.weight * (hospital.level === 3 ? (g.rw >= 1.5 ? 1.4 : 1) : g.rw >= 1.5 ? 0.5 : 1.1),
    );
    this.inpatientByMonth = apportion(
      inpatientTotal,
      periods.map(
        (p) =>
          dischargeFactor(p.month) *
          this.drgs.reduce(
            (sum, g, i) => sum + (this.drgWeights[i] ?? 0) * seasonFactor(g.season, p.month),
            0,
          ),
      ),
    );
    this.outpatientByMonth = apportion(
      outpatientTotal,
      periods.map((p) => outpatientFactor(p.month) * (1 + 0.25 * (seasonFactor('respiratory', p.month) - 1))),
    );
  }

  /** HIS department and item dictionaries and the ERP floor areas (no period). */
  async writeDictionaries(): Promise<WrittenFile[]> {
    const h = this.hospital;
    const depts = await this.open('his/departments');
    for (const d of this.dict.departments) depts.write(csvRow([d.code, d.name, d.deptClass, d.std]));
    const items = await this.open('his/charge_items');
    for (const i of this.dict.items) {
      items.write(
        `${i.code},${i.nameField},${i.std.category},${i.std.insuranceCode},${formatPrice(i.price)},${i.std.unit}`,
      );
    }
    const area = await this.open('erp/floor_area');
    for (const d of this.dict.departments) {
      const a = floorArea(d, h.level);
      area.write(csvRow([d.code, d.name, a.building, String(a.m2), String(a.beds)]));
    }
    return Promise.all([depts.close(), items.close(), area.close()]);
  }

  /** All files of one month. */
  async writeMonth(period: Period): Promise<MonthOutput> {
    const tag = `${this.hospital.code}/${period.key}`;
    const planRng = Prng.derive(this.ctx.seed, `${tag}/plan`);
    const lineRng = Prng.derive(this.ctx.seed, `${tag}/lines`);
    const defectRng = Prng.derive(this.ctx.seed, `${tag}/defects`);
    const cases = this.planCases(period, planRng);
    const visits = this.planVisits(period, planRng);

    const open = (entity: Entity): Promise<CsvSink> => this.open(entity, period.key);
    const [opSink, ipSink, lineSink, fpSink, fdSink, fprSink, stSink, sdSink, spSink, scSink, fuSink] =
      await Promise.all([
        open('his/outpatient_visits'),
        open('his/inpatient_visits'),
        open('his/charge_lines'),
        open('emr/front_pages'),
        open('emr/front_page_diagnoses'),
        open('emr/front_page_procedures'),
        open('insurance/settlements'),
        open('insurance/settlement_diagnoses'),
        open('insurance/settlement_procedures'),
        open('insurance/settlement_charge_categories'),
        open('insurance/fund_payments'),
      ]);
    const sinks = [opSink, ipSink, lineSink, fpSink, fdSink, fprSink, stSink, sdSink, spSink, scSink, fuSink];
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
    const tally = new MonthTally();

    let ci = 0;
    let vi = 0;
    let events = 0;
    while (ci < cases.length || vi < visits.length) {
      const c = cases[ci];
      const v = visits[vi];
      if (c && (!v || c.dischargeTime <= v.time)) {
        ci++;
        this.writeCase(c, lineRng, defectRng, charges, ipSink, ipDefects, emr, insurance, tally);
      } else if (v) {
        vi++;
        const lines = buildOutpatientLines(v, this.dict, lineRng);
        charges.writeVisit('O', v.visitId, lines, (line, cents) => tally.add(line, cents));
        this.writeOutpatientRow(v, opSink, opDefects, defectRng);
        tally.outpatientVisits++;
      }
      if (++events % READY_EVERY === 0) await Promise.all(sinks.map((s) => s.ready()));
    }
    const files = await Promise.all(sinks.map((s) => s.close()));
    const chargeLines = lineSink.rows; // after close: includes duplicates released at the end
    const extra = await this.writeMonthlyLedgers(period, tally, defectRng);
    return {
      files: [...files, ...extra],
      inpatientCases: cases.length,
      outpatientVisits: visits.length,
      chargeLines,
    };
  }

  private writeCase(
    c: InpatientCase,
    lineRng: Prng,
    defectRng: Prng,
    charges: ChargeLineWriter,
    sink: CsvSink,
    defects: DefectScheduler,
    emr: Parameters<typeof writeFrontPage>[0],
    insurance: Parameters<typeof writeSettlement>[0],
    tally: MonthTally,
  ): void {
    const lines = buildInpatientLines(c, this.dict, lineRng);
    const amounts = new CaseAmounts();
    charges.writeVisit('I', c.visitId, lines, (line, cents) => {
      amounts.add(line, cents);
      tally.add(line, cents);
    });
    tally.discharges++;
    tally.inpatientDays += c.los;
    if (c.surgeryDay >= 0) tally.surgeries++;

    const p = c.patient;
    const kind = defects.take();
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
    sink.write(row, kind === 'duplicate_row' ? undefined : kind, c.visitId);
    if (kind === 'duplicate_row') sink.duplicateLater(row, c.visitId, defectRng.int(1, 12));

    const result =
      p.insurance === '999'
        ? undefined
        : settle(this.hospital, p.insurance, c.drg, amounts.categories, defectRng);
    const selfPay = result ? result.selfpay + result.ownpay : amounts.total;
    writeFrontPage(emr, c, amounts, selfPay, defectRng);
    if (result) writeSettlement(insurance, this.hospital, this.ids, c, amounts, result, defectRng);
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

  private planCases(period: Period, rng: Prng): InpatientCase[] {
    const n = this.inpatientByMonth[period.month - 1] ?? 0;
    const weights = this.drgs.map((g, i) => (this.drgWeights[i] ?? 0) * seasonFactor(g.season, period.month));
    const dayWeights = Array.from({ length: period.days }, (_, d) => dischargeDayWeight(period.firstDay + d));
    const planned = [];
    for (let i = 0; i < n; i++) {
      const drg = this.drgs[rng.weightedIndex(weights)];
      if (!drg) continue;
      const dischargeDay = period.firstDay + rng.weightedIndex(dayWeights);
      planned.push(
        planInpatientCase(
          {
            dict: this.dict,
            drg,
            dischargeDay,
            losFactor: this.hospital.losFactor,
            drawPatient: (filter, onDay) => this.pool.draw(rng, filter, onDay),
          },
          rng,
        ),
      );
    }
    planned.sort((a, b) => a.dischargeTime - b.dischargeTime);
    return planned.map((c) => ({
      ...c,
      visitId: this.ids.inpatient(Math.floor(c.admitTime / SECONDS_PER_DAY)),
    }));
  }

  private planVisits(period: Period, rng: Prng): OutpatientVisit[] {
    const n = this.outpatientByMonth[period.month - 1] ?? 0;
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

  private async writeMonthlyLedgers(period: Period, tally: MonthTally, rng: Prng): Promise<WrittenFile[]> {
    const h = this.hospital;
    const ledger = await this.open('erp/cost_ledger', period.key);
    const heads = await this.open('erp/headcount', period.key);
    const ledgerDefects = this.ctx.scheduler('erp/cost_ledger');
    const erpRng = Prng.derive(this.ctx.seed, `${h.code}/${period.key}/erp`);
    for (const d of this.dict.departments) {
      const staff = monthlyHeadcount(baseHeadcount(d, h.level), period.month, erpRng);
      const total = staff.doctors + staff.nurses + staff.technicians + staff.admin;
      heads.write(
        csvRow([
          period.key,
          d.code,
          d.name,
          String(staff.doctors),
          String(staff.nurses),
          String(staff.technicians),
          String(staff.admin),
          String(total),
        ]),
      );
      const costs = departmentCosts(
        d,
        staff,
        floorArea(d, h.level),
        this.dict,
        tally,
        period.month,
        this.scale,
        erpRng,
      );
      COST_ITEMS.forEach(([code, name], i) => {
        const cents = costs[i] ?? 0;
        if (cents <= 0) return;
        const kind = ledgerDefects.take();
        const deptCode = kind === 'unknown_department' ? rng.pick(this.dict.unknownDeptCodes) : d.code;
        ledger.write(
          csvRow([
            period.key,
            deptCode,
            d.name,
            code,
            name,
            formatCents(kind === 'negative_amount' ? -cents : cents),
          ]),
          kind,
          `${deptCode}:${code}`,
        );
      });
    }
    const lab = await this.open('lab/workload', period.key);
    const labDefects = this.ctx.scheduler('lab/workload');
    const cells = [...tally.workload.values()].sort((a, b) =>
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
    for (const cell of cells) {
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
    return Promise.all([ledger.close(), heads.close(), lab.close()]);
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
