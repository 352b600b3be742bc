/**
 * Seasonal pattern of a group's admissions: respiratory groups peak in
 * winter, elective surgery dips around Spring Festival and National Day.
 */
export type Season = 'respiratory' | 'winter' | 'elective' | 'flat';

/** One CHS-DRG 1.1 group as the demo uses it. */
export interface DrgGroup {
  readonly code: string;
  readonly name: string;
  /** 外科 (surgical), 操作 (procedural) or 内科 (medical) group. */
  readonly kind: 'surgical' | 'procedural' | 'medical';
  /**
   * Design weight: how heavy the group is meant to be (mean cost over a mean
   * case cost of about 8,250 yuan). It shapes the case mix (which levels treat
   * the group, planted scenarios); the RW the city publishes is computed from
   * the generated cost (see payment-policy.ts and calibration.ts).
   */
  readonly rw: number;
  /** Mean length of stay in days (log-normal). */
  readonly losMean: number;
  readonly losSigma: number;
  /** Standard department that usually discharges the case. */
  readonly dept: string;
  /** Lowest hospital level that treats the group. */
  readonly minLevel: 2 | 3;
  /** Relative frequency among the alliance's discharges. */
  readonly weight: number;
  readonly season: Season;
  readonly sex?: 1 | 2;
  readonly ageMin: number;
  readonly ageMax: number;
  /** Principal diagnoses (ICD-10 医保版 2.0), first most common. */
  readonly diagnoses: readonly string[];
  /** Procedures (ICD-9-CM-3 医保版 2.0); the first is the main one. */
  readonly procedures: readonly string[];
  /** Procedures are alternatives matched to the diagnosis at the same index (else all are done). */
  readonly alignProcedures?: boolean;
  /** Share of cases that get the listed procedures (medical groups: often optional). */
  readonly procedureRate?: number;
  /** Care profile key (see care-profiles.ts). */
  readonly profile: string;
  /**
   * 0 不伴, 1 伴并发症, 2 伴严重并发症: what the national rules must find among the secondary
   * diagnoses (0: no CC or MCC that counts beside the principal; 1: a CC and no MCC; 2: an MCC).
   */
  readonly severity: 0 | 1 | 2;
  /**
   * Complications a stay of a severity 1 or 2 group is coded with, clinically plausible for the
   * group (each with its treatment in CC_SUPPORTING_ITEMS): the generator takes, by the national
   * CC/MCC table, one that counts at the group's level beside the principal, and may add others
   * that do not raise it further.
   */
  readonly complications?: readonly string[];
  /** Procedure coded for ventilation in the ICU (default 96.7101 invasive, under 96 hours). */
  readonly ventilation?: string;
  /** Share admitted through the emergency department. */
  readonly emergency: number;
  /** In-hospital mortality. */
  readonly mortality: number;
}

type Spec = Omit<
  DrgGroup,
  'losSigma' | 'minLevel' | 'season' | 'ageMin' | 'ageMax' | 'emergency' | 'mortality' | 'severity'
> &
  Partial<
    Pick<
      DrgGroup,
      'losSigma' | 'minLevel' | 'season' | 'ageMin' | 'ageMax' | 'emergency' | 'mortality' | 'severity'
    >
  >;

const g = (s: Spec): DrgGroup => ({
  losSigma: 0.4,
  minLevel: 2,
  season: 'flat',
  ageMin: 18,
  ageMax: 92,
  emergency: 0.2,
  mortality: 0.002,
  severity: 0,
  ...s,
});

/**
 * A curated set of common CHS-DRG 1.1 groups with real group codes and names, each coded (principal
 * diagnoses, procedures, complications) so that the national rules place its stays in it
 * (test/unit/demo-drg-conformance.test.ts); RW, stay length and frequencies are the demo's own
 * plausible values (never copied from a published table).
 */
// prettier-ignore
export const DRG_GROUPS: readonly DrgGroup[] = [
  g({ code: 'ES31', name: '呼吸系统感染/炎症，伴严重并发症或合并症', kind: 'medical', rw: 1.81, losMean: 11, dept: 'A03.01', weight: 2, season: 'respiratory', ageMin: 55, diagnoses: ['J18.900', 'J15.900'], procedures: [], profile: 'pneumonia_severe', severity: 2, complications: ['J96.900', 'J90.x00', 'E87.100'], emergency: 0.5, mortality: 0.04 }),
  g({ code: 'ES33', name: '呼吸系统感染/炎症，伴并发症或合并症', kind: 'medical', rw: 0.81, losMean: 9, dept: 'A03.01', weight: 3, season: 'respiratory', ageMin: 40, diagnoses: ['J18.900', 'J15.900', 'J22.x00'], procedures: [], profile: 'pneumonia', severity: 1, complications: ['E87.100', 'J90.x00'], emergency: 0.35, mortality: 0.006 }),
  g({ code: 'ES35', name: '呼吸系统感染/炎症，不伴并发症或合并症', kind: 'medical', rw: 0.66, losMean: 7, dept: 'A03.01', weight: 3.5, season: 'respiratory', ageMin: 16, diagnoses: ['J18.900', 'J22.x00'], procedures: [], profile: 'pneumonia', emergency: 0.25 }),
  g({ code: 'ET21', name: '慢性气道阻塞病，伴严重并发症或合并症', kind: 'medical', rw: 0.93, losMean: 11, dept: 'A03.01', weight: 1.2, season: 'respiratory', ageMin: 55, diagnoses: ['J44.100', 'J44.000'], procedures: [], profile: 'copd', severity: 2, complications: ['J96.900', 'E87.100'], emergency: 0.45, mortality: 0.02 }),
  g({ code: 'ET23', name: '慢性气道阻塞病，伴并发症或合并症', kind: 'medical', rw: 0.73, losMean: 9, dept: 'A03.01', weight: 1.8, season: 'respiratory', ageMin: 50, diagnoses: ['J44.100', 'J44.000'], procedures: [], profile: 'copd', severity: 1, complications: ['J18.900', 'E87.100'], emergency: 0.3 }),
  g({ code: 'EX25', name: '百日咳及急性支气管炎，不伴并发症或合并症', kind: 'medical', rw: 0.21, losMean: 5, losSigma: 0.3, dept: 'A07', weight: 2.2, season: 'respiratory', ageMin: 1, ageMax: 14, diagnoses: ['J20.900', 'J20.902'], procedures: [], profile: 'bronchitis_child', emergency: 0.2, mortality: 0 }),
  g({ code: 'DT19', name: '中耳炎及上呼吸道感染', kind: 'medical', rw: 0.18, losMean: 4, losSigma: 0.3, dept: 'A07', weight: 1.2, season: 'respiratory', ageMin: 1, ageMax: 14, diagnoses: ['J06.900'], procedures: [], profile: 'bronchitis_child', emergency: 0.2, mortality: 0 }),
  g({ code: 'ER15', name: '呼吸系统肿瘤，不伴并发症或合并症', kind: 'medical', rw: 0.71, losMean: 9, dept: 'A03.01', weight: 0.6, ageMin: 45, diagnoses: ['C34.900x001', 'C34.101'], procedures: ['33.2200'], procedureRate: 0.5, profile: 'lung_cancer', emergency: 0.05, mortality: 0.01 }),
  g({ code: 'BR23', name: '脑缺血性疾患，伴并发症或合并症', kind: 'medical', rw: 1.13, losMean: 11, dept: 'A03.03', weight: 2.6, season: 'winter', ageMin: 45, diagnoses: ['I63.900', 'I63.901'], procedures: [], profile: 'stroke', severity: 1, complications: ['J18.900', 'E87.100'], emergency: 0.45, mortality: 0.01 }),
  g({ code: 'BR25', name: '脑缺血性疾患，不伴并发症或合并症', kind: 'medical', rw: 0.95, losMean: 9, dept: 'A03.03', weight: 2, season: 'winter', ageMin: 40, diagnoses: ['I63.900'], procedures: [], profile: 'stroke', emergency: 0.35 }),
  g({ code: 'FR21', name: '心力衰竭、休克，伴严重并发症或合并症', kind: 'medical', rw: 0.97, losMean: 10, dept: 'A03.04', weight: 1.3, season: 'winter', ageMin: 55, diagnoses: ['I50.900', 'I50.000'], procedures: [], profile: 'heart_failure', severity: 2, complications: ['J96.900', 'E87.100'], ventilation: '93.9000', emergency: 0.55, mortality: 0.05 }),
  g({ code: 'FR39', name: '心绞痛', kind: 'medical', rw: 0.41, losMean: 6, dept: 'A03.04', weight: 2, season: 'winter', ageMin: 40, diagnoses: ['I20.000', 'I20.900'], procedures: [], profile: 'angina', emergency: 0.3 }),
  g({ code: 'FV23', name: '高血压，伴并发症或合并症', kind: 'medical', rw: 0.34, losMean: 7, dept: 'A03.04', weight: 1.3, ageMin: 35, diagnoses: ['I10.x00x002'], procedures: [], profile: 'hypertension', severity: 1, complications: ['I69.300', 'E87.100'], emergency: 0.15 }),
  g({ code: 'FU25', name: '心律失常及传导障碍，不伴并发症或合并症', kind: 'medical', rw: 0.33, losMean: 6, dept: 'A03.04', weight: 1, ageMin: 30, diagnoses: ['I48.900x004', 'I47.100'], procedures: [], profile: 'arrhythmia', emergency: 0.3 }),
  g({ code: 'GS15', name: '胃肠出血，不伴并发症或合并症', kind: 'medical', rw: 0.5, losMean: 7, dept: 'A03.02', weight: 1, ageMin: 25, diagnoses: ['K92.208', 'K92.207'], procedures: ['45.1600'], procedureRate: 0.8, profile: 'gi_bleed', emergency: 0.6, mortality: 0.008 }),
  g({ code: 'GW19', name: '食管炎、胃肠炎', kind: 'medical', rw: 0.34, losMean: 6, dept: 'A03.02', weight: 1.4, ageMin: 18, diagnoses: ['K29.500', 'K21.001'], procedures: [], profile: 'gastritis', emergency: 0.1 }),
  g({ code: 'HT23', name: '急性胰腺炎，伴并发症或合并症', kind: 'medical', rw: 1.07, losMean: 10, dept: 'A03.02', weight: 0.6, ageMin: 20, diagnoses: ['K85.900'], procedures: [], profile: 'pancreatitis', severity: 1, complications: ['J90.x00', 'E87.100'], emergency: 0.7, mortality: 0.01 }),
  g({ code: 'HS25', name: '肝硬化，不伴并发症或合并症', kind: 'medical', rw: 1.01, losMean: 10, dept: 'A03.02', weight: 0.5, ageMin: 35, diagnoses: ['K74.600'], procedures: [], profile: 'cirrhosis', emergency: 0.25, mortality: 0.01 }),
  g({ code: 'KS15', name: '糖尿病，不伴并发症或合并症', kind: 'medical', rw: 0.43, losMean: 8, dept: 'A03.07', weight: 1.6, ageMin: 25, diagnoses: ['E11.900', 'E11.600x051', 'E11.800'], procedures: [], profile: 'diabetes', emergency: 0.1 }),
  g({ code: 'LL11', name: '肾透析，伴严重并发症或合并症', kind: 'procedural', rw: 1.1, losMean: 12, dept: 'A03.06', weight: 0.5, ageMin: 35, diagnoses: ['N18.500'], procedures: ['39.9500'], profile: 'renal_failure', severity: 2, complications: ['I50.900', 'J96.900', 'E87.100'], emergency: 0.4, mortality: 0.03 }),
  g({ code: 'LU15', name: '肾及尿路感染，不伴并发症或合并症', kind: 'medical', rw: 0.34, losMean: 6, dept: 'A03.06', weight: 0.9, ageMin: 18, diagnoses: ['N39.000'], procedures: [], profile: 'uti', emergency: 0.25 }),
  g({ code: 'IU29', name: '颈腰背疾患', kind: 'medical', rw: 0.43, losMean: 9, dept: 'A50', weight: 1.3, ageMin: 30, diagnoses: ['M54.500', 'M51.202'], procedures: [], profile: 'back_pain', emergency: 0.05, mortality: 0 }),
  g({ code: 'RE15', name: '恶性增生性疾患的化学治疗和/或其他治疗，不伴并发症或合并症', kind: 'medical', rw: 0.79, losMean: 4, losSigma: 0.3, dept: 'A19', weight: 2.2, minLevel: 3, ageMin: 30, diagnoses: ['Z51.102', 'Z51.103'], procedures: ['99.2503'], procedureRate: 1, profile: 'chemo', emergency: 0, mortality: 0.001 }),
  g({ code: 'RW19', name: '恶性增生性疾患治疗后的随诊检查', kind: 'medical', rw: 0.29, losMean: 3, losSigma: 0.3, dept: 'A19', weight: 0.7, minLevel: 3, ageMin: 30, diagnoses: ['Z08.000'], procedures: [], profile: 'onc_followup', emergency: 0, mortality: 0 }),
  g({ code: 'SR13', name: '败血症，伴并发症或合并症', kind: 'medical', rw: 1.99, losMean: 12, dept: 'A03', weight: 0.3, ageMin: 40, diagnoses: ['A41.900'], procedures: [], profile: 'sepsis', severity: 1, complications: ['J18.900', 'E87.100'], emergency: 0.7, mortality: 0.06 }),
  g({ code: 'ST15', name: '原因不明的发热，不伴并发症或合并症', kind: 'medical', rw: 0.31, losMean: 4, dept: 'A03', weight: 0.5, ageMin: 18, diagnoses: ['R50.900'], procedures: [], profile: 'fever', emergency: 0.4 }),
  g({ code: 'HC29', name: '胆囊切除手术', kind: 'surgical', rw: 1.15, losMean: 6, dept: 'A04.01', weight: 2.2, season: 'elective', ageMin: 25, diagnoses: ['K80.100x001', 'K80.101', 'K81.000'], procedures: ['51.2300'], profile: 'cholecystectomy', emergency: 0.15 }),
  g({ code: 'GD25', name: '阑尾切除术，不伴并发症或合并症', kind: 'surgical', rw: 1.09, losMean: 5, losSigma: 0.3, dept: 'A04.01', weight: 1.3, ageMin: 8, ageMax: 80, diagnoses: ['K35.800x001'], procedures: ['47.0100'], profile: 'appendectomy', emergency: 0.9, mortality: 0 }),
  g({ code: 'GE15', name: '腹股沟及腹疝手术，不伴并发症或合并症', kind: 'surgical', rw: 0.7, losMean: 4, losSigma: 0.3, dept: 'A04.01', weight: 1.2, season: 'elective', sex: 1, ageMin: 20, diagnoses: ['K40.900x003'], procedures: ['53.0201'], profile: 'hernia', emergency: 0.05, mortality: 0 }),
  g({ code: 'GB29', name: '小肠、大肠（含直肠）的大手术', kind: 'surgical', rw: 2.82, losMean: 16, dept: 'A04.01', weight: 0.45, minLevel: 3, season: 'elective', ageMin: 40, diagnoses: ['C18.900', 'C20.x00'], procedures: ['45.7302', '48.6301'], alignProcedures: true, profile: 'colectomy', emergency: 0.05, mortality: 0.01 }),
  g({ code: 'GK39', name: '结肠镜治疗操作', kind: 'procedural', rw: 0.47, losMean: 3, losSigma: 0.3, dept: 'A03.02', weight: 1.3, season: 'elective', ageMin: 35, diagnoses: ['K63.500'], procedures: ['45.4200x003'], profile: 'polypectomy', emergency: 0, mortality: 0 }),
  g({ code: 'FM19', name: '经皮冠状动脉支架植入', kind: 'procedural', rw: 1.7, losMean: 7, dept: 'A03.04', weight: 1.1, minLevel: 3, ageMin: 40, diagnoses: ['I20.000', 'I21.900'], procedures: ['36.0700', '00.6600', '88.5600'], profile: 'pci', emergency: 0.35, mortality: 0.005 }),
  g({ code: 'FM39', name: '经皮心导管检查操作', kind: 'procedural', rw: 0.68, losMean: 4, losSigma: 0.3, dept: 'A03.04', weight: 0.8, minLevel: 3, ageMin: 40, diagnoses: ['I20.900', 'I25.103'], procedures: ['88.5600'], profile: 'cag', emergency: 0.05, mortality: 0 }),
  g({ code: 'FK39', name: '永久性起搏器植入/置换/更新', kind: 'surgical', rw: 3.25, losMean: 8, dept: 'A03.04', weight: 0.2, minLevel: 3, ageMin: 55, diagnoses: ['I44.200'], procedures: ['37.8301'], profile: 'pacemaker', emergency: 0.3, mortality: 0.002 }),
  g({ code: 'IC29', name: '髋、肩、膝、肘和踝关节置换术', kind: 'surgical', rw: 2.53, losMean: 12, dept: 'A04.03', weight: 0.6, season: 'elective', ageMin: 55, diagnoses: ['M17.900', 'M17.101'], procedures: ['81.5400'], profile: 'tka', emergency: 0, mortality: 0.001 }),
  g({ code: 'IF35', name: '股骨手术，不伴并发症或合并症', kind: 'surgical', rw: 1.42, losMean: 13, dept: 'A04.03', weight: 0.6, season: 'winter', ageMin: 50, diagnoses: ['S72.000'], procedures: ['79.3501'], profile: 'femur_orif', emergency: 0.8, mortality: 0.005 }),
  g({ code: 'IB39', name: '与脊柱有关的其他手术', kind: 'surgical', rw: 1.11, losMean: 10, dept: 'A04.03', weight: 0.5, season: 'elective', ageMin: 30, diagnoses: ['M51.202'], procedures: ['80.5107'], profile: 'discectomy', emergency: 0.05, mortality: 0 }),
  g({ code: 'OB19', name: '剖宫产术', kind: 'surgical', rw: 0.58, losMean: 5, losSigma: 0.25, dept: 'A05.02', weight: 1.6, sex: 2, ageMin: 20, ageMax: 42, diagnoses: ['O82.000', 'O34.201'], procedures: ['74.1x01'], profile: 'csection', emergency: 0.3, mortality: 0 }),
  g({ code: 'OC19', name: '阴道分娩伴手术操作', kind: 'surgical', rw: 0.27, losMean: 3, losSigma: 0.25, dept: 'A05.02', weight: 2, sex: 2, ageMin: 20, ageMax: 42, diagnoses: ['O80.000', 'O80.900'], procedures: ['73.5900x002'], profile: 'delivery', emergency: 0.5, mortality: 0 }),
  g({ code: 'OE19', name: '异位妊娠手术', kind: 'surgical', rw: 1.1, losMean: 5, losSigma: 0.3, dept: 'A05.01', weight: 0.4, sex: 2, ageMin: 20, ageMax: 42, diagnoses: ['O00.100'], procedures: ['66.6200'], profile: 'ectopic', emergency: 0.8, mortality: 0 }),
  g({ code: 'NE19', name: '子宫腔内病变手术', kind: 'surgical', rw: 0.58, losMean: 3, losSigma: 0.3, dept: 'A05.01', weight: 0.8, season: 'elective', sex: 2, ageMin: 25, ageMax: 60, diagnoses: ['N84.001'], procedures: ['68.2902'], profile: 'hysteroscopy', emergency: 0, mortality: 0 }),
  g({ code: 'CB39', name: '晶体手术', kind: 'surgical', rw: 0.48, losMean: 2, losSigma: 0.25, dept: 'A10', weight: 1.1, minLevel: 3, season: 'elective', ageMin: 55, diagnoses: ['H25.900', 'H26.900'], procedures: ['13.4100x001', '13.7100x001'], profile: 'cataract', emergency: 0, mortality: 0 }),
  g({ code: 'DE29', name: '扁桃体和/或腺样体切除手术', kind: 'surgical', rw: 0.55, losMean: 4, losSigma: 0.25, dept: 'A11', weight: 0.6, season: 'elective', ageMin: 4, ageMax: 40, diagnoses: ['J35.300', 'J35.000'], procedures: ['28.3x01'], profile: 'tonsil', emergency: 0, mortality: 0 }),
  g({ code: 'JA29', name: '乳房恶性肿瘤根治性切除术', kind: 'surgical', rw: 1.3, losMean: 9, dept: 'A04.01', weight: 0.35, minLevel: 3, season: 'elective', sex: 2, ageMin: 30, ageMax: 85, diagnoses: ['C50.900'], procedures: ['85.4301'], profile: 'mastectomy', emergency: 0, mortality: 0 }),
  g({ code: 'BB21', name: '除创伤之外的其他开颅术，伴严重并发症或合并症', kind: 'surgical', rw: 2.96, losMean: 20, losSigma: 0.45, dept: 'A04.02', weight: 0.15, minLevel: 3, ageMin: 25, ageMax: 80, diagnoses: ['D33.000', 'D32.900'], procedures: ['01.5901'], profile: 'craniotomy', severity: 2, complications: ['J96.900', 'E87.100'], emergency: 0.1, mortality: 0.03 }),
  g({ code: 'MB19', name: '前列腺手术', kind: 'surgical', rw: 0.76, losMean: 7, dept: 'A04.04', weight: 0.5, season: 'elective', sex: 1, ageMin: 55, diagnoses: ['N40.x00'], procedures: ['60.2901'], profile: 'turp', emergency: 0, mortality: 0 }),
  g({ code: 'LC19', name: '输尿管手术', kind: 'surgical', rw: 0.76, losMean: 5, losSigma: 0.3, dept: 'A04.04', weight: 0.7, ageMin: 20, diagnoses: ['N20.100'], procedures: ['56.0x06'], profile: 'urs', emergency: 0.3, mortality: 0 }),
];

/**
 * 高套编码 as planted: a group a coder pushes into its higher-weight sibling by adding one secondary
 * diagnosis the stay does not have (and bills no treatment for) — one the national CC/MCC table
 * counts at the sibling's level beside every principal of the group.
 */
export const UPCODING: Readonly<Record<string, readonly [sibling: string, dx: string]>> = {
  ES35: ['ES31', 'J96.900'],
  ES33: ['ES31', 'J96.900'],
  ET23: ['ET21', 'J96.900'],
  BR25: ['BR23', 'J18.900'],
};

const BY_CODE = new Map(DRG_GROUPS.map((d) => [d.code, d]));

/** DRG group by code; throws for a code outside the curated list. */
export function drgGroup(code: string): DrgGroup {
  const found = BY_CODE.get(code);
  if (!found) throw new RangeError(`DRG ${code} is not in the demo catalogue`);
  return found;
}
