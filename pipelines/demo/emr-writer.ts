import {
  FEMALE_ONLY_CODES,
  INVALID_DIAGNOSIS_CODES,
  MALE_ONLY_CODES,
  diagnosis,
} from './catalog/diagnoses.ts';
import { procedure } from './catalog/procedures.ts';
import { ageInYears, formatDate, formatTimestamp, SECONDS_PER_DAY } from './calendar.ts';
import type { CaseAmounts } from './case-amounts.ts';
import type { ClinicalRecord } from './clinical-record.ts';
import { csvRow, formatCents } from './csv-format.ts';
import type { CsvSink } from './csv-sink.ts';
import type { DefectScheduler } from './defect-scheduler.ts';
import type { InpatientCase } from './inpatient-case.ts';
import type { Prng } from './prng.ts';

/** The three EMR sinks of one month and their defect schedulers. */
export interface EmrSinks {
  readonly frontPages: CsvSink;
  readonly diagnoses: CsvSink;
  readonly procedures: CsvSink;
  readonly frontPageDefects: DefectScheduler;
  readonly diagnosisDefects: DefectScheduler;
  readonly procedureDefects: DefectScheduler;
}

const PAYMENT_METHOD: Readonly<Record<string, string>> = { '310': '1', '390': '2', '999': '7' };

/**
 * Writes the 病案首页 of a stay: the front page with its fee groups (which
 * sum to the HIS total), the diagnoses and the procedures, planting the EMR
 * defects (missing medcasno, fee groups not summing, invalid or
 * sex-incompatible diagnosis codes, procedure dates outside the stay). The attending doctor and
 * the ICU and ventilation hours (whole hours) come last.
 */
export function writeFrontPage(
  s: EmrSinks,
  c: InpatientCase,
  amounts: CaseAmounts,
  selfPayCents: number,
  rng: Prng,
  clinical: ClinicalRecord,
): void {
  const p = c.patient;
  const admitDay = Math.floor(c.admitTime / SECONDS_PER_DAY);
  const g = (k: Parameters<CaseAmounts['group']>[0]): number => amounts.group(k);
  const kind = s.frontPageDefects.take();
  let other = g('other');
  if (kind === 'fee_sum_mismatch') other += rng.int(100, 20_000);
  const fields = [
    kind === 'missing_required' ? '' : p.medcasno,
    c.visitId,
    p.id,
    String(p.gender),
    formatDate(p.birthDay),
    String(ageInYears(p.birthDay, admitDay)),
    PAYMENT_METHOD[p.insurance] ?? '9',
    c.route,
    formatTimestamp(c.admitTime),
    c.admitDept.code,
    c.admitDept.code === c.ward.code ? '' : c.ward.code,
    formatTimestamp(c.dischargeTime),
    c.ward.code,
    String(c.los),
    c.dischargeWay,
    formatCents(amounts.total),
    formatCents(selfPayCents),
    formatCents(g('general_service')),
    formatCents(g('general_treatment')),
    formatCents(g('nursing')),
    formatCents(g('other_service')),
    formatCents(g('pathology')),
    formatCents(g('lab')),
    formatCents(g('imaging')),
    formatCents(g('clinical_diag')),
    formatCents(g('non_surgical_treatment')),
    formatCents(0),
    formatCents(g('anesthesia') + g('surgery')),
    formatCents(g('anesthesia')),
    formatCents(g('surgery')),
    formatCents(g('rehab')),
    formatCents(g('tcm')),
    formatCents(g('western_drug')),
    formatCents(amounts.antibacterial),
    formatCents(g('chinese_patent_drug')),
    formatCents(g('herbal')),
    formatCents(g('blood')),
    formatCents(g('albumin')),
    formatCents(g('globulin')),
    formatCents(0),
    formatCents(0),
    formatCents(g('exam_material')),
    formatCents(g('treatment_material')),
    formatCents(g('surgery_material')),
    formatCents(other),
    clinical.doctor.code,
    clinical.doctor.name,
    // The front page records whole hours.
    clinical.icuHours > 0 ? String(Math.round(clinical.icuHours)) : '',
    clinical.ventHours > 0 ? String(Math.round(clinical.ventHours)) : '',
  ];
  s.frontPages.write(csvRow(fields), kind, c.visitId);

  let seq = 0;
  let conflict = false;
  for (const d of c.diagnoses) {
    seq++;
    const dkind = s.diagnosisDefects.take();
    const code = dkind === 'unknown_diagnosis_code' ? rng.pick(INVALID_DIAGNOSIS_CODES) : d.code;
    const row = csvRow([
      c.visitId,
      p.medcasno,
      String(seq),
      code,
      diagnosis(d.code).name,
      d.main ? '1' : '0',
      d.admCond,
    ]);
    s.diagnoses.write(row, dkind === 'unknown_diagnosis_code' ? dkind : undefined, `${c.visitId}:${seq}`);
    if (dkind === 'diagnosis_sex_conflict') conflict = true;
  }
  if (conflict) {
    seq++;
    const code = rng.pick(p.gender === 1 ? FEMALE_ONLY_CODES : MALE_ONLY_CODES);
    const row = csvRow([c.visitId, p.medcasno, String(seq), code, diagnosis(code).name, '0', '4']);
    s.diagnoses.write(row, 'diagnosis_sex_conflict', `${c.visitId}:${seq}`);
  }

  let oseq = 0;
  for (const pr of c.procedures) {
    oseq++;
    const pkind = s.procedureDefects.take();
    const day = pkind === 'procedure_date_out_of_stay' ? admitDay - rng.int(2, 20) : pr.day;
    const info = procedure(pr.code);
    const row = csvRow([
      c.visitId,
      p.medcasno,
      String(oseq),
      pr.code,
      info.name,
      pr.main ? '1' : '0',
      formatDate(day),
      String(info.level),
      pr.anesthesia,
      info.incision,
    ]);
    s.procedures.write(row, pkind, `${c.visitId}:${oseq}`);
  }
}
