import { truth } from './demo-truth.ts';
import { demoFileReader, type Row } from './drg-truth.ts';
import type { CodedItem, PregroupInput } from '../../pipelines/pregroup/pregroup-record.ts';

/** One stay of a generated demo as the pre-group comparison sees it, from the files alone. */
export interface PregroupTruthStay {
  readonly hospital: string;
  readonly visitId: string;
  /** What the stay is grouped from: its front page, else its settlement list (none: neither loaded). */
  readonly input: PregroupInput;
  /** The payer's DRG group: the settlement's group when it settles by DRG and returned one. */
  readonly payerDrg: string | undefined;
  /** The generator's true group of the stay (`_ground_truth/cases.csv`), when the stay is there. */
  readonly trueDrg: string | undefined;
  /**
   * The group the hospital coded the stay into (`coded_drg_code`): the true group, except for a
   * planted 高套编码 (`upcoded`), whose coding carries a complication the stay does not have.
   */
  readonly codedDrg: string | undefined;
  readonly upcoded: boolean;
  /**
   * Whether a planted data defect changed the record the stay is grouped from: a diagnosis or
   * procedure row of it quarantined (`_ground_truth/defects.csv`: an unknown diagnosis code, a
   * procedure dated outside the stay), so the record lacks a code the stay was coded with.
   */
  readonly codingDefect: boolean;
}

/** Planted defects that quarantine a coded diagnosis or procedure row of a stay (rows the grouper then misses). */
const CODING_DEFECTS: ReadonlySet<string> = new Set(['unknown_diagnosis_code', 'procedure_date_out_of_stay']);

const orNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);
const numberOrNull = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

function byVisit(rows: readonly Row[], key: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const k = r[key] ?? '';
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/**
 * Every stay of a generated demo with a front page or a settlement list that survived cleansing,
 * read from the delivered files (never from the warehouse): the front page's gender, age, birth
 * date, admission date, diagnoses and procedures with their flags and sequence numbers; for a stay
 * without a front page, its last settlement list's, with the western-medicine diagnoses (诊断类别 1)
 * in line order. Beside it the payer's DRG group and the generator's true group.
 */
export function pregroupTruth(dir: string, seedsDir: string): PregroupTruthStay[] {
  const { manifest, readEntity } = demoFileReader(dir, seedsDir);
  const cases = new Map(truth(dir, 'cases.csv').map((c) => [`${c.hospital_code}|${c.visit_id}`, c]));
  // Defect record keys: `<visit>:<seq>` on front-page rows, `<setl_id>:<code>` on settlement rows.
  const defective = new Set(
    truth(dir, 'defects.csv')
      .filter((d) => CODING_DEFECTS.has(d.defect ?? ''))
      .map((d) => `${(d.file ?? '').split('/')[0]}|${(d.record_key ?? '').split(':')[0]}`),
  );
  const stays: PregroupTruthStay[] = [];
  for (const h of manifest.hospitals) {
    const settlements = new Map<string, Row>();
    for (const s of readEntity(h.code, 'insurance/settlements')) settlements.set(s.mdtrt_id ?? '', s);
    const frontPages = new Map<string, Row>();
    for (const f of readEntity(h.code, 'emr/front_pages')) frontPages.set(f.visit_id ?? '', f);
    const frontDiagnoses = byVisit(readEntity(h.code, 'emr/front_page_diagnoses'), 'visit_id');
    const frontProcedures = byVisit(readEntity(h.code, 'emr/front_page_procedures'), 'visit_id');
    const lineOrder = (rows: Row[] | undefined, code: string, flag: string): CodedItem[] =>
      (rows ?? []).map((r, i) => [orNull(r[code]), r[flag] === '1', i + 1] as const);
    const settlementDiagnoses = byVisit(
      readEntity(h.code, 'insurance/settlement_diagnoses').filter((d) => (d.diag_type || '1') === '1'),
      'setl_id',
    );
    const settlementProcedures = byVisit(readEntity(h.code, 'insurance/settlement_procedures'), 'setl_id');
    const visits = new Set([...frontPages.keys(), ...settlements.keys()]);
    for (const visitId of visits) {
      const f = frontPages.get(visitId);
      const s = settlements.get(visitId);
      const input: PregroupInput = f
        ? {
            hospitalCode: h.code,
            visitId,
            recordSource: 'front_page',
            gender: orNull(f.gender),
            ageYears: numberOrNull(f.age),
            birthDate: orNull(f.birth_date),
            admittedOn: orNull(f.admit_time?.slice(0, 10)),
            diagnoses: (frontDiagnoses.get(visitId) ?? []).map(
              (d) => [orNull(d.diag_code), d.main_flag === '1', numberOrNull(d.diag_seq)] as const,
            ),
            procedures: (frontProcedures.get(visitId) ?? []).map(
              (p) => [orNull(p.oprn_code), p.main_flag === '1', numberOrNull(p.oprn_seq)] as const,
            ),
          }
        : {
            hospitalCode: h.code,
            visitId,
            recordSource: 'settlement_list',
            gender: orNull(s!.gend),
            ageYears: numberOrNull(s!.age),
            birthDate: orNull(s!.brdy),
            admittedOn: orNull(s!.adm_time?.slice(0, 10)),
            diagnoses: lineOrder(settlementDiagnoses.get(s!.setl_id ?? ''), 'diag_code', 'maindiag_flag'),
            procedures: lineOrder(settlementProcedures.get(s!.setl_id ?? ''), 'oprn_oprt_code', 'main_oprn_flag'),
          };
      const c = cases.get(`${h.code}|${visitId}`);
      stays.push({
        hospital: h.code,
        visitId,
        input,
        payerDrg: s?.payment_method === 'DRG' && s.drg_code ? s.drg_code : undefined,
        trueDrg: c?.true_drg_code || undefined,
        codedDrg: c?.coded_drg_code || undefined,
        upcoded: (c?.scenarios ?? '').split('|').includes('upcoding'),
        codingDefect: defective.has(`${h.code}|${f ? visitId : (s!.setl_id ?? '')}`),
      });
    }
  }
  return stays;
}
