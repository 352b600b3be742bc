import { hashString } from '../prng.ts';

/** National 医保 charge category (医疗收费项目类别), 01–14. */
export type ChargeCategory =
  '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12' | '13' | '14';

/** Names of the 14 charge categories. */
export const CHARGE_CATEGORY_NAMES: Readonly<Record<ChargeCategory, string>> = {
  '01': '床位费',
  '02': '诊察费',
  '03': '检查费',
  '04': '化验费',
  '05': '治疗费',
  '06': '手术费',
  '07': '护理费',
  '08': '卫生材料费',
  '09': '西药费',
  '10': '中药饮片费',
  '11': '中成药费',
  '12': '一般诊疗费',
  '13': '挂号费',
  '14': '其他费',
};

/**
 * Front-page (病案首页) fee group an item rolls up to. `anesthesia` and
 * `surgery` are the two parts of 手术治疗费; antibiotics are flagged on the item.
 */
export type FeeGroup =
  | 'general_service'
  | 'general_treatment'
  | 'nursing'
  | 'other_service'
  | 'pathology'
  | 'lab'
  | 'imaging'
  | 'clinical_diag'
  | 'non_surgical_treatment'
  | 'anesthesia'
  | 'surgery'
  | 'rehab'
  | 'tcm'
  | 'western_drug'
  | 'chinese_patent_drug'
  | 'herbal'
  | 'blood'
  | 'albumin'
  | 'globulin'
  | 'exam_material'
  | 'treatment_material'
  | 'surgery_material'
  | 'other';

/** Which kind of unit performs (执行) the item. */
export type ExecUnit = 'ward' | 'lab' | 'imaging' | 'pathology' | 'pharmacy' | 'theatre' | 'anesthesia';

/** 医保 payment class: 甲 (A), 乙 (B, part self-paid), 全自费 (C). */
export type InsuranceClass = 'A' | 'B' | 'C';

/** A billable item as the alliance knows it, before any hospital's local code or price. */
export interface StandardItem {
  readonly key: string;
  readonly name: string;
  readonly category: ChargeCategory;
  readonly unit: string;
  /** Base price in yuan (the 二级 reference price). */
  readonly price: number;
  readonly insuranceCode: string;
  readonly insuranceClass: InsuranceClass;
  readonly feeGroup: FeeGroup;
  readonly exec: ExecUnit;
  /** LIS/PACS exam type for lab, imaging and pathology items. */
  readonly examType?: string;
  readonly antibiotic: boolean;
}

/** LIS/PACS exam types reported in lab/workload files. */
export const EXAM_TYPES: Readonly<Record<string, string>> = {
  'LAB-HEM': '临床血液与体液检验',
  'LAB-BIO': '临床生化检验',
  'LAB-IMM': '临床免疫检验',
  'LAB-MIC': '临床微生物检验',
  'RIS-DR': 'X线摄影',
  'RIS-CT': 'CT检查',
  'RIS-MR': '磁共振检查',
  'RIS-US': '超声检查',
  PATH: '病理诊断',
};

function digits(seed: string, n: number): string {
  let out = '';
  let h = hashString(seed);
  while (out.length < n) {
    h = hashString(String(h), h);
    out += String(h % 1_000_000_000).padStart(9, '0');
  }
  return out.slice(0, n);
}

/** Service item: '00' + 9-digit 全国医疗服务价格项目规范 code + 4-digit extension (15 chars). */
const svc = (national: string, ext = '0000'): string => `00${national}${ext}`;
/** Western drug: X + ATC(5) + 剂型 + 规格 + 厂家 segments (23 chars). */
const wm = (atc: string, key: string): string =>
  `X${atc}A${digits(key + 'f', 3)}B${digits(key + 's', 3)}${digits(key + 'm', 9)}`;
/** Chinese patent drug: Z + group(5) + 14 digits (20 chars). */
const cpm = (group: string, key: string): string => `Z${group}${digits(key, 14)}`;
/** Material: C + 6 class + 3 generic name + 5 feature + 5 maker (20 chars). */
const mat = (cls: string, key: string): string => `C${cls}${digits(key, 13)}`;
/** Herbal pieces: T + 9 digits. */
const herb = (key: string): string => `T${digits(key, 9)}`;

type Row = readonly [
  key: string,
  name: string,
  category: ChargeCategory,
  unit: string,
  price: number,
  insuranceCode: string,
  insuranceClass: InsuranceClass,
  feeGroup: FeeGroup,
  exec: ExecUnit,
  examType?: string,
  antibiotic?: boolean,
];

// prettier-ignore
const ROWS: readonly Row[] = [
  // 01 床位费
  ['BED_STD', '普通病房床位费(三人间)', '01', '日', 40, svc('110900001'), 'A', 'general_service', 'ward'],
  ['BED_2P', '普通病房床位费(双人间)', '01', '日', 70, svc('110900001', '0001'), 'B', 'general_service', 'ward'],
  ['BED_ICU', '重症监护病房床位费', '01', '日', 150, svc('110900003'), 'A', 'general_service', 'ward'],
  // 02 诊察费
  ['EXAM_IP', '住院诊查费', '02', '日', 25, svc('110200005'), 'A', 'general_service', 'ward'],
  ['EXAM_OP', '门诊诊查费(普通)', '02', '次', 10, svc('110200001'), 'A', 'general_service', 'ward'],
  ['EXAM_OP_EXP', '门诊诊查费(副主任医师)', '02', '次', 25, svc('110200001', '0002'), 'A', 'general_service', 'ward'],
  ['EXAM_ED', '急诊诊查费', '02', '次', 15, svc('110200003'), 'A', 'general_service', 'ward'],
  // 03 检查费
  ['ECG', '常规心电图检查(十二通道)', '03', '次', 25, svc('310701001'), 'A', 'clinical_diag', 'ward'],
  ['HOLTER', '动态心电图', '03', '次', 180, svc('310701008'), 'B', 'clinical_diag', 'ward'],
  ['DR_CHEST', '胸部数字化X线摄影(DR)', '03', '次', 80, svc('210102015'), 'A', 'imaging', 'imaging', 'RIS-DR'],
  ['DR_LIMB', '四肢关节数字化X线摄影(DR)', '03', '次', 75, svc('210102015', '0003'), 'A', 'imaging', 'imaging', 'RIS-DR'],
  ['CT_CHEST', '胸部CT平扫', '03', '次', 260, svc('210300001'), 'A', 'imaging', 'imaging', 'RIS-CT'],
  ['CT_HEAD', '头颅CT平扫', '03', '次', 220, svc('210300001', '0001'), 'A', 'imaging', 'imaging', 'RIS-CT'],
  ['CT_ABD', '上腹部CT增强扫描', '03', '次', 480, svc('210300002'), 'B', 'imaging', 'imaging', 'RIS-CT'],
  ['MRI_HEAD', '头颅磁共振平扫', '03', '次', 560, svc('210200001'), 'B', 'imaging', 'imaging', 'RIS-MR'],
  ['MRI_SPINE', '腰椎磁共振平扫', '03', '次', 560, svc('210200001', '0002'), 'B', 'imaging', 'imaging', 'RIS-MR'],
  ['MRI_KNEE', '膝关节磁共振平扫', '03', '次', 540, svc('210200001', '0004'), 'B', 'imaging', 'imaging', 'RIS-MR'],
  ['US_ABD', '腹部彩色多普勒超声', '03', '次', 150, svc('220600004'), 'A', 'imaging', 'imaging', 'RIS-US'],
  ['US_HEART', '心脏彩色多普勒超声', '03', '次', 260, svc('220600001'), 'A', 'imaging', 'imaging', 'RIS-US'],
  ['US_OB', '产科彩色多普勒超声', '03', '次', 180, svc('220600008'), 'A', 'imaging', 'imaging', 'RIS-US'],
  ['US_VASC', '颈部血管彩色多普勒超声', '03', '次', 160, svc('220600003'), 'A', 'imaging', 'imaging', 'RIS-US'],
  ['GASTROSCOPY', '电子胃镜检查', '03', '次', 260, svc('310902002'), 'A', 'clinical_diag', 'ward'],
  ['COLONOSCOPY', '电子结肠镜检查', '03', '次', 330, svc('310903004'), 'A', 'clinical_diag', 'ward'],
  ['BRONCHOSCOPY', '纤维支气管镜检查', '03', '次', 240, svc('310601001'), 'A', 'clinical_diag', 'ward'],
  ['PATHO', '局部切除组织活检检查与诊断', '03', '例', 260, svc('270300001'), 'A', 'pathology', 'pathology', 'PATH'],
  ['PATHO_FROZEN', '术中冰冻切片检查与诊断', '03', '例', 380, svc('270300005'), 'A', 'pathology', 'pathology', 'PATH'],
  // 04 化验费
  ['CBC', '血细胞分析(五分类)', '04', '次', 20, svc('250101015'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['URINE', '尿液分析(尿常规)', '04', '次', 12, svc('250102035'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['STOOL', '粪便常规+隐血', '04', '次', 15, svc('250103001'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['LFT', '肝功能(11项)', '04', '次', 70, svc('250305001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['RFT', '肾功能(3项)', '04', '次', 30, svc('250307001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['ELEC', '电解质(5项)', '04', '次', 30, svc('250304001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['LIPID', '血脂(4项)', '04', '次', 40, svc('250303001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['GLU_POC', '床旁快速血糖测定', '04', '次', 8, svc('250302001', '0001'), 'A', 'lab', 'ward'],
  ['HBA1C', '糖化血红蛋白测定', '04', '次', 60, svc('250302005'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['COAG', '凝血功能(4项)', '04', '次', 70, svc('250203001'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['CRP', 'C反应蛋白测定', '04', '次', 30, svc('250403012'), 'A', 'lab', 'lab', 'LAB-IMM'],
  ['PCT', '降钙素原测定', '04', '次', 130, svc('250403086'), 'B', 'lab', 'lab', 'LAB-IMM'],
  ['TNI', '肌钙蛋白I测定', '04', '次', 90, svc('250306010'), 'A', 'lab', 'lab', 'LAB-IMM'],
  ['NTBNP', 'N端脑钠肽前体测定', '04', '次', 180, svc('250306017'), 'B', 'lab', 'lab', 'LAB-IMM'],
  ['CK', '心肌酶谱(4项)', '04', '次', 70, svc('250306001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['BLOODGAS', '血气分析', '04', '次', 60, svc('250301001'), 'A', 'lab', 'lab', 'LAB-BIO'],
  ['HBV', '乙肝五项定量', '04', '次', 100, svc('250403031'), 'A', 'lab', 'lab', 'LAB-IMM'],
  ['PREOP_INF', '术前感染四项', '04', '次', 120, svc('250403040'), 'A', 'lab', 'lab', 'LAB-IMM'],
  ['TUMOR_MK', '肿瘤标志物(6项)', '04', '次', 300, svc('250404001'), 'B', 'lab', 'lab', 'LAB-IMM'],
  ['BLOOD_CULT', '血培养及鉴定', '04', '次', 150, svc('250501004'), 'A', 'lab', 'lab', 'LAB-MIC'],
  ['SPUTUM_CULT', '痰培养及药敏试验', '04', '次', 110, svc('250501007'), 'A', 'lab', 'lab', 'LAB-MIC'],
  ['DDIMER', 'D-二聚体测定', '04', '次', 80, svc('250203066'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['THYROID', '甲状腺功能(5项)', '04', '次', 150, svc('250401003'), 'A', 'lab', 'lab', 'LAB-IMM'],
  ['HCY', '同型半胱氨酸测定', '04', '次', 45, svc('250303015'), 'B', 'lab', 'lab', 'LAB-BIO'],
  ['TYPE_CROSS', '血型鉴定及交叉配血', '04', '次', 60, svc('260000002'), 'A', 'lab', 'lab', 'LAB-HEM'],
  ['FLU_AG', '甲乙型流感病毒抗原检测', '04', '次', 60, svc('250403093'), 'B', 'lab', 'lab', 'LAB-IMM'],
  // 05 治疗费
  ['IV_FIRST', '静脉输液(第一组)', '05', '组', 15, svc('120400006'), 'A', 'general_treatment', 'ward'],
  ['IV_ADD', '静脉输液(每增加一组)', '05', '组', 4, svc('120400006', '0001'), 'A', 'general_treatment', 'ward'],
  ['IM', '肌肉注射', '05', '次', 3, svc('120400001'), 'A', 'general_treatment', 'ward'],
  ['NEB', '雾化吸入', '05', '次', 8, svc('120800001'), 'A', 'general_treatment', 'ward'],
  ['OXYGEN', '氧气吸入', '05', '小时', 3, svc('120800002'), 'A', 'general_treatment', 'ward'],
  ['MONITOR', '心电监测', '05', '小时', 4, svc('310701020'), 'A', 'general_treatment', 'ward'],
  ['DRESSING', '换药(中)', '05', '次', 20, svc('120600002'), 'A', 'general_treatment', 'ward'],
  ['CATHETER', '留置导尿', '05', '次', 25, svc('121300001'), 'A', 'general_treatment', 'ward'],
  ['DIALYSIS', '血液透析', '05', '次', 420, svc('311000006'), 'A', 'non_surgical_treatment', 'ward'],
  ['VENT', '呼吸机辅助呼吸', '05', '小时', 15, svc('310603001'), 'A', 'non_surgical_treatment', 'ward'],
  ['CHEMO_INF', '肿瘤化学治疗药物静脉输注', '05', '次', 40, svc('311400030'), 'A', 'non_surgical_treatment', 'ward'],
  ['RT_IMRT', '调强放射治疗', '05', '次', 1300, svc('240300014'), 'B', 'non_surgical_treatment', 'ward'],
  ['REHAB_PT', '运动疗法', '05', '次', 45, svc('340200001'), 'B', 'rehab', 'ward'],
  ['ACUP', '普通针刺', '05', '次', 30, svc('430000001'), 'A', 'tcm', 'ward'],
  ['TUINA', '推拿治疗', '05', '次', 40, svc('450000001'), 'B', 'tcm', 'ward'],
  ['TRANSFUSION', '静脉输血', '05', '次', 30, svc('120400010'), 'A', 'general_treatment', 'ward'],
  ['DEBRIDE', '清创缝合(小)', '05', '次', 120, svc('331601001'), 'A', 'non_surgical_treatment', 'ward'],
  // 06 手术费
  ['ANES_GA', '全身麻醉', '06', '次', 650, svc('330100005'), 'A', 'anesthesia', 'anesthesia'],
  ['ANES_SPINAL', '椎管内麻醉', '06', '次', 450, svc('330100003'), 'A', 'anesthesia', 'anesthesia'],
  ['ANES_LOCAL', '局部浸润麻醉', '06', '次', 60, svc('330100001'), 'A', 'anesthesia', 'anesthesia'],
  ['OP_LC', '腹腔镜下胆囊切除术', '06', '次', 1100, svc('331001005'), 'A', 'surgery', 'theatre'],
  ['OP_LAPAPP', '腹腔镜下阑尾切除术', '06', '次', 900, svc('331003003'), 'A', 'surgery', 'theatre'],
  ['OP_HERNIA', '腹股沟疝修补术', '06', '次', 750, svc('331008007'), 'A', 'surgery', 'theatre'],
  ['OP_COLECTOMY', '结肠癌根治术', '06', '次', 2400, svc('331004013'), 'A', 'surgery', 'theatre'],
  ['OP_CAG', '冠状动脉造影术', '06', '次', 900, svc('320500004'), 'A', 'surgery', 'ward'],
  ['OP_PCI', '经皮冠状动脉支架置入术', '06', '次', 2200, svc('320500009'), 'A', 'surgery', 'ward'],
  ['OP_PACEMAKER', '永久起搏器安置术', '06', '次', 1600, svc('320600002'), 'A', 'surgery', 'ward'],
  ['OP_TKA', '人工全膝关节置换术', '06', '次', 2600, svc('331505002'), 'A', 'surgery', 'theatre'],
  ['OP_ORIF_FEMUR', '股骨骨折切开复位内固定术', '06', '次', 1900, svc('331502012'), 'A', 'surgery', 'theatre'],
  ['OP_DISCECTOMY', '腰椎间盘突出摘除术', '06', '次', 2100, svc('331501018'), 'A', 'surgery', 'theatre'],
  ['OP_CSECTION', '剖宫产术', '06', '次', 900, svc('331204002'), 'A', 'surgery', 'theatre'],
  ['OP_DELIVERY', '单胎顺产接生', '06', '次', 500, svc('331204001'), 'A', 'surgery', 'ward'],
  ['OP_ECTOPIC', '腹腔镜下输卵管妊娠切除术', '06', '次', 1100, svc('331302005'), 'A', 'surgery', 'theatre'],
  ['OP_HYSTEROSCOPY', '宫腔镜下子宫内膜息肉切除术', '06', '次', 800, svc('331303016'), 'A', 'surgery', 'theatre'],
  ['OP_PHACO', '白内障超声乳化摘除术+人工晶体植入术', '06', '次', 1100, svc('330604016'), 'A', 'surgery', 'theatre'],
  ['OP_TONSIL', '扁桃体切除术', '06', '次', 600, svc('330703003'), 'A', 'surgery', 'theatre'],
  ['OP_MASTECTOMY', '乳腺癌改良根治术', '06', '次', 1800, svc('331601012'), 'A', 'surgery', 'theatre'],
  ['OP_CRANIOTOMY', '幕上浅部病变切除术', '06', '次', 3800, svc('330201024'), 'A', 'surgery', 'theatre'],
  ['OP_POLYPECTOMY', '经内镜结肠息肉切除术', '06', '次', 600, svc('310903010'), 'A', 'surgery', 'ward'],
  ['OP_TURP', '经尿道前列腺电切术', '06', '次', 1400, svc('331103009'), 'A', 'surgery', 'theatre'],
  ['OP_URS', '经输尿管镜碎石取石术', '06', '次', 1500, svc('331102009'), 'A', 'surgery', 'theatre'],
  // 07 护理费
  ['NURSE_SP', '特级护理', '07', '日', 180, svc('120100002'), 'A', 'nursing', 'ward'],
  ['NURSE_1', 'Ⅰ级护理', '07', '日', 40, svc('120100003'), 'A', 'nursing', 'ward'],
  ['NURSE_2', 'Ⅱ级护理', '07', '日', 25, svc('120100004'), 'A', 'nursing', 'ward'],
  ['NURSE_3', 'Ⅲ级护理', '07', '日', 15, svc('120100005'), 'A', 'nursing', 'ward'],
  // 08 卫生材料费
  ['MAT_IVSET', '一次性使用精密过滤输液器(带针)', '08', '套', 9.5, mat('140103', 'MAT_IVSET'), 'B', 'treatment_material', 'ward'],
  ['MAT_SYRINGE', '一次性使用无菌注射器(5ml)', '08', '支', 0.8, mat('140103', 'MAT_SYRINGE'), 'B', 'treatment_material', 'ward'],
  ['MAT_CANNULA', '静脉留置针', '08', '个', 25, mat('140103', 'MAT_CANNULA'), 'B', 'treatment_material', 'ward'],
  ['MAT_DRESSING', '医用透明敷贴', '08', '贴', 6, mat('140402', 'MAT_DRESSING'), 'B', 'treatment_material', 'ward'],
  ['MAT_ELECTRODE', '一次性使用心电电极', '08', '片', 1.5, mat('070201', 'MAT_ELECTRODE'), 'B', 'exam_material', 'ward'],
  ['MAT_CATHETER', '一次性使用导尿管', '08', '根', 15, mat('140104', 'MAT_CATHETER'), 'B', 'treatment_material', 'ward'],
  ['MAT_NEB', '一次性雾化面罩', '08', '个', 12, mat('080101', 'MAT_NEB'), 'B', 'treatment_material', 'ward'],
  ['MAT_SUTURE', '可吸收性外科缝线', '08', '根', 90, mat('140201', 'MAT_SUTURE'), 'B', 'surgery_material', 'theatre'],
  ['MAT_TROCAR', '一次性腹腔镜穿刺器', '08', '套', 580, mat('020101', 'MAT_TROCAR'), 'B', 'surgery_material', 'theatre'],
  ['MAT_CLIP', '可吸收结扎夹', '08', '个', 120, mat('020201', 'MAT_CLIP'), 'B', 'surgery_material', 'theatre'],
  ['MAT_STAPLER', '一次性使用管型吻合器', '08', '把', 2800, mat('020301', 'MAT_STAPLER'), 'B', 'surgery_material', 'theatre'],
  ['MAT_MESH', '疝修补补片', '08', '张', 1600, mat('130301', 'MAT_MESH'), 'B', 'surgery_material', 'theatre'],
  ['MAT_STENT', '药物洗脱冠状动脉支架系统', '08', '根', 760, mat('030101', 'MAT_STENT'), 'B', 'surgery_material', 'ward'],
  ['MAT_BALLOON', '冠状动脉球囊扩张导管', '08', '根', 260, mat('030102', 'MAT_BALLOON'), 'B', 'surgery_material', 'ward'],
  ['MAT_GUIDEWIRE', '冠状动脉导引导丝', '08', '根', 350, mat('030103', 'MAT_GUIDEWIRE'), 'B', 'surgery_material', 'ward'],
  ['MAT_GUIDECATH', '指引导管', '08', '根', 420, mat('030104', 'MAT_GUIDECATH'), 'B', 'surgery_material', 'ward'],
  ['MAT_SHEATH', '动脉鞘管套件', '08', '套', 150, mat('030105', 'MAT_SHEATH'), 'B', 'surgery_material', 'ward'],
  ['MAT_INFLATOR', '一次性使用压力泵', '08', '个', 580, mat('030106', 'MAT_INFLATOR'), 'B', 'surgery_material', 'ward'],
  ['MAT_PACEMAKER', '双腔永久心脏起搏器', '08', '台', 18000, mat('030301', 'MAT_PACEMAKER'), 'B', 'surgery_material', 'ward'],
  ['MAT_KNEE', '人工膝关节假体(全膝)', '08', '套', 7200, mat('130101', 'MAT_KNEE'), 'B', 'surgery_material', 'theatre'],
  ['MAT_CEMENT', '骨水泥', '08', '袋', 820, mat('130102', 'MAT_CEMENT'), 'B', 'surgery_material', 'theatre'],
  ['MAT_PLATE', '股骨近端锁定接骨板(含螺钉)', '08', '套', 1800, mat('130201', 'MAT_PLATE'), 'B', 'surgery_material', 'theatre'],
  ['MAT_IOL', '人工晶状体', '08', '片', 900, mat('160101', 'MAT_IOL'), 'B', 'surgery_material', 'theatre'],
  ['MAT_ENDOCLIP', '一次性内镜止血夹', '08', '个', 180, mat('020401', 'MAT_ENDOCLIP'), 'B', 'surgery_material', 'ward'],
  ['MAT_SNARE', '一次性使用圈套器', '08', '个', 260, mat('020402', 'MAT_SNARE'), 'B', 'surgery_material', 'ward'],
  ['MAT_DJ', '输尿管支架(双J管)', '08', '根', 300, mat('140105', 'MAT_DJ'), 'B', 'surgery_material', 'theatre'],
  ['MAT_ENERGY', '一次性使用超声刀头', '08', '支', 3200, mat('020102', 'MAT_ENERGY'), 'B', 'surgery_material', 'theatre'],
  ['MAT_DRAIN', '一次性使用负压引流器', '08', '个', 45, mat('140106', 'MAT_DRAIN'), 'B', 'surgery_material', 'theatre'],
  ['MAT_CVC', '一次性使用中心静脉导管包', '08', '套', 260, mat('140107', 'MAT_CVC'), 'B', 'treatment_material', 'ward'],
  ['MAT_HEMOSTAT', '可吸收止血纱布', '08', '片', 380, mat('140403', 'MAT_HEMOSTAT'), 'C', 'surgery_material', 'theatre'],
  // 09 西药费
  ['NS250', '0.9%氯化钠注射液(250ml)', '09', '袋', 3.2, wm('B05BB', 'NS250'), 'A', 'western_drug', 'pharmacy'],
  ['GS250', '5%葡萄糖注射液(250ml)', '09', '袋', 3.5, wm('B05BA', 'GS250'), 'A', 'western_drug', 'pharmacy'],
  ['AA18', '复方氨基酸注射液(18AA,250ml)', '09', '瓶', 28, wm('B05BA', 'AA18'), 'B', 'western_drug', 'pharmacy'],
  ['FAT_EMULSION', '中/长链脂肪乳注射液(C8-24)(250ml)', '09', '瓶', 68, wm('B05BA', 'FAT_EMULSION'), 'B', 'western_drug', 'pharmacy'],
  ['VIT_WS', '注射用水溶性维生素', '09', '支', 16, wm('B05XC', 'VIT_WS'), 'B', 'western_drug', 'pharmacy'],
  ['KCL', '氯化钾注射液(10ml:1.5g)', '09', '支', 1.1, wm('B05XA', 'KCL'), 'A', 'western_drug', 'pharmacy'],
  ['CEFTRIAXONE', '注射用头孢曲松钠(1g)', '09', '支', 4.8, wm('J01DD', 'CEFTRIAXONE'), 'A', 'western_drug', 'pharmacy', undefined, true],
  ['CEFUROXIME', '注射用头孢呋辛钠(1.5g)', '09', '支', 7.9, wm('J01DC', 'CEFUROXIME'), 'A', 'western_drug', 'pharmacy', undefined, true],
  ['CEFAZOLIN', '注射用头孢唑林钠(1g)', '09', '支', 2.6, wm('J01DB', 'CEFAZOLIN'), 'A', 'western_drug', 'pharmacy', undefined, true],
  ['PIPTAZO', '注射用哌拉西林钠他唑巴坦钠(4.5g)', '09', '支', 26.5, wm('J01CR', 'PIPTAZO'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['MEROPENEM', '注射用美罗培南(0.5g)', '09', '支', 48, wm('J01DH', 'MEROPENEM'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['LEVOFLOX', '左氧氟沙星氯化钠注射液(100ml:0.5g)', '09', '袋', 9.8, wm('J01MA', 'LEVOFLOX'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['CEFOPERAZONE', '注射用头孢哌酮钠舒巴坦钠(1.5g)', '09', '支', 38, wm('J01DD', 'CEFOPERAZONE'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['MOXIFLOX', '盐酸莫西沙星氯化钠注射液(250ml:0.4g)', '09', '袋', 48, wm('J01MA', 'MOXIFLOX'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['AMOXCLAV', '阿莫西林克拉维酸钾片(0.375g)', '09', '片', 0.6533, wm('J01CR', 'AMOXCLAV'), 'A', 'western_drug', 'pharmacy', undefined, true],
  ['AZITHRO', '阿奇霉素片(0.25g)', '09', '片', 1.215, wm('J01FA', 'AZITHRO'), 'A', 'western_drug', 'pharmacy', undefined, true],
  ['CEFDINIR', '头孢地尼分散片(50mg)', '09', '片', 0.8867, wm('J01DD', 'CEFDINIR'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['AMBROXOL', '盐酸氨溴索注射液(2ml:15mg)', '09', '支', 3.9, wm('R05CB', 'AMBROXOL'), 'B', 'western_drug', 'pharmacy'],
  ['DOXOFYLLINE', '多索茶碱注射液(10ml:0.1g)', '09', '支', 6.5, wm('R03DA', 'DOXOFYLLINE'), 'B', 'western_drug', 'pharmacy'],
  ['BUDESONIDE', '吸入用布地奈德混悬液(2ml:1mg)', '09', '支', 4.6, wm('R03BA', 'BUDESONIDE'), 'B', 'western_drug', 'pharmacy'],
  ['IPRATROPIUM', '吸入用异丙托溴铵溶液(2ml:0.5mg)', '09', '支', 3.2, wm('R03BB', 'IPRATROPIUM'), 'B', 'western_drug', 'pharmacy'],
  ['METHYLPRED', '注射用甲泼尼龙琥珀酸钠(40mg)', '09', '支', 14.5, wm('H02AB', 'METHYLPRED'), 'B', 'western_drug', 'pharmacy'],
  ['OMEPRAZOLE_IV', '注射用奥美拉唑钠(40mg)', '09', '支', 6.8, wm('A02BC', 'OMEPRAZOLE_IV'), 'B', 'western_drug', 'pharmacy'],
  ['PANTOPRAZOLE_IV', '注射用泮托拉唑钠(40mg)', '09', '支', 9.5, wm('A02BC', 'PANTOPRAZOLE_IV'), 'B', 'western_drug', 'pharmacy'],
  ['ESOMEPRAZOLE_IV', '注射用艾司奥美拉唑钠(40mg)', '09', '支', 28, wm('A02BC', 'ESOMEPRAZOLE_IV'), 'B', 'western_drug', 'pharmacy'],
  ['GLUTATHIONE', '注射用还原型谷胱甘肽(1.2g)', '09', '支', 32, wm('V03AB', 'GLUTATHIONE'), 'B', 'western_drug', 'pharmacy'],
  ['THYMALFASIN', '注射用胸腺法新(1.6mg)', '09', '支', 118, wm('L03AX', 'THYMALFASIN'), 'B', 'western_drug', 'pharmacy'],
  ['OMEPRAZOLE_PO', '奥美拉唑肠溶胶囊(20mg)', '09', '粒', 0.1567, wm('A02BC', 'OMEPRAZOLE_PO'), 'A', 'western_drug', 'pharmacy'],
  ['OCTREOTIDE', '醋酸奥曲肽注射液(1ml:0.1mg)', '09', '支', 38, wm('H01CB', 'OCTREOTIDE'), 'B', 'western_drug', 'pharmacy'],
  ['LMWH', '依诺肝素钠注射液(0.4ml:4000AxaIU)', '09', '支', 24.5, wm('B01AB', 'LMWH'), 'B', 'western_drug', 'pharmacy'],
  ['ASPIRIN', '阿司匹林肠溶片(100mg)', '09', '片', 0.1293, wm('B01AC', 'ASPIRIN'), 'A', 'western_drug', 'pharmacy'],
  ['CLOPIDOGREL', '硫酸氢氯吡格雷片(75mg)', '09', '片', 0.7215, wm('B01AC', 'CLOPIDOGREL'), 'B', 'western_drug', 'pharmacy'],
  ['TICAGRELOR', '替格瑞洛片(90mg)', '09', '片', 2.31, wm('B01AC', 'TICAGRELOR'), 'B', 'western_drug', 'pharmacy'],
  ['ATORVASTATIN', '阿托伐他汀钙片(20mg)', '09', '片', 0.2263, wm('C10AA', 'ATORVASTATIN'), 'B', 'western_drug', 'pharmacy'],
  ['ROSUVASTATIN', '瑞舒伐他汀钙片(10mg)', '09', '片', 0.174, wm('C10AA', 'ROSUVASTATIN'), 'B', 'western_drug', 'pharmacy'],
  ['RHBNP', '注射用重组人脑利钠肽(0.5mg)', '09', '支', 450, wm('C01DX', 'RHBNP'), 'B', 'western_drug', 'pharmacy'],
  ['SACUBITRIL', '沙库巴曲缬沙坦钠片(100mg)', '09', '片', 4.2, wm('C09DX', 'SACUBITRIL'), 'B', 'western_drug', 'pharmacy'],
  ['FUROSEMIDE_IV', '呋塞米注射液(2ml:20mg)', '09', '支', 0.93, wm('C03CA', 'FUROSEMIDE_IV'), 'A', 'western_drug', 'pharmacy'],
  ['SPIRONOLACTONE', '螺内酯片(20mg)', '09', '片', 0.085, wm('C03DA', 'SPIRONOLACTONE'), 'A', 'western_drug', 'pharmacy'],
  ['AMLODIPINE', '苯磺酸氨氯地平片(5mg)', '09', '片', 0.146, wm('C08CA', 'AMLODIPINE'), 'A', 'western_drug', 'pharmacy'],
  ['NIFEDIPINE', '硝苯地平控释片(30mg)', '09', '片', 0.98, wm('C08CA', 'NIFEDIPINE'), 'B', 'western_drug', 'pharmacy'],
  ['METOPROLOL', '酒石酸美托洛尔片(25mg)', '09', '片', 0.12, wm('C07AB', 'METOPROLOL'), 'A', 'western_drug', 'pharmacy'],
  ['ISMN', '单硝酸异山梨酯缓释片(40mg)', '09', '片', 0.33, wm('C01DA', 'ISMN'), 'B', 'western_drug', 'pharmacy'],
  ['NITRO_IV', '硝酸甘油注射液(1ml:5mg)', '09', '支', 2.2, wm('C01DA', 'NITRO_IV'), 'A', 'western_drug', 'pharmacy'],
  ['AMIODARONE', '盐酸胺碘酮片(0.2g)', '09', '片', 0.98, wm('C01BD', 'AMIODARONE'), 'A', 'western_drug', 'pharmacy'],
  ['RIVAROXABAN', '利伐沙班片(10mg)', '09', '片', 2.85, wm('B01AF', 'RIVAROXABAN'), 'B', 'western_drug', 'pharmacy'],
  ['INSULIN_ASP', '门冬胰岛素注射液(3ml:300单位)', '09', '支', 43.5, wm('A10AB', 'INSULIN_ASP'), 'B', 'western_drug', 'pharmacy'],
  ['INSULIN_GLAR', '甘精胰岛素注射液(3ml:300单位)', '09', '支', 72, wm('A10AE', 'INSULIN_GLAR'), 'B', 'western_drug', 'pharmacy'],
  ['METFORMIN', '盐酸二甲双胍片(0.5g)', '09', '片', 0.05, wm('A10BA', 'METFORMIN'), 'A', 'western_drug', 'pharmacy'],
  ['ACARBOSE', '阿卡波糖片(50mg)', '09', '片', 0.14, wm('A10BF', 'ACARBOSE'), 'B', 'western_drug', 'pharmacy'],
  ['BUTYLPHTHALIDE', '丁苯酞氯化钠注射液(100ml:25mg)', '09', '瓶', 138, wm('N07XX', 'BUTYLPHTHALIDE'), 'B', 'western_drug', 'pharmacy'],
  ['EDARAVONE', '依达拉奉注射液(20ml:30mg)', '09', '支', 42, wm('N07XX', 'EDARAVONE'), 'B', 'western_drug', 'pharmacy'],
  ['OXIRACETAM', '注射用奥拉西坦(1g)', '09', '支', 42, wm('N06BX', 'OXIRACETAM'), 'B', 'western_drug', 'pharmacy'],
  ['GM1', '单唾液酸四己糖神经节苷脂钠注射液(2ml:20mg)', '09', '支', 95, wm('N07XX', 'GM1'), 'C', 'western_drug', 'pharmacy'],
  ['ALPROSTADIL', '前列地尔注射液(2ml:10ug)', '09', '支', 46, wm('C01EA', 'ALPROSTADIL'), 'B', 'western_drug', 'pharmacy'],
  ['MANNITOL', '甘露醇注射液(250ml:50g)', '09', '瓶', 6.2, wm('B05BC', 'MANNITOL'), 'A', 'western_drug', 'pharmacy'],
  ['PACLITAXEL', '注射用紫杉醇(白蛋白结合型)(100mg)', '09', '支', 780, wm('L01CD', 'PACLITAXEL'), 'B', 'western_drug', 'pharmacy'],
  ['OXALIPLATIN', '奥沙利铂注射液(10ml:50mg)', '09', '支', 98, wm('L01XA', 'OXALIPLATIN'), 'B', 'western_drug', 'pharmacy'],
  ['CISPLATIN', '注射用顺铂(20mg)', '09', '支', 12, wm('L01XA', 'CISPLATIN'), 'A', 'western_drug', 'pharmacy'],
  ['CAPECITABINE', '卡培他滨片(0.5g)', '09', '片', 2.2, wm('L01BC', 'CAPECITABINE'), 'B', 'western_drug', 'pharmacy'],
  ['ONDANSETRON', '盐酸昂丹司琼注射液(4ml:8mg)', '09', '支', 5.6, wm('A04AA', 'ONDANSETRON'), 'B', 'western_drug', 'pharmacy'],
  ['DEXAMETHASONE', '地塞米松磷酸钠注射液(1ml:5mg)', '09', '支', 0.75, wm('H02AB', 'DEXAMETHASONE'), 'A', 'western_drug', 'pharmacy'],
  ['ALBUMIN', '人血白蛋白(10g)', '09', '瓶', 380, wm('B05AA', 'ALBUMIN'), 'B', 'albumin', 'pharmacy'],
  ['IVIG', '静注人免疫球蛋白(pH4)(2.5g)', '09', '瓶', 620, wm('J06BA', 'IVIG'), 'B', 'globulin', 'pharmacy'],
  ['OXYTOCIN', '缩宫素注射液(1ml:10单位)', '09', '支', 2.1, wm('H01BB', 'OXYTOCIN'), 'A', 'western_drug', 'pharmacy'],
  ['LIDOCAINE', '盐酸利多卡因注射液(5ml:0.1g)', '09', '支', 0.85, wm('N01BB', 'LIDOCAINE'), 'A', 'western_drug', 'pharmacy'],
  ['PROPOFOL', '丙泊酚中/长链脂肪乳注射液(20ml:0.2g)', '09', '支', 28, wm('N01AX', 'PROPOFOL'), 'B', 'western_drug', 'pharmacy'],
  ['SEVOFLURANE', '吸入用七氟烷', '09', 'ml', 2.2, wm('N01AB', 'SEVOFLURANE'), 'B', 'western_drug', 'pharmacy'],
  ['SUFENTANIL', '枸橼酸舒芬太尼注射液(1ml:50ug)', '09', '支', 19.8, wm('N01AH', 'SUFENTANIL'), 'A', 'western_drug', 'pharmacy'],
  ['FLURBIPROFEN', '氟比洛芬酯注射液(5ml:50mg)', '09', '支', 19.5, wm('M01AE', 'FLURBIPROFEN'), 'B', 'western_drug', 'pharmacy'],
  ['TRANEXAMIC', '氨甲环酸注射液(5ml:0.5g)', '09', '支', 2.5, wm('B02AA', 'TRANEXAMIC'), 'A', 'western_drug', 'pharmacy'],
  ['IODIXANOL', '碘克沙醇注射液(100ml:32g)', '09', '瓶', 210, wm('V08AB', 'IODIXANOL'), 'B', 'western_drug', 'pharmacy'],
  ['PARACETAMOL', '对乙酰氨基酚片(0.5g)', '09', '片', 0.05, wm('N02BE', 'PARACETAMOL'), 'A', 'western_drug', 'pharmacy'],
  ['IBUPROFEN', '布洛芬混悬液(100ml)', '09', '瓶', 12.8, wm('M01AE', 'IBUPROFEN'), 'A', 'western_drug', 'pharmacy'],
  ['OSELTAMIVIR', '磷酸奥司他韦胶囊(75mg)', '09', '粒', 3.76, wm('J05AH', 'OSELTAMIVIR'), 'B', 'western_drug', 'pharmacy'],
  ['TOBRADEX', '妥布霉素地塞米松滴眼液(5ml)', '09', '支', 38, wm('S01CA', 'TOBRADEX'), 'B', 'western_drug', 'pharmacy', undefined, true],
  ['EPO', '重组人促红素注射液(10000IU)', '09', '支', 160, wm('B03XA', 'EPO'), 'B', 'western_drug', 'pharmacy'],
  ['NACL_10', '浓氯化钠注射液(10ml:1g)', '09', '支', 0.9, wm('B05XA', 'NACL_10'), 'A', 'western_drug', 'pharmacy'],
  // 10 中药饮片费
  ['HERB_HUANGQI', '黄芪', '10', '克', 0.165, herb('HERB_HUANGQI'), 'A', 'herbal', 'pharmacy'],
  ['HERB_DANGGUI', '当归', '10', '克', 0.32, herb('HERB_DANGGUI'), 'A', 'herbal', 'pharmacy'],
  ['HERB_DANSHEN', '丹参', '10', '克', 0.15, herb('HERB_DANSHEN'), 'A', 'herbal', 'pharmacy'],
  ['HERB_GANCAO', '甘草', '10', '克', 0.11, herb('HERB_GANCAO'), 'A', 'herbal', 'pharmacy'],
  ['HERB_BAIZHU', '白术', '10', '克', 0.24, herb('HERB_BAIZHU'), 'A', 'herbal', 'pharmacy'],
  ['HERB_CHUANXIONG', '川芎', '10', '克', 0.19, herb('HERB_CHUANXIONG'), 'A', 'herbal', 'pharmacy'],
  // 11 中成药费
  ['XUESAITONG', '注射用血塞通(冻干)(200mg)', '11', '支', 18.5, cpm('A12BA', 'XUESAITONG'), 'B', 'chinese_patent_drug', 'pharmacy'],
  ['DANHONG', '丹红注射液(10ml)', '11', '支', 22, cpm('A12BA', 'DANHONG'), 'B', 'chinese_patent_drug', 'pharmacy'],
  ['TANREQING', '痰热清注射液(10ml)', '11', '支', 48, cpm('A01BA', 'TANREQING'), 'B', 'chinese_patent_drug', 'pharmacy'],
  ['LIANHUA', '连花清瘟胶囊(0.35g)', '11', '粒', 0.3917, cpm('A01AB', 'LIANHUA'), 'A', 'chinese_patent_drug', 'pharmacy'],
  ['FFDANSHEN', '复方丹参滴丸(27mg)', '11', '丸', 0.0617, cpm('A12BA', 'FFDANSHEN'), 'A', 'chinese_patent_drug', 'pharmacy'],
  ['SHENMAI', '参麦注射液(50ml)', '11', '瓶', 45, cpm('A12BA', 'SHENMAI'), 'B', 'chinese_patent_drug', 'pharmacy'],
  ['XIYANPING', '喜炎平注射液(5ml:125mg)', '11', '支', 28, cpm('A01AB', 'XIYANPING'), 'B', 'chinese_patent_drug', 'pharmacy'],
  ['XINGNAOJING', '醒脑静注射液(10ml)', '11', '支', 35, cpm('A16AA', 'XINGNAOJING'), 'B', 'chinese_patent_drug', 'pharmacy'],
  // 12 一般诊疗费
  ['GENERAL_FEE', '一般诊疗费', '12', '次', 10, svc('110200006'), 'A', 'general_service', 'ward'],
  // 13 挂号费
  ['REG_GENERAL', '普通门诊挂号费', '13', '次', 1, svc('110100001'), 'C', 'other', 'ward'],
  ['REG_EXPERT', '专家门诊挂号费', '13', '次', 5, svc('110100001', '0002'), 'C', 'other', 'ward'],
  // 14 其他费
  ['RBC', '去白细胞悬浮红细胞(1U)', '14', 'U', 220, svc('260000011'), 'A', 'blood', 'lab'],
  ['PLASMA', '病毒灭活新鲜冰冻血浆(100ml)', '14', '袋', 90, svc('260000012'), 'A', 'blood', 'lab'],
  ['CASE_BOOK', '门诊病历工本费', '14', '本', 1, svc('110100002'), 'C', 'other', 'ward'],
];

/** Every billable item of the alliance, in a stable order. */
export const STANDARD_ITEMS: readonly StandardItem[] = ROWS.map(
  ([
    key,
    name,
    category,
    unit,
    price,
    insuranceCode,
    insuranceClass,
    feeGroup,
    exec,
    examType,
    antibiotic,
  ]) => ({
    key,
    name,
    category,
    unit,
    price,
    insuranceCode,
    insuranceClass,
    feeGroup,
    exec,
    ...(examType === undefined ? {} : { examType }),
    antibiotic: antibiotic === true,
  }),
);
