/** An ICD-10 医保版 2.0 diagnosis used by the demo. */
export interface Diagnosis {
  readonly code: string;
  readonly name: string;
  /** Sex the code is restricted to: 1 male, 2 female. */
  readonly sex?: 1 | 2;
}

const dx = (code: string, name: string, sex?: 1 | 2): Diagnosis =>
  sex === undefined ? { code, name } : { code, name, sex };

/**
 * Curated ICD-10 医保版 2.0 codes: principal diagnoses of the demo DRG groups
 * plus common secondary diagnoses. Hand-picked, not copied from a table.
 */
export const DIAGNOSES: readonly Diagnosis[] = [
  dx('J18.900', '肺炎'),
  dx('J18.000', '支气管肺炎'),
  dx('J15.900', '细菌性肺炎'),
  dx('J22.x00', '急性下呼吸道感染'),
  dx('J44.100', '慢性阻塞性肺病伴有急性加重'),
  dx('J44.000', '慢性阻塞性肺病伴有急性下呼吸道感染'),
  dx('J20.900', '急性支气管炎'),
  dx('J06.900', '急性上呼吸道感染'),
  dx('C34.900', '支气管或肺恶性肿瘤'),
  dx('C34.100', '上叶，支气管或肺的恶性肿瘤'),
  dx('I63.900', '脑梗死'),
  dx('I63.901', '脑干梗死'),
  dx('I61.900', '脑内出血'),
  dx('I50.900', '心力衰竭'),
  dx('I50.000', '充血性心力衰竭'),
  dx('I20.000', '不稳定型心绞痛'),
  dx('I20.900', '心绞痛'),
  dx('I21.900', '急性心肌梗死'),
  dx('I25.100', '动脉硬化性心脏病'),
  dx('I10.x00x002', '高血压'),
  dx('I48.900', '心房颤动和心房扑动，未特指'),
  dx('I47.100', '室上性心动过速'),
  dx('I44.200', 'Ⅲ度房室传导阻滞'),
  dx('K92.200', '胃肠出血'),
  dx('K29.500', '慢性胃炎'),
  dx('K21.000', '胃-食管反流性疾病伴有食管炎'),
  dx('K85.900', '急性胰腺炎'),
  dx('K74.600', '肝硬变'),
  dx('K63.500', '结肠息肉'),
  dx('K80.100x001', '胆囊结石伴胆囊炎'),
  dx('K80.101', '胆囊结石伴慢性胆囊炎'),
  dx('K81.000', '急性胆囊炎'),
  dx('K35.800', '急性阑尾炎，其他未特指'),
  dx('K40.900', '单侧或未特指的腹股沟疝，不伴有梗阻或坏疽'),
  dx('C18.900', '结肠恶性肿瘤'),
  dx('C20.x00', '直肠恶性肿瘤'),
  dx('C16.900', '胃恶性肿瘤'),
  dx('C50.900', '乳房恶性肿瘤', 2),
  dx('C22.000', '肝细胞癌'),
  dx('E11.900', '2型糖尿病'),
  dx('E11.200', '2型糖尿病伴有肾的并发症'),
  dx('E11.400', '2型糖尿病伴有神经的并发症'),
  dx('N18.500', '慢性肾脏病5期'),
  dx('N39.000', '泌尿道感染'),
  dx('N20.100', '输尿管结石'),
  dx('N40.x00', '前列腺增生', 1),
  dx('M54.500', '下背痛'),
  dx('M51.202', '腰椎间盘突出'),
  dx('M17.900', '膝关节病'),
  dx('M17.100', '原发性膝关节病，其他的'),
  dx('S72.000', '股骨颈骨折'),
  dx('Z51.100', '为肿瘤化学治疗疗程'),
  dx('Z08.000', '恶性肿瘤手术后的随诊检查'),
  dx('A41.900', '脓毒症'),
  dx('R50.900', '发热'),
  dx('D33.000', '脑幕上的良性肿瘤'),
  dx('D32.900', '脑脊膜良性肿瘤'),
  dx('O82.000', '经选择性剖宫产术的分娩', 2),
  dx('O34.200', '为以前的子宫手术瘢痕给予的孕产妇医疗', 2),
  dx('O80.000', '头位顺产', 2),
  dx('O80.900', '单胎顺产', 2),
  dx('Z37.000', '单一活产', 2),
  dx('O00.100', '输卵管妊娠', 2),
  dx('N84.001', '子宫内膜息肉', 2),
  dx('H25.900', '老年性白内障'),
  dx('H26.900', '白内障'),
  dx('J35.300', '扁桃体肥大伴有腺样体肥大'),
  dx('J35.000', '慢性扁桃体炎'),
  // principal diagnoses in the national rules' suffix form
  dx('J20.902', '急性气管支气管炎'),
  dx('C34.900x001', '肺恶性肿瘤'),
  dx('C34.101', '肺上叶恶性肿瘤'),
  dx('I48.900x004', '心房颤动[心房纤颤]'),
  dx('K92.208', '上消化道出血'),
  dx('K92.207', '急性上消化道出血'),
  dx('K21.001', '反流性食管炎'),
  dx('E11.600x051', '2型糖尿病伴血糖控制不佳'),
  dx('E11.800', '2型糖尿病伴有并发症'),
  dx('Z51.102', '手术后恶性肿瘤化学治疗'),
  dx('Z51.103', '恶性肿瘤维持性化学治疗'),
  dx('K35.800x001', '急性阑尾炎'),
  dx('K40.900x003', '单侧腹股沟斜疝'),
  dx('I25.103', '冠状动脉粥样硬化性心脏病'),
  dx('M17.101', '原发性单侧膝关节病'),
  dx('O34.201', '妊娠合并子宫瘢痕', 2),
  // common secondary diagnoses
  dx('E78.500', '高脂血症'),
  dx('K76.000', '脂肪肝'),
  dx('D64.900', '贫血'),
  dx('E87.100', '低渗透性和低钠血症'),
  dx('J96.900', '未特指的呼吸衰竭'),
  dx('I69.300', '脑梗死后遗症'),
  dx('E03.900', '甲状腺功能减退症'),
  dx('J90.x00', '胸腔积液，不可归类在他处者'),
  dx('O24.400', '妊娠期发生的糖尿病', 2),
  dx('N95.100', '绝经期和女性更年期状态', 2),
];

/** Secondary diagnoses any adult can carry, in a stable order. */
export const COMORBIDITIES: readonly string[] = [
  'I10.x00x002',
  'E11.900',
  'E78.500',
  'I25.100',
  'K76.000',
  'D64.900',
  'E87.100',
  'I69.300',
  'E03.900',
  'K29.500',
];

/**
 * Chronic comorbidities and sequelae: present before the stay, so always recorded with 入院病情
 * 1 有 (a coder never has them arise during the stay).
 */
export const PRESENT_ON_ADMISSION: ReadonlySet<string> = new Set([
  'I10.x00x002',
  'E11.900',
  'E78.500',
  'I25.100',
  'K76.000',
  'I69.300',
  'E03.900',
  'K29.500',
]);

/**
 * The charge items (catalogue keys) that treat each CC/MCC secondary diagnosis the demo records
 * (a diagnosis of the CHS-DRG complication list, seeds/drg/drg_cc_mcc.csv): a stay that truly has
 * the condition bills at least the first item; one where the diagnosis was added only to raise the
 * group (planted 高套编码) bills none of them. seeds/fund/fund_cc_supporting_items.csv holds the
 * same mapping by diagnosis prefix and 医保 item code for the screen; test/unit/demo-catalog.test.ts
 * checks that the two agree.
 */
export const CC_SUPPORTING_ITEMS: Readonly<Record<string, readonly string[]>> = {
  // 呼吸衰竭: oxygen, or the ventilator
  'J96.900': ['OXYGEN', 'VENT'],
  // 胸腔积液: a loop diuretic
  'J90.x00': ['FUROSEMIDE_IV'],
  // 心力衰竭 as a secondary diagnosis (a dialysis patient's): a loop diuretic
  'I50.900': ['FUROSEMIDE_IV'],
  // 低钠血症: concentrated sodium chloride (the seed's electrolyte class holds potassium chloride too)
  'E87.100': ['NACL_10', 'KCL'],
  // 脑梗死后遗症: rehabilitation, acupuncture
  'I69.300': ['REHAB_PT', 'ACUP'],
  // 肺炎 as a secondary diagnosis: a systemic antibacterial
  'J18.900': [
    'CEFTRIAXONE',
    'CEFUROXIME',
    'CEFAZOLIN',
    'PIPTAZO',
    'MEROPENEM',
    'LEVOFLOX',
    'CEFOPERAZONE',
    'MOXIFLOX',
    'AMOXCLAV',
    'AZITHRO',
    'CEFDINIR',
  ],
};

/** Codes restricted to one sex, used to plant `diagnosis_sex_conflict`. */
export const MALE_ONLY_CODES: readonly string[] = ['N40.x00'];
export const FEMALE_ONLY_CODES: readonly string[] = ['N84.001', 'N95.100', 'O24.400'];

/**
 * Codes that are not ICD-10 医保版 2.0 codes: WHO four-character codes that a
 * legacy EMR sends without mapping. Used to plant `unknown_diagnosis_code`.
 */
export const INVALID_DIAGNOSIS_CODES: readonly string[] = [
  'J18.9',
  'K80.1',
  'I63.9',
  'E11.9',
  'I10',
  'N39.0',
];

const BY_CODE = new Map(DIAGNOSES.map((d) => [d.code, d]));

/** Diagnosis by code; throws for a code outside the curated list. */
export function diagnosis(code: string): Diagnosis {
  const found = BY_CODE.get(code);
  if (!found) throw new RangeError(`diagnosis ${code} is not in the demo catalogue`);
  return found;
}
