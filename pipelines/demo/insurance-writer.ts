import { CHARGE_CATEGORY_NAMES } from './catalog/charge-items.ts';
import { INVALID_DIAGNOSIS_CODES, diagnosis } from './catalog/diagnoses.ts';
import { procedure } from './catalog/procedures.ts';
import { ageInYears, formatDate, formatTimestamp, SECONDS_PER_DAY } from './calendar.ts';
import type { CaseAmounts } from './case-amounts.ts';
import type { ClinicalRecord } from './clinical-record.ts';
import { csvRow, formatCents } from './csv-format.ts';
import type { CsvSink } from './csv-sink.ts';
import type { DefectScheduler } from './defect-scheduler.ts';
import type { HospitalProfile } from './hospitals.ts';
import type { InpatientCase } from './inpatient-case.ts';
import type { Prng } from './prng.ts';
import type { SettlementResult } from './settlement.ts';
import type { VisitIds } from './visit-ids.ts';

/** The five insurance sinks of one month and their defect schedulers. */
export interface InsuranceSinks {
  readonly settlements: CsvSink;
  readonly diagnoses: CsvSink;
  readonly procedures: CsvSink;
  readonly categories: CsvSink;
  readonly funds: CsvSink;
  readonly settlementDefects: DefectScheduler;
  readonly diagnosisDefects: DefectScheduler;
  readonly fundDefects: DefectScheduler;
}

/** The hospital's claim to the fund: when it was declared and where the payer's review stands. */
export interface Clearing {
  readonly declareDate: string;
  /** 已清算, 部分拒付 or 待审核. */
  readonly status: string;
}

/**
 * Writes the 医保结算清单 of an insured stay as the payer returns it:
 * the settlement with its DRG result, diagnoses, procedures, amounts by
 * charge category and class, and fund payments. Plants settlements for
 * stays HIS never delivered, totals that differ from HIS, invalid diagnosis
 * codes and negative fund amounts.
 */
export function writeSettlement(
  s: InsuranceSinks,
  hospital: HospitalProfile,
  ids: VisitIds,
  c: InpatientCase,
  amounts: CaseAmounts,
  r: SettlementResult,
  clinical: ClinicalRecord,
  clearing: Clearing,
  rng: Prng,
): void {
  const p = c.patient;
  const dischargeDay = Math.floor(c.dischargeTime / SECONDS_PER_DAY);
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const setlId = ids.settlement(hospital.region, dischargeDay);
  const setlTime = Math.min(c.dischargeTime + rng.int(600, 7200), (dischargeDay + 1) * SECONDS_PER_DAY - 1);
  const kind = s.settlementDefects.take();
  const delta = kind === 'medfee_total_mismatch' ? rng.int(500, 50_000) : 0;
  const row = (setl: string, mdtrt: string): string =>
    csvRow([
      setl,
      mdtrt,
      hospital.code,
      p.psnNo,
      p.medcasno,
      String(p.gender),
      formatDate(p.birthDay),
      String(ageInYears(p.birthDay, admitDay)),
      p.insurance,
      formatTimestamp(c.admitTime),
      formatTimestamp(c.dischargeTime),
      String(c.los),
      c.admitDept.std,
      c.ward.std,
      c.dischargeWay,
      formatCents(r.medfee + delta),
      formatCents(r.fundPay),
      formatCents(r.selfpay + delta),
      formatCents(r.ownpay),
      formatCents(r.acctPay),
      formatCents(r.cashPay + delta),
      r.drgCode,
      r.drgName,
      r.drgCode ? r.rw.toFixed(4) : '',
      String(r.baseRate),
      r.levelCoef.toFixed(2),
      r.paymentStandard > 0 ? formatCents(r.paymentStandard) : '',
      formatCents(r.refused),
      formatCents(r.deducted),
      formatTimestamp(setlTime),
      r.method,
      r.dipCode,
      r.dipCode ? r.dipScore.toFixed(2) : '',
      formatCents(r.fundPay),
      clearing.declareDate,
      clearing.status,
      r.refuseReason,
      clinical.icuIn === undefined ? '' : formatTimestamp(clinical.icuIn),
      clinical.icuOut === undefined ? '' : formatTimestamp(clinical.icuOut),
      clinical.icuHours > 0 ? clinical.icuHours.toFixed(2) : '',
      clinical.ventHours > 0 ? clinical.ventHours.toFixed(2) : '',
    ]);
  s.settlements.write(row(setlId, c.visitId), kind === 'medfee_total_mismatch' ? kind : undefined, setlId);
  if (kind === 'settlement_without_visit') {
    const ghostSetl = ids.settlement(hospital.region, dischargeDay);
    s.settlements.write(row(ghostSetl, ids.orphanInpatient(dischargeDay)), kind, ghostSetl);
  }

  for (const d of c.diagnoses) {
    const dkind = s.diagnosisDefects.take();
    const code = dkind === 'unknown_diagnosis_code' ? rng.pick(INVALID_DIAGNOSIS_CODES) : d.code;
    s.diagnoses.write(
      csvRow([setlId, c.visitId, '1', code, diagnosis(d.code).name, d.main ? '1' : '0', d.admCond]),
      dkind,
      `${setlId}:${code}`,
    );
  }
  for (const pr of c.procedures) {
    s.procedures.write(
      csvRow([
        setlId,
        c.visitId,
        pr.code,
        procedure(pr.code).name,
        pr.main ? '1' : '0',
        formatDate(pr.day),
        pr.anesthesia,
      ]),
    );
  }
  const cats = [...amounts.categories.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [cat, e] of cats) {
    s.categories.write(
      csvRow([
        setlId,
        c.visitId,
        cat,
        CHARGE_CATEGORY_NAMES[cat],
        formatCents(e.total),
        formatCents(e.classA),
        formatCents(e.classB),
        formatCents(e.classC),
        '0.00',
      ]),
    );
  }
  for (const f of r.funds) {
    const fkind = s.fundDefects.take();
    const cents = fkind === 'negative_amount' ? -f.cents : f.cents;
    s.funds.write(
      csvRow([setlId, c.visitId, f.type, f.name, formatCents(cents)]),
      fkind,
      `${setlId}:${f.type}`,
    );
  }
}
