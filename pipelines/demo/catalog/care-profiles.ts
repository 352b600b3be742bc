/**
 * How a kind of inpatient stay consumes billable items. The case builder
 * turns a profile plus a length of stay into charge lines, so costs emerge
 * from realistic quantities (surgical groups heavy on 06/08, medical groups
 * heavy on 09) instead of being drawn as totals.
 */

/** An item used on each day of a share of the stay, billed per billing cycle. */
export interface DailyUse {
  readonly item: string;
  /** Quantity per day, min and max (quantities are in item units). */
  readonly perDay: readonly [number, number];
  /** Share of the stay it covers, counted from admission (or from surgery when `afterSurgery`). */
  readonly span: readonly [number, number];
  readonly prob: number;
  readonly afterSurgery?: boolean;
}

/** An item used once (a test, an implant, a surgical fee). */
export interface OnceUse {
  readonly item: string;
  readonly qty: readonly [number, number];
  readonly prob: number;
}

/** The operating-room part of a surgical or interventional stay. */
export interface SurgeryUse {
  readonly fees: readonly OnceUse[];
  readonly anesthesia?: string;
  readonly materials: readonly OnceUse[];
  readonly drugs: readonly OnceUse[];
  /** Days between admission and surgery for elective cases. */
  readonly preopDays: readonly [number, number];
  readonly pathology: boolean;
}

export interface CareProfile {
  readonly labs: readonly string[];
  readonly repeatLabs: readonly string[];
  /** Repeat the repeat-labs every n days; 0 = never. */
  readonly repeatEvery: number;
  readonly exams: readonly OnceUse[];
  readonly drugs: readonly DailyUse[];
  readonly treatments: readonly DailyUse[];
  readonly surgery?: SurgeryUse;
}

const once = (item: string, prob = 1, qty: readonly [number, number] = [1, 1]): OnceUse => ({
  item,
  qty,
  prob,
});
const daily = (
  item: string,
  perDay: readonly [number, number],
  prob = 1,
  span: readonly [number, number] = [0.7, 1],
  afterSurgery = false,
): DailyUse => (afterSurgery ? { item, perDay, span, prob, afterSurgery } : { item, perDay, span, prob });

const BASIC_LABS = ['CBC', 'URINE', 'LFT', 'RFT', 'ELEC'];
const PREOP_LABS = [...BASIC_LABS, 'COAG', 'PREOP_INF', 'TYPE_CROSS'];
const IV: readonly DailyUse[] = [
  daily('IV_FIRST', [1, 1], 1, [0.6, 1]),
  daily('IV_ADD', [1, 3], 0.8, [0.5, 1]),
  daily('MAT_IVSET', [1, 3], 1, [0.6, 1]),
];
const POSTOP_IV: readonly DailyUse[] = [
  daily('IV_FIRST', [1, 1], 1, [0.6, 1], true),
  daily('MAT_IVSET', [1, 2], 1, [0.6, 1], true),
  daily('NS250', [1, 3], 1, [0.6, 1], true),
  daily('FLURBIPROFEN', [1, 2], 0.6, [0.2, 0.5], true),
  daily('ESOMEPRAZOLE_IV', [1, 2], 0.5, [0.3, 0.6], true),
];
const GA_DRUGS: readonly OnceUse[] = [
  once('PROPOFOL', 1, [1, 3]),
  once('SUFENTANIL', 1, [1, 2]),
  once('SEVOFLURANE', 0.7, [20, 60]),
  once('LIDOCAINE', 0.5, [1, 2]),
];
const LAPAROSCOPIC: readonly OnceUse[] = [
  once('MAT_TROCAR', 1),
  once('MAT_CLIP', 0.9, [2, 6]),
  once('MAT_SUTURE', 1, [1, 3]),
  once('MAT_ENERGY', 0.55),
  once('MAT_DRAIN', 0.5),
];
const CORONARY: readonly OnceUse[] = [
  once('MAT_SHEATH', 1),
  once('MAT_GUIDECATH', 1),
  once('MAT_GUIDEWIRE', 1, [1, 2]),
  once('IODIXANOL', 1, [1, 2]),
];

const medical = (p: Partial<CareProfile> & Pick<CareProfile, 'drugs'>): CareProfile => ({
  labs: BASIC_LABS,
  repeatLabs: ['CBC', 'ELEC'],
  repeatEvery: 4,
  exams: [once('ECG', 0.9), once('DR_CHEST', 0.5)],
  treatments: IV,
  ...p,
});

const surgical = (surgery: SurgeryUse, p: Partial<CareProfile> = {}): CareProfile => ({
  labs: PREOP_LABS,
  repeatLabs: ['CBC'],
  repeatEvery: 3,
  exams: [once('ECG', 1), once('DR_CHEST', 0.8)],
  drugs: [
    daily('CEFUROXIME', [1, 2], 0.75, [0.2, 0.4], true),
    daily('OMEPRAZOLE_IV', [1, 2], 0.5, [0.2, 0.5], true),
  ],
  treatments: [...POSTOP_IV, daily('DRESSING', [0.3, 0.5], 1, [0.5, 1], true)],
  surgery,
  ...p,
});

/** Care profiles by key; DRG groups refer to them. */
export const CARE_PROFILES: Readonly<Record<string, CareProfile>> = {
  pneumonia: medical({
    labs: [...BASIC_LABS, 'CRP', 'PCT', 'SPUTUM_CULT', 'COAG', 'DDIMER'],
    repeatLabs: ['CBC', 'CRP', 'PCT'],
    repeatEvery: 3,
    exams: [once('CT_CHEST', 0.85), once('DR_CHEST', 0.2), once('ECG', 0.8)],
    drugs: [
      daily('NS250', [2, 4]),
      daily('CEFTRIAXONE', [1, 2], 0.3),
      daily('CEFOPERAZONE', [2, 3], 0.35),
      daily('PIPTAZO', [2, 3], 0.2),
      daily('MOXIFLOX', [1, 1], 0.25),
      daily('AMBROXOL', [2, 4], 0.8),
      daily('DOXOFYLLINE', [1, 2], 0.4),
      daily('BUDESONIDE', [2, 3], 0.6),
      daily('TANREQING', [2, 3], 0.3),
      daily('XIYANPING', [2, 4], 0.2),
      daily('THYMALFASIN', [1, 1], 0.12, [0.4, 0.7]),
    ],
    treatments: [...IV, daily('NEB', [2, 2], 0.6), daily('OXYGEN', [4, 12], 0.5, [0.3, 0.7])],
  }),
  pneumonia_severe: medical({
    labs: [...BASIC_LABS, 'CRP', 'PCT', 'BLOOD_CULT', 'SPUTUM_CULT', 'BLOODGAS', 'COAG', 'NTBNP'],
    repeatLabs: ['CBC', 'CRP', 'PCT', 'BLOODGAS'],
    repeatEvery: 3,
    exams: [once('CT_CHEST', 1), once('ECG', 1), once('US_HEART', 0.4)],
    drugs: [
      daily('NS250', [2, 4]),
      daily('MEROPENEM', [3, 6], 0.5),
      daily('PIPTAZO', [3, 3], 0.3),
      daily('MOXIFLOX', [1, 1], 0.3),
      daily('AMBROXOL', [2, 4]),
      daily('THYMALFASIN', [1, 1], 0.25, [0.4, 0.7]),
      daily('IVIG', [1, 2], 0.08, [0.2, 0.3]),
      daily('FAT_EMULSION', [1, 1], 0.3),
      daily('METHYLPRED', [1, 2], 0.4, [0.3, 0.5]),
      daily('ALBUMIN', [1, 2], 0.35, [0.2, 0.4]),
      daily('AA18', [1, 1], 0.3),
      daily('LMWH', [1, 1], 0.5),
    ],
    treatments: [
      ...IV,
      daily('IV_ADD', [2, 4]),
      daily('OXYGEN', [12, 24], 0.9),
      daily('MONITOR', [12, 24], 0.8, [0.3, 0.6]),
      daily('NEB', [2, 3], 0.7),
    ],
  }),
  copd: medical({
    labs: [...BASIC_LABS, 'CRP', 'BLOODGAS', 'NTBNP'],
    repeatLabs: ['CBC', 'BLOODGAS'],
    exams: [once('CT_CHEST', 0.7), once('DR_CHEST', 0.3), once('ECG', 1), once('US_HEART', 0.3)],
    drugs: [
      daily('NS250', [1, 2]),
      daily('CEFOPERAZONE', [2, 3], 0.4),
      daily('MOXIFLOX', [1, 1], 0.3),
      daily('DOXOFYLLINE', [2, 3], 0.8),
      daily('TANREQING', [2, 3], 0.3),
      daily('METHYLPRED', [1, 1], 0.6, [0.3, 0.6]),
      daily('BUDESONIDE', [2, 2], 0.8),
      daily('IPRATROPIUM', [2, 3], 0.6),
    ],
    treatments: [...IV, daily('NEB', [2, 3], 0.9), daily('OXYGEN', [8, 20], 0.9)],
  }),
  bronchitis_child: medical({
    labs: ['CBC', 'CRP', 'FLU_AG'],
    repeatLabs: [],
    repeatEvery: 0,
    exams: [once('DR_CHEST', 0.7)],
    drugs: [
      daily('GS250', [1, 2]),
      daily('CEFTRIAXONE', [1, 1], 0.4),
      daily('XIYANPING', [1, 2], 0.45),
      daily('AZITHRO', [1, 1], 0.3),
      daily('AMBROXOL', [1, 2], 0.7),
      daily('BUDESONIDE', [2, 2], 0.8),
      daily('IBUPROFEN', [0.2, 0.3], 0.5, [0.3, 0.5]),
    ],
    treatments: [...IV, daily('NEB', [2, 2], 0.9)],
  }),
  lung_cancer: medical({
    labs: [...BASIC_LABS, 'COAG', 'TUMOR_MK', 'CRP'],
    exams: [
      once('CT_CHEST', 1),
      once('MRI_HEAD', 0.3),
      once('BRONCHOSCOPY', 0.5),
      once('PATHO', 0.5),
      once('ECG', 1),
    ],
    drugs: [
      daily('NS250', [1, 2]),
      daily('AMBROXOL', [2, 2], 0.6),
      daily('CEFOPERAZONE', [2, 3], 0.3),
      daily('ALBUMIN', [1, 1], 0.2, [0.2, 0.4]),
      daily('THYMALFASIN', [1, 1], 0.3),
      daily('SHENMAI', [1, 1], 0.3),
    ],
    treatments: [...IV, daily('OXYGEN', [4, 12], 0.5)],
  }),
  stroke: medical({
    labs: [...BASIC_LABS, 'COAG', 'LIPID', 'HBA1C', 'HCY', 'DDIMER'],
    repeatLabs: ['CBC', 'ELEC'],
    repeatEvery: 5,
    exams: [
      once('CT_HEAD', 1),
      once('MRI_HEAD', 0.8),
      once('US_VASC', 0.8),
      once('US_HEART', 0.4),
      once('ECG', 1),
    ],
    drugs: [
      daily('NS250', [1, 2]),
      daily('ASPIRIN', [1, 1], 0.9),
      daily('CLOPIDOGREL', [1, 1], 0.5),
      daily('ATORVASTATIN', [1, 2], 0.9),
      daily('BUTYLPHTHALIDE', [2, 2], 0.45, [0.6, 0.9]),
      daily('EDARAVONE', [2, 2], 0.35, [0.6, 0.9]),
      daily('OXIRACETAM', [2, 4], 0.35, [0.6, 0.9]),
      daily('GM1', [1, 2], 0.15, [0.5, 0.8]),
      daily('XUESAITONG', [2, 2], 0.4),
      daily('MANNITOL', [2, 4], 0.2, [0.2, 0.4]),
    ],
    treatments: [...IV, daily('REHAB_PT', [1, 1], 0.4, [0.4, 0.7]), daily('ACUP', [1, 1], 0.25, [0.4, 0.7])],
  }),
  heart_failure: medical({
    labs: [...BASIC_LABS, 'NTBNP', 'TNI', 'COAG', 'THYROID', 'DDIMER'],
    repeatLabs: ['ELEC', 'NTBNP'],
    repeatEvery: 3,
    exams: [once('US_HEART', 1), once('DR_CHEST', 0.8), once('ECG', 1)],
    drugs: [
      daily('FUROSEMIDE_IV', [1, 4]),
      daily('RHBNP', [1, 1], 0.3, [0.2, 0.4]),
      daily('SACUBITRIL', [2, 2], 0.5, [0.5, 1]),
      daily('SPIRONOLACTONE', [1, 2], 0.8),
      daily('METOPROLOL', [1, 2], 0.7),
      daily('NITRO_IV', [1, 2], 0.4, [0.2, 0.4]),
      daily('LMWH', [1, 1], 0.4),
      daily('DANHONG', [2, 3], 0.35),
      daily('SHENMAI', [1, 1], 0.3),
      daily('KCL', [1, 3], 0.6),
    ],
    treatments: [...IV, daily('MONITOR', [12, 24], 0.9, [0.3, 0.6]), daily('OXYGEN', [6, 16], 0.8)],
  }),
  angina: medical({
    labs: [...BASIC_LABS, 'TNI', 'CK', 'LIPID', 'COAG', 'NTBNP', 'DDIMER'],
    exams: [once('US_HEART', 0.9), once('HOLTER', 0.4), once('ECG', 1)],
    drugs: [
      daily('ASPIRIN', [1, 1]),
      daily('CLOPIDOGREL', [1, 1], 0.7),
      daily('ATORVASTATIN', [1, 2]),
      daily('ISMN', [1, 2], 0.6),
      daily('LMWH', [1, 2], 0.5),
      daily('FFDANSHEN', [10, 30], 0.3),
      daily('DANHONG', [2, 3], 0.4),
    ],
    treatments: [daily('MONITOR', [8, 24], 0.6, [0.3, 0.6]), daily('MAT_ELECTRODE', [5, 5], 0.6, [0.3, 0.5])],
  }),
  hypertension: medical({
    exams: [once('US_HEART', 0.8), once('US_VASC', 0.5), once('ECG', 1)],
    labs: [...BASIC_LABS, 'LIPID', 'THYROID', 'HCY'],
    drugs: [
      daily('AMLODIPINE', [1, 2]),
      daily('NIFEDIPINE', [1, 1], 0.4),
      daily('METOPROLOL', [1, 2], 0.4),
      daily('NS250', [1, 1], 0.5),
      daily('ALPROSTADIL', [1, 1], 0.3),
      daily('XUESAITONG', [2, 2], 0.3),
    ],
    treatments: [daily('MONITOR', [6, 12], 0.3, [0.2, 0.4])],
  }),
  arrhythmia: medical({
    labs: [...BASIC_LABS, 'COAG', 'TNI'],
    exams: [once('HOLTER', 0.9), once('US_HEART', 0.9), once('ECG', 1)],
    drugs: [
      daily('AMIODARONE', [1, 3], 0.6),
      daily('METOPROLOL', [1, 2], 0.5),
      daily('RIVAROXABAN', [1, 1], 0.5),
      daily('SHENMAI', [1, 1], 0.3),
      daily('NS250', [1, 2], 0.6),
    ],
    treatments: [daily('MONITOR', [12, 24], 0.8, [0.3, 0.6])],
  }),
  gi_bleed: medical({
    labs: [...BASIC_LABS, 'COAG', 'STOOL', 'TYPE_CROSS'],
    repeatLabs: ['CBC'],
    repeatEvery: 2,
    exams: [once('GASTROSCOPY', 0.85), once('US_ABD', 0.6), once('ECG', 1)],
    drugs: [
      daily('ESOMEPRAZOLE_IV', [2, 3]),
      daily('FAT_EMULSION', [1, 1], 0.3),
      daily('OCTREOTIDE', [2, 3], 0.3, [0.3, 0.5]),
      daily('NS250', [2, 3]),
      daily('TRANEXAMIC', [2, 2], 0.5, [0.2, 0.4]),
    ],
    treatments: [
      ...IV,
      daily('TRANSFUSION', [0.4, 0.6], 0.3, [0.2, 0.3]),
      daily('RBC', [0.5, 1], 0.3, [0.2, 0.3]),
    ],
  }),
  gastritis: medical({
    labs: [...BASIC_LABS, 'STOOL'],
    exams: [once('GASTROSCOPY', 0.8), once('US_ABD', 0.7), once('ECG', 0.8)],
    drugs: [
      daily('ESOMEPRAZOLE_IV', [1, 2]),
      daily('NS250', [1, 2]),
      daily('GS250', [1, 1], 0.5),
      daily('GLUTATHIONE', [1, 2], 0.3),
    ],
  }),
  pancreatitis: medical({
    labs: [...BASIC_LABS, 'CRP', 'LIPID', 'COAG', 'BLOODGAS'],
    repeatLabs: ['CBC', 'LFT', 'ELEC'],
    repeatEvery: 3,
    exams: [once('CT_ABD', 1), once('US_ABD', 0.6), once('ECG', 1)],
    drugs: [
      daily('ESOMEPRAZOLE_IV', [2, 2]),
      daily('OCTREOTIDE', [3, 6], 0.7, [0.4, 0.7]),
      daily('FAT_EMULSION', [1, 1], 0.4),
      daily('GLUTATHIONE', [1, 2], 0.4),
      daily('NS250', [3, 6]),
      daily('AA18', [1, 1], 0.6),
      daily('PIPTAZO', [3, 3], 0.4),
      daily('KCL', [2, 4], 0.7),
    ],
    treatments: [...IV, daily('IV_ADD', [3, 5])],
  }),
  cirrhosis: medical({
    labs: [...BASIC_LABS, 'COAG', 'HBV'],
    repeatLabs: ['LFT', 'ELEC'],
    exams: [once('US_ABD', 1), once('CT_ABD', 0.4), once('GASTROSCOPY', 0.4)],
    drugs: [
      daily('ALBUMIN', [1, 2], 0.7, [0.3, 0.6]),
      daily('SPIRONOLACTONE', [2, 4]),
      daily('FUROSEMIDE_IV', [1, 2], 0.6),
      daily('PANTOPRAZOLE_IV', [1, 1], 0.6),
      daily('GLUTATHIONE', [1, 2], 0.6),
    ],
  }),
  diabetes: medical({
    labs: [...BASIC_LABS, 'HBA1C', 'LIPID', 'THYROID', 'HCY'],
    repeatLabs: [],
    repeatEvery: 0,
    exams: [once('US_VASC', 0.6), once('US_ABD', 0.5), once('ECG', 1)],
    drugs: [
      daily('INSULIN_ASP', [0.3, 0.6], 0.8, [0.8, 1]),
      daily('INSULIN_GLAR', [0.2, 0.35], 0.6, [0.8, 1]),
      daily('METFORMIN', [2, 4], 0.6),
      daily('ACARBOSE', [3, 6], 0.4),
      daily('ALPROSTADIL', [1, 1], 0.4),
      daily('NS250', [1, 2], 0.5),
    ],
    treatments: [daily('GLU_POC', [4, 7]), daily('IV_FIRST', [1, 1], 0.3, [0.3, 0.6])],
  }),
  renal_failure: medical({
    labs: [...BASIC_LABS, 'COAG', 'BLOODGAS'],
    repeatLabs: ['RFT', 'ELEC'],
    repeatEvery: 2,
    exams: [once('US_ABD', 1), once('US_HEART', 0.6), once('ECG', 1)],
    drugs: [
      daily('EPO', [0.3, 0.5], 0.8),
      daily('FUROSEMIDE_IV', [1, 2], 0.5),
      daily('NIFEDIPINE', [1, 2], 0.6),
      daily('LMWH', [0.5, 0.5], 0.5),
    ],
    treatments: [daily('DIALYSIS', [0.4, 0.5], 0.8, [0.8, 1]), ...IV],
  }),
  uti: medical({
    labs: [...BASIC_LABS, 'CRP', 'BLOOD_CULT'],
    exams: [once('US_ABD', 0.9), once('ECG', 0.8)],
    drugs: [
      daily('MOXIFLOX', [1, 1], 0.3),
      daily('CEFOPERAZONE', [2, 3], 0.4),
      daily('CEFTRIAXONE', [1, 2], 0.35),
      daily('NS250', [1, 2]),
    ],
  }),
  back_pain: medical({
    labs: ['CBC', 'LFT', 'RFT'],
    exams: [once('MRI_SPINE', 0.8), once('DR_LIMB', 0.4)],
    drugs: [
      daily('FLURBIPROFEN', [1, 2], 0.6),
      daily('MANNITOL', [1, 2], 0.3, [0.3, 0.5]),
      daily('HERB_DANGGUI', [10, 15], 0.3),
      daily('HERB_CHUANXIONG', [10, 12], 0.3),
    ],
    treatments: [
      daily('REHAB_PT', [1, 1], 0.7, [0.6, 0.9]),
      daily('ACUP', [1, 1], 0.5, [0.6, 0.9]),
      daily('TUINA', [1, 1], 0.4, [0.5, 0.8]),
    ],
  }),
  chemo: medical({
    labs: [...BASIC_LABS, 'TUMOR_MK'],
    repeatLabs: ['CBC'],
    repeatEvery: 2,
    exams: [once('CT_CHEST', 0.4), once('ECG', 1)],
    drugs: [
      daily('PACLITAXEL', [2, 3], 0.45, [0.25, 0.35]),
      daily('OXALIPLATIN', [2, 3], 0.4, [0.25, 0.35]),
      daily('CISPLATIN', [3, 5], 0.3, [0.25, 0.4]),
      daily('CAPECITABINE', [4, 6], 0.3, [0.5, 0.8]),
      daily('ONDANSETRON', [1, 2]),
      daily('THYMALFASIN', [1, 1], 0.3),
      daily('GLUTATHIONE', [1, 2], 0.4),
      daily('SHENMAI', [1, 1], 0.3),
      daily('DEXAMETHASONE', [1, 2]),
      daily('NS250', [2, 3]),
      daily('GS250', [1, 2], 0.5),
    ],
    treatments: [...IV, daily('CHEMO_INF', [1, 1], 1, [0.3, 0.4]), daily('RT_IMRT', [1, 1], 0.1, [0.8, 1])],
  }),
  onc_followup: medical({
    labs: [...BASIC_LABS, 'TUMOR_MK'],
    repeatLabs: [],
    repeatEvery: 0,
    exams: [once('CT_CHEST', 0.8), once('CT_ABD', 0.5), once('US_ABD', 0.5)],
    drugs: [daily('NS250', [1, 1], 0.3)],
    treatments: [],
  }),
  sepsis: medical({
    labs: [...BASIC_LABS, 'CRP', 'PCT', 'BLOOD_CULT', 'COAG', 'BLOODGAS'],
    repeatLabs: ['CBC', 'PCT', 'BLOODGAS'],
    repeatEvery: 2,
    exams: [once('CT_CHEST', 0.7), once('US_ABD', 0.7), once('ECG', 1)],
    drugs: [
      daily('MEROPENEM', [3, 6], 0.7),
      daily('PIPTAZO', [3, 3], 0.3),
      daily('NS250', [3, 6]),
      daily('ALBUMIN', [1, 2], 0.5, [0.3, 0.5]),
      daily('IVIG', [1, 2], 0.15, [0.2, 0.3]),
      daily('THYMALFASIN', [1, 1], 0.3),
    ],
    treatments: [
      ...IV,
      daily('MONITOR', [24, 24], 0.9, [0.3, 0.6]),
      daily('OXYGEN', [12, 24], 0.7),
      daily('MAT_CVC', [0.1, 0.2], 0.4, [0.5, 0.5]),
    ],
  }),
  fever: medical({
    labs: [...BASIC_LABS, 'CRP', 'PCT', 'BLOOD_CULT'],
    exams: [once('CT_CHEST', 0.6), once('US_ABD', 0.5)],
    drugs: [
      daily('NS250', [1, 2]),
      daily('CEFOPERAZONE', [2, 3], 0.5),
      daily('PARACETAMOL', [1, 3], 0.6, [0.3, 0.5]),
      daily('XIYANPING', [2, 3], 0.3),
    ],
  }),
  cholecystectomy: surgical(
    {
      fees: [once('OP_LC')],
      anesthesia: 'ANES_GA',
      materials: LAPAROSCOPIC,
      drugs: GA_DRUGS,
      preopDays: [1, 2],
      pathology: true,
    },
    { exams: [once('US_ABD', 1), once('ECG', 1), once('DR_CHEST', 0.8), once('CT_ABD', 0.3)] },
  ),
  appendectomy: surgical(
    {
      fees: [once('OP_LAPAPP')],
      anesthesia: 'ANES_GA',
      materials: LAPAROSCOPIC,
      drugs: GA_DRUGS,
      preopDays: [0, 0],
      pathology: true,
    },
    {
      exams: [once('US_ABD', 0.7), once('CT_ABD', 0.5), once('ECG', 1)],
      drugs: [
        daily('CEFTRIAXONE', [1, 2], 0.6, [0.5, 0.8], true),
        daily('LEVOFLOX', [1, 1], 0.3, [0.5, 0.8], true),
      ],
    },
  ),
  hernia: surgical({
    fees: [once('OP_HERNIA')],
    anesthesia: 'ANES_SPINAL',
    materials: [once('MAT_MESH', 1), once('MAT_SUTURE', 1, [1, 2])],
    drugs: [once('LIDOCAINE', 0.6, [1, 2])],
    preopDays: [1, 1],
    pathology: false,
  }),
  colectomy: surgical(
    {
      fees: [once('OP_COLECTOMY')],
      anesthesia: 'ANES_GA',
      materials: [...LAPAROSCOPIC, once('MAT_STAPLER', 1, [1, 2]), once('MAT_HEMOSTAT', 0.5, [1, 2])],
      drugs: GA_DRUGS,
      preopDays: [2, 4],
      pathology: true,
    },
    {
      labs: [...PREOP_LABS, 'TUMOR_MK'],
      exams: [once('CT_ABD', 1), once('COLONOSCOPY', 0.7), once('ECG', 1), once('DR_CHEST', 1)],
      drugs: [
        daily('CEFUROXIME', [2, 3], 0.8, [0.3, 0.5], true),
        daily('OMEPRAZOLE_IV', [1, 2], 0.8, [0.4, 0.7], true),
        daily('AA18', [1, 1], 0.9, [0.4, 0.7], true),
        daily('ALBUMIN', [1, 1], 0.4, [0.2, 0.4], true),
      ],
    },
  ),
  pci: medical({
    labs: [...BASIC_LABS, 'TNI', 'CK', 'LIPID', 'COAG', 'PREOP_INF'],
    exams: [once('US_HEART', 1), once('ECG', 1)],
    drugs: [
      daily('ASPIRIN', [1, 1]),
      daily('TICAGRELOR', [2, 2], 0.6),
      daily('CLOPIDOGREL', [1, 1], 0.4),
      daily('ATORVASTATIN', [1, 2]),
      daily('LMWH', [1, 2], 0.6),
    ],
    treatments: [daily('MONITOR', [12, 24], 0.9, [0.4, 0.7])],
    surgery: {
      fees: [once('OP_CAG'), once('OP_PCI')],
      anesthesia: 'ANES_LOCAL',
      materials: [
        ...CORONARY,
        once('MAT_STENT', 1, [1, 3]),
        once('MAT_BALLOON', 1, [1, 3]),
        once('MAT_INFLATOR', 1),
      ],
      drugs: [once('LIDOCAINE', 1, [1, 2])],
      preopDays: [1, 2],
      pathology: false,
    },
  }),
  cag: medical({
    labs: [...BASIC_LABS, 'TNI', 'LIPID', 'COAG', 'PREOP_INF'],
    exams: [once('US_HEART', 1), once('ECG', 1)],
    drugs: [daily('ASPIRIN', [1, 1]), daily('ATORVASTATIN', [1, 1])],
    treatments: [daily('MONITOR', [6, 12], 0.6, [0.3, 0.5])],
    surgery: {
      fees: [once('OP_CAG')],
      anesthesia: 'ANES_LOCAL',
      materials: CORONARY,
      drugs: [once('LIDOCAINE', 1)],
      preopDays: [1, 1],
      pathology: false,
    },
  }),
  pacemaker: medical({
    labs: [...BASIC_LABS, 'COAG', 'PREOP_INF'],
    exams: [once('HOLTER', 1), once('US_HEART', 1), once('ECG', 1), once('DR_CHEST', 1)],
    drugs: [daily('CEFAZOLIN', [2, 2], 0.9, [0.3, 0.5])],
    treatments: [daily('MONITOR', [24, 24], 1, [0.5, 0.8]), daily('DRESSING', [0.3, 0.5], 1, [0.5, 0.8])],
    surgery: {
      fees: [once('OP_PACEMAKER')],
      anesthesia: 'ANES_LOCAL',
      materials: [once('MAT_PACEMAKER', 1), once('MAT_SUTURE', 1)],
      drugs: [once('LIDOCAINE', 1, [1, 2])],
      preopDays: [1, 3],
      pathology: false,
    },
  }),
  tka: surgical(
    {
      fees: [once('OP_TKA')],
      anesthesia: 'ANES_GA',
      materials: [
        once('MAT_KNEE', 1),
        once('MAT_CEMENT', 1, [1, 2]),
        once('MAT_SUTURE', 1, [2, 3]),
        once('MAT_HEMOSTAT', 0.3),
      ],
      drugs: [...GA_DRUGS, once('TRANEXAMIC', 1, [1, 2])],
      preopDays: [2, 3],
      pathology: false,
    },
    {
      exams: [
        once('DR_LIMB', 1, [1, 2]),
        once('MRI_KNEE', 0.3),
        once('US_VASC', 0.6),
        once('ECG', 1),
        once('DR_CHEST', 1),
      ],
      treatments: [
        ...POSTOP_IV,
        daily('DRESSING', [0.3, 0.5], 1, [0.5, 1], true),
        daily('REHAB_PT', [1, 1], 0.9, [0.5, 0.9], true),
        daily('LMWH', [1, 1], 0.9, [0.6, 1], true),
      ],
    },
  ),
  femur_orif: surgical(
    {
      fees: [once('OP_ORIF_FEMUR')],
      anesthesia: 'ANES_SPINAL',
      materials: [once('MAT_PLATE', 1), once('MAT_SUTURE', 1, [1, 2])],
      drugs: [once('TRANEXAMIC', 0.8, [1, 2])],
      preopDays: [1, 4],
      pathology: false,
    },
    {
      exams: [once('DR_LIMB', 1, [2, 3]), once('CT_CHEST', 0.2), once('US_VASC', 0.7), once('ECG', 1)],
      treatments: [
        ...POSTOP_IV,
        daily('DRESSING', [0.3, 0.5], 1, [0.5, 1], true),
        daily('LMWH', [1, 1], 0.9, [0.6, 1]),
        daily('RBC', [0.3, 0.5], 0.25, [0.1, 0.2], true),
      ],
    },
  ),
  discectomy: surgical(
    {
      fees: [once('OP_DISCECTOMY')],
      anesthesia: 'ANES_GA',
      materials: [once('MAT_SUTURE', 1, [1, 2]), once('MAT_HEMOSTAT', 0.4)],
      drugs: GA_DRUGS,
      preopDays: [1, 3],
      pathology: false,
    },
    { exams: [once('MRI_SPINE', 1), once('DR_LIMB', 0.6), once('ECG', 1)] },
  ),
  csection: surgical(
    {
      fees: [once('OP_CSECTION')],
      anesthesia: 'ANES_SPINAL',
      materials: [once('MAT_SUTURE', 1, [2, 3])],
      drugs: [once('OXYTOCIN', 1, [2, 4])],
      preopDays: [0, 1],
      pathology: false,
    },
    {
      exams: [once('US_OB', 1), once('ECG', 0.8)],
      drugs: [
        daily('CEFAZOLIN', [1, 2], 0.8, [0.2, 0.4], true),
        daily('OXYTOCIN', [1, 2], 0.6, [0.2, 0.4], true),
      ],
    },
  ),
  delivery: medical({
    labs: ['CBC', 'URINE', 'COAG', 'PREOP_INF', 'TYPE_CROSS'],
    repeatLabs: [],
    repeatEvery: 0,
    exams: [once('US_OB', 1)],
    drugs: [daily('OXYTOCIN', [1, 2], 0.8, [0.3, 0.5]), daily('NS250', [1, 1], 0.5, [0.2, 0.4])],
    treatments: [daily('MONITOR', [4, 10], 0.6, [0.2, 0.4])],
    surgery: {
      fees: [once('OP_DELIVERY')],
      materials: [once('MAT_SUTURE', 0.6)],
      drugs: [once('LIDOCAINE', 0.5)],
      preopDays: [0, 1],
      pathology: false,
    },
  }),
  ectopic: surgical(
    {
      fees: [once('OP_ECTOPIC')],
      anesthesia: 'ANES_GA',
      materials: LAPAROSCOPIC,
      drugs: GA_DRUGS,
      preopDays: [0, 1],
      pathology: true,
    },
    { exams: [once('US_OB', 1), once('ECG', 1)] },
  ),
  hysteroscopy: surgical(
    {
      fees: [once('OP_HYSTEROSCOPY')],
      anesthesia: 'ANES_GA',
      materials: [once('MAT_SUTURE', 0.3)],
      drugs: [once('PROPOFOL', 1, [1, 2])],
      preopDays: [1, 1],
      pathology: true,
    },
    { exams: [once('US_OB', 1), once('ECG', 1)] },
  ),
  cataract: surgical(
    {
      fees: [once('OP_PHACO')],
      anesthesia: 'ANES_LOCAL',
      materials: [once('MAT_IOL', 1)],
      drugs: [once('TOBRADEX', 1)],
      preopDays: [0, 1],
      pathology: false,
    },
    {
      labs: ['CBC', 'COAG', 'PREOP_INF', 'GLU_POC'],
      repeatLabs: [],
      repeatEvery: 0,
      exams: [once('ECG', 1)],
      drugs: [],
      treatments: [],
    },
  ),
  tonsil: surgical(
    {
      fees: [once('OP_TONSIL')],
      anesthesia: 'ANES_GA',
      materials: [once('MAT_SUTURE', 0.5)],
      drugs: GA_DRUGS,
      preopDays: [1, 1],
      pathology: true,
    },
    { exams: [once('ECG', 0.8), once('DR_CHEST', 0.5)] },
  ),
  mastectomy: surgical(
    {
      fees: [once('OP_MASTECTOMY')],
      anesthesia: 'ANES_GA',
      materials: [once('MAT_SUTURE', 1, [2, 4]), once('MAT_HEMOSTAT', 0.5)],
      drugs: GA_DRUGS,
      preopDays: [2, 3],
      pathology: true,
    },
    {
      labs: [...PREOP_LABS, 'TUMOR_MK'],
      exams: [once('PATHO_FROZEN', 1), once('CT_CHEST', 0.8), once('US_ABD', 0.8), once('ECG', 1)],
    },
  ),
  craniotomy: surgical(
    {
      fees: [once('OP_CRANIOTOMY')],
      anesthesia: 'ANES_GA',
      materials: [once('MAT_SUTURE', 1, [2, 4]), once('MAT_HEMOSTAT', 1, [1, 3])],
      drugs: GA_DRUGS,
      preopDays: [2, 4],
      pathology: true,
    },
    {
      exams: [once('MRI_HEAD', 1), once('CT_HEAD', 1, [1, 3]), once('ECG', 1)],
      drugs: [
        daily('MANNITOL', [2, 4], 0.9, [0.3, 0.6], true),
        daily('CEFTRIAXONE', [2, 2], 0.8, [0.2, 0.4], true),
        daily('PANTOPRAZOLE_IV', [1, 2], 0.8, [0.3, 0.6], true),
        daily('ALBUMIN', [1, 2], 0.5, [0.2, 0.4], true),
      ],
    },
  ),
  polypectomy: medical({
    labs: ['CBC', 'COAG', 'PREOP_INF', 'STOOL'],
    repeatLabs: [],
    repeatEvery: 0,
    exams: [once('ECG', 1)],
    drugs: [daily('NS250', [1, 2], 0.7), daily('OMEPRAZOLE_IV', [1, 1], 0.5)],
    surgery: {
      fees: [once('COLONOSCOPY'), once('OP_POLYPECTOMY')],
      anesthesia: 'ANES_LOCAL',
      materials: [once('MAT_SNARE', 1), once('MAT_ENDOCLIP', 0.8, [1, 4])],
      drugs: [once('PROPOFOL', 0.7)],
      preopDays: [1, 1],
      pathology: true,
    },
  }),
  turp: surgical(
    {
      fees: [once('OP_TURP')],
      anesthesia: 'ANES_SPINAL',
      materials: [once('MAT_CATHETER', 1)],
      drugs: [once('LIDOCAINE', 0.5)],
      preopDays: [1, 2],
      pathology: true,
    },
    { exams: [once('US_ABD', 1), once('ECG', 1)] },
  ),
  urs: surgical(
    {
      fees: [once('OP_URS')],
      anesthesia: 'ANES_SPINAL',
      materials: [once('MAT_DJ', 1), once('MAT_CATHETER', 1)],
      drugs: [once('LIDOCAINE', 0.5)],
      preopDays: [1, 1],
      pathology: false,
    },
    { exams: [once('CT_ABD', 0.8), once('US_ABD', 0.6), once('ECG', 1)] },
  ),
};
