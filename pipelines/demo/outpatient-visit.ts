import { SECONDS_PER_DAY } from './calendar.ts';
import { quantityFor, type ChargeDraft } from './charge-line.ts';
import type { HospitalDept, HospitalDictionary } from './hospital-dictionary.ts';
import type { Patient } from './patient-pool.ts';
import type { Prng } from './prng.ts';

/** One outpatient or emergency visit, everything except its charge lines. */
export interface OutpatientVisit {
  readonly visitId: string;
  readonly patient: Patient;
  readonly dept: HospitalDept;
  readonly time: number;
}

/** What a clinic prescribes and orders; [item key, units per prescription]. */
interface ClinicProfile {
  readonly drugs: readonly (readonly [string, number, number])[];
  readonly drugRate: number;
  readonly labs: readonly string[];
  readonly labRate: number;
  readonly exams: readonly string[];
  readonly examRate: number;
  readonly treatments: readonly string[];
  readonly treatmentRate: number;
}

const clinic = (p: Partial<ClinicProfile>): ClinicProfile => ({
  drugs: [],
  drugRate: 0.55,
  labs: ['CBC'],
  labRate: 0.3,
  exams: [],
  examRate: 0.15,
  treatments: [],
  treatmentRate: 0,
  ...p,
});

const RESPIRATORY = clinic({
  drugs: [
    ['AMOXCLAV', 9, 18],
    ['AZITHRO', 3, 6],
    ['LIANHUA', 24, 36],
    ['PARACETAMOL', 6, 12],
    ['OSELTAMIVIR', 10, 10],
  ],
  labs: ['CBC', 'CRP', 'FLU_AG'],
  labRate: 0.45,
  exams: ['DR_CHEST', 'CT_CHEST'],
  examRate: 0.25,
});
const CARDIO = clinic({
  drugs: [
    ['AMLODIPINE', 28, 28],
    ['NIFEDIPINE', 14, 28],
    ['METOPROLOL', 28, 56],
    ['ATORVASTATIN', 28, 28],
    ['ASPIRIN', 30, 30],
    ['CLOPIDOGREL', 28, 28],
    ['FFDANSHEN', 90, 180],
  ],
  drugRate: 0.75,
  labs: ['LIPID', 'RFT', 'ELEC', 'NTBNP'],
  exams: ['ECG', 'US_HEART', 'HOLTER'],
  examRate: 0.3,
});
const ENDO = clinic({
  drugs: [
    ['METFORMIN', 56, 84],
    ['ACARBOSE', 84, 90],
    ['INSULIN_GLAR', 1, 2],
  ],
  drugRate: 0.8,
  labs: ['HBA1C', 'LIPID', 'RFT'],
  labRate: 0.5,
  exams: ['US_VASC'],
  examRate: 0.1,
});
const GI = clinic({
  drugs: [['OMEPRAZOLE_PO', 14, 28]],
  labs: ['CBC', 'LFT', 'STOOL'],
  exams: ['US_ABD', 'GASTROSCOPY', 'COLONOSCOPY'],
  examRate: 0.3,
});
const NEURO = clinic({
  drugs: [
    ['ASPIRIN', 30, 30],
    ['ATORVASTATIN', 28, 28],
    ['FFDANSHEN', 90, 180],
  ],
  labs: ['LIPID'],
  exams: ['CT_HEAD', 'MRI_HEAD'],
  examRate: 0.3,
});
const RENAL = clinic({
  drugs: [['NIFEDIPINE', 14, 28]],
  labs: ['RFT', 'URINE', 'ELEC'],
  labRate: 0.6,
  exams: ['US_ABD'],
});
const INTERNAL = clinic({
  ...CARDIO,
  drugs: [...CARDIO.drugs, ...RESPIRATORY.drugs.slice(0, 3), ...ENDO.drugs.slice(0, 1)],
  labs: ['CBC', 'LFT', 'RFT', 'LIPID'],
  exams: ['ECG', 'DR_CHEST', 'US_ABD'],
  examRate: 0.2,
});
const SURGERY = clinic({
  drugs: [
    ['AMOXCLAV', 9, 18],
    ['PARACETAMOL', 6, 12],
  ],
  drugRate: 0.3,
  labs: ['CBC', 'COAG'],
  labRate: 0.2,
  exams: ['US_ABD', 'CT_ABD'],
  examRate: 0.3,
  treatments: ['DRESSING', 'DEBRIDE'],
  treatmentRate: 0.25,
});
const ORTHO = clinic({
  drugs: [['PARACETAMOL', 6, 12]],
  drugRate: 0.3,
  labs: ['CBC'],
  labRate: 0.05,
  exams: ['DR_LIMB', 'MRI_SPINE', 'MRI_KNEE'],
  examRate: 0.5,
  treatments: ['REHAB_PT'],
  treatmentRate: 0.1,
});
const GYN = clinic({
  drugs: [],
  drugRate: 0,
  labs: ['CBC', 'URINE'],
  labRate: 0.35,
  exams: ['US_OB'],
  examRate: 0.5,
});
const PEDIATRICS = clinic({
  drugs: [
    ['CEFDINIR', 6, 12],
    ['IBUPROFEN', 1, 1],
    ['AZITHRO', 3, 6],
    ['BUDESONIDE', 6, 12],
  ],
  drugRate: 0.75,
  labs: ['CBC', 'CRP', 'FLU_AG'],
  labRate: 0.55,
  exams: ['DR_CHEST'],
  examRate: 0.12,
  treatments: ['NEB', 'IV_FIRST'],
  treatmentRate: 0.2,
});
const EYE = clinic({
  drugs: [['TOBRADEX', 1, 1]],
  drugRate: 0.5,
  labs: [],
  labRate: 0,
  exams: [],
  examRate: 0,
});
const ENT = clinic({
  drugs: [
    ['AMOXCLAV', 9, 18],
    ['BUDESONIDE', 6, 12],
  ],
  drugRate: 0.5,
  labs: ['CBC'],
  labRate: 0.1,
  exams: [],
  examRate: 0,
});
const ONCOLOGY = clinic({
  drugs: [['CAPECITABINE', 28, 56]],
  drugRate: 0.4,
  labs: ['CBC', 'TUMOR_MK', 'LFT'],
  labRate: 0.8,
  exams: ['CT_CHEST', 'CT_ABD'],
  examRate: 0.3,
});
const EMERGENCY = clinic({
  drugs: [
    ['PARACETAMOL', 6, 12],
    ['AMOXCLAV', 9, 18],
    ['OMEPRAZOLE_PO', 14, 14],
  ],
  drugRate: 0.5,
  labs: ['CBC', 'CRP', 'ELEC', 'TNI', 'CK'],
  labRate: 0.6,
  exams: ['CT_HEAD', 'DR_CHEST', 'US_ABD', 'ECG'],
  examRate: 0.35,
  treatments: ['IV_FIRST', 'DEBRIDE'],
  treatmentRate: 0.25,
});
const TCM = clinic({
  drugs: [
    ['LIANHUA', 24, 36],
    ['FFDANSHEN', 90, 180],
    ['HERB_HUANGQI', 90, 210],
    ['HERB_DANGGUI', 60, 150],
    ['HERB_BAIZHU', 60, 150],
    ['HERB_GANCAO', 30, 60],
  ],
  drugRate: 0.7,
  labs: [],
  labRate: 0,
  exams: [],
  examRate: 0,
  treatments: ['ACUP', 'TUINA'],
  treatmentRate: 0.35,
});

function clinicFor(std: string): ClinicProfile {
  if (std === 'A03.01') return RESPIRATORY;
  if (std === 'A03.02') return GI;
  if (std === 'A03.03') return NEURO;
  if (std === 'A03.04') return CARDIO;
  if (std === 'A03.06') return RENAL;
  if (std === 'A03.07') return ENDO;
  if (std.startsWith('A03')) return INTERNAL;
  if (std === 'A04.03') return ORTHO;
  if (std.startsWith('A04')) return SURGERY;
  if (std.startsWith('A05')) return GYN;
  if (std === 'A07') return PEDIATRICS;
  if (std === 'A10') return EYE;
  if (std === 'A11') return ENT;
  if (std === 'A19') return ONCOLOGY;
  if (std === 'A20') return EMERGENCY;
  if (std === 'A50') return TCM;
  return INTERNAL;
}

/** Who a clinic sees: children in paediatrics, women in gynaecology and obstetrics. */
export function clinicPatientFilter(std: string): { sex?: 1 | 2; ageMin: number; ageMax: number } {
  if (std === 'A07') return { ageMin: 0, ageMax: 14 };
  if (std === 'A05.02') return { sex: 2, ageMin: 20, ageMax: 42 };
  if (std.startsWith('A05')) return { sex: 2, ageMin: 16, ageMax: 75 };
  if (std === 'A20') return { ageMin: 1, ageMax: 95 };
  return { ageMin: 15, ageMax: 95 };
}

const EXTRA_ORDER_TIME = 300;

/**
 * Charge lines of one outpatient visit: registration (二级 only) and consultation, then
 * with clinic-specific probabilities prescriptions, tests, imaging and
 * treatments, each a few minutes after the last and on the same day.
 */
export function buildOutpatientLines(v: OutpatientVisit, dict: HospitalDictionary, rng: Prng): ChargeDraft[] {
  const std = v.dept.std;
  const profile = clinicFor(std);
  const lines: ChargeDraft[] = [];
  const dayEnd = Math.floor(v.time / SECONDS_PER_DAY) * SECONDS_PER_DAY + SECONDS_PER_DAY - 1;
  let t = v.time;
  const push = (key: string, amount: number): void => {
    const item = dict.item(key);
    t = Math.min(dayEnd, t + rng.int(30, EXTRA_ORDER_TIME));
    lines.push({
      item,
      qty: quantityFor(item, amount),
      time: t,
      orderDept: v.dept,
      execDept: dict.execDept(item.std.exec, v.dept),
    });
  };

  const expert = dict.hospital.level === 3 && std !== 'A20' && rng.chance(0.22);
  // The 三级 hospital folded 挂号费 into 诊察费 (医事服务费 reform); 二级 still bill it.
  if (dict.hospital.level === 2) push('REG_GENERAL', 1);
  if (std === 'A20') push('EXAM_ED', 1);
  else if ((std === 'A50' && dict.hospital.level === 2) || dict.hospital.level === 1) push('GENERAL_FEE', 1);
  else push(expert ? 'EXAM_OP_EXP' : 'EXAM_OP', 1);
  if (rng.chance(0.02)) push('CASE_BOOK', 1);

  if (profile.labs.length > 0 && rng.chance(profile.labRate)) {
    const n = rng.int(1, Math.min(2, profile.labs.length));
    const start = rng.int(0, profile.labs.length - 1);
    for (let i = 0; i < n; i++) push(profile.labs[(start + i) % profile.labs.length] ?? 'CBC', 1);
  }
  if (profile.exams.length > 0 && rng.chance(profile.examRate)) push(rng.pick(profile.exams), 1);
  if (profile.drugs.length > 0 && rng.chance(profile.drugRate)) {
    const n = rng.chance(0.6) ? 1 : Math.min(2, profile.drugs.length);
    const start = rng.int(0, profile.drugs.length - 1);
    for (let i = 0; i < n; i++) {
      const [key, lo, hi] = profile.drugs[(start + i) % profile.drugs.length] ?? ['PARACETAMOL', 6, 6];
      push(key, rng.int(lo, hi));
    }
  }
  if (profile.treatments.length > 0 && rng.chance(profile.treatmentRate)) {
    const key = rng.pick(profile.treatments);
    push(key, 1);
    if (key === 'IV_FIRST') {
      push('NS250', rng.int(1, 2));
      push(std === 'A07' ? 'CEFTRIAXONE' : 'LEVOFLOX', 1);
      push('MAT_IVSET', 1);
    }
  }
  return lines;
}
