import type { PregroupInput } from '../../pipelines/pregroup/pregroup-record.ts';
import { truth } from './demo-truth.ts';
import { demoFileReader } from './drg-truth.ts';

/** One stay in bed at a demo's cut-off, from the delivered files alone. */
export interface InStayTruthStay {
  readonly hospital: string;
  readonly visitId: string;
  /** What the pre-group stage groups: the census's gender and birth date, the diagnoses and procedures so far. */
  readonly input: PregroupInput;
  /** The latest census snapshot's date (its cut-off), `YYYY-MM-DD`. */
  readonly snapshotDate: string;
  readonly admitTime: string;
  /** Sum of the stay's charge lines that survive cleansing, in cents. */
  readonly chargesToDateCents: number;
  readonly chargeLines: number;
  /** The generator's record of the stay (`_ground_truth/open_stays.csv`), when there. */
  readonly truth: Record<string, string> | undefined;
}

const orNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);

/**
 * Every stay of a generated demo in bed at its hospital's latest census snapshot and not
 * discharged (no HIS visit, front page or settlement list delivered), read from the files (never
 * from the warehouse): the census row, the diagnoses and procedures delivered with it, and its delivered charge
 * lines (rows the generator planted a blocking defect in left out, as ingest quarantines them).
 */
export function inStayTruth(dir: string, seedsDir: string): InStayTruthStay[] {
  const { manifest, readEntity } = demoFileReader(dir, seedsDir);
  const generated = new Map(truth(dir, 'open_stays.csv').map((o) => [`${o.hospital_code}|${o.visit_id}`, o]));
  const out: InStayTruthStay[] = [];
  for (const h of manifest.hospitals) {
    const census = readEntity(h.code, 'his/inpatient_census');
    if (census.length === 0) continue;
    const latest = census
      .reduce((m, r) => ((r.snapshot_time ?? '') > m ? (r.snapshot_time ?? '') : m), '')
      .slice(0, 10);
    const discharged = new Set([
      ...readEntity(h.code, 'his/inpatient_visits').map((v) => v.visit_id),
      ...readEntity(h.code, 'emr/front_pages').map((f) => f.visit_id),
      ...readEntity(h.code, 'insurance/settlements').map((s) => s.mdtrt_id),
    ]);
    const diagnoses = new Map<string, [string | null, boolean, number | null][]>();
    for (const d of readEntity(h.code, 'his/inpatient_census_diagnoses')) {
      const list = diagnoses.get(d.visit_id ?? '') ?? [];
      list.push([orNull(d.diag_code), d.main_flag === '1', d.diag_seq ? Number(d.diag_seq) : null]);
      diagnoses.set(d.visit_id ?? '', list);
    }
    const procedures = new Map<string, [string | null, boolean, number | null][]>();
    for (const o of readEntity(h.code, 'his/inpatient_census_procedures')) {
      const list = procedures.get(o.visit_id ?? '') ?? [];
      list.push([orNull(o.oprn_code), o.main_flag === '1', o.oprn_seq ? Number(o.oprn_seq) : null]);
      procedures.set(o.visit_id ?? '', list);
    }
    const charges = new Map<string, { cents: number; lines: number }>();
    for (const l of readEntity(h.code, 'his/charge_lines')) {
      if (l.visit_type !== 'I') continue;
      const c = charges.get(l.visit_id ?? '') ?? { cents: 0, lines: 0 };
      c.cents += Math.round(Number(l.amount) * 100);
      c.lines += 1;
      charges.set(l.visit_id ?? '', c);
    }
    const seen = new Set<string>();
    for (const r of census) {
      const visitId = r.visit_id ?? '';
      if ((r.snapshot_time ?? '').slice(0, 10) !== latest || discharged.has(visitId) || seen.has(visitId))
        continue;
      seen.add(visitId);
      out.push({
        hospital: h.code,
        visitId,
        input: {
          hospitalCode: h.code,
          visitId,
          recordSource: 'in_stay',
          gender: orNull(r.gender),
          ageYears: null,
          birthDate: orNull(r.birth_date),
          admittedOn: orNull(r.admit_time?.slice(0, 10)),
          diagnoses: diagnoses.get(visitId) ?? [],
          procedures: procedures.get(visitId) ?? [],
        },
        snapshotDate: latest,
        admitTime: r.admit_time ?? '',
        chargesToDateCents: charges.get(visitId)?.cents ?? 0,
        chargeLines: charges.get(visitId)?.lines ?? 0,
        truth: generated.get(`${h.code}|${visitId}`),
      });
    }
  }
  return out;
}
