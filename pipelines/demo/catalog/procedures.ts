/** An ICD-9-CM-3 医保版 2.0 procedure used by the demo. */
export interface Procedure {
  readonly code: string;
  readonly name: string;
  /** 手术级别 1–4 (四级 most complex). */
  readonly level: 1 | 2 | 3 | 4;
  /** 切口愈合等级 as the front page records it; '0' for no incision. */
  readonly incision: string;
}

const px = (code: string, name: string, level: 1 | 2 | 3 | 4, incision = '0'): Procedure => ({
  code,
  name,
  level,
  incision,
});

/** Curated ICD-9-CM-3 医保版 2.0 procedures of the demo DRG groups. */
export const PROCEDURES: readonly Procedure[] = [
  px('51.2300', '腹腔镜下胆囊切除术', 3, 'Ⅱ/甲'),
  px('47.0100', '腹腔镜下阑尾切除术', 2, 'Ⅲ/甲'),
  px('53.0201', '单侧腹股沟斜疝修补术', 2, 'Ⅰ/甲'),
  px('45.7300', '开放性和其他右半结肠切除术', 4, 'Ⅱ/甲'),
  px('48.6300', '其他直肠前切除术', 4, 'Ⅱ/甲'),
  px('88.5600', '用两根导管的冠状动脉造影术', 3),
  px('36.0700', '药物洗脱冠状动脉支架置入', 4),
  px('00.6600', '经皮冠状动脉腔内血管成形术[PTCA]', 4),
  px('37.8300', '首次置入双腔装置', 4, 'Ⅰ/甲'),
  px('81.5400', '全部膝关节置换', 4, 'Ⅰ/甲'),
  px('79.3501', '股骨骨折切开复位内固定术', 3, 'Ⅰ/甲'),
  px('80.5100', '椎间盘切除术', 3, 'Ⅰ/甲'),
  px('74.1x01', '剖宫产术，子宫下段横切口', 2, 'Ⅱ/甲'),
  px('73.5900', '其他手法助产', 1),
  px('66.6200', '输卵管切除术伴去除输卵管妊娠', 3, 'Ⅱ/甲'),
  px('68.2902', '子宫内膜病损破坏术', 2),
  px('13.4100', '白内障晶状体乳化和抽吸', 3),
  px('13.7100', '眼内人工晶状体置入伴白内障摘出术，一期', 3),
  px('28.3x00', '扁桃体切除术伴腺样增殖体切除术', 2, 'Ⅱ/甲'),
  px('85.4300', '单侧扩大的单纯乳房切除术', 3, 'Ⅰ/甲'),
  px('01.5901', '脑病损切除术', 4, 'Ⅰ/甲'),
  px('45.4200', '内镜下大肠息肉切除术', 2),
  px('60.2901', '经尿道前列腺气化电切术[TEVAP手术]', 3),
  px('56.0x00', '经尿道输尿管和肾盂梗阻去除', 3),
  px('99.2500', '注射或输注癌瘤化学治疗药物', 1),
  px('39.9500', '血液透析', 1),
  px('96.7101', '呼吸机治疗[小于96小时]', 1),
  px('33.2200', '光导纤维支气管镜检查', 1),
  px('45.1600', '食管胃十二指肠镜检查[EGD]伴活组织检查', 1),
];

const BY_CODE = new Map(PROCEDURES.map((p) => [p.code, p]));

/** Procedure by code; throws for a code outside the curated list. */
export function procedure(code: string): Procedure {
  const found = BY_CODE.get(code);
  if (!found) throw new RangeError(`procedure ${code} is not in the demo catalogue`);
  return found;
}
