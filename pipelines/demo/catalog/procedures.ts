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
  px('45.7302', '右半结肠根治性切除术', 4, 'Ⅱ/甲'),
  px('48.6301', '直肠前切除术', 4, 'Ⅱ/甲'),
  px('88.5600', '用两根导管的冠状动脉造影术', 3),
  px('36.0700', '药物洗脱冠状动脉支架置入', 4),
  px('00.6600', '经皮冠状动脉腔内血管成形术[PTCA]', 4),
  px('37.8301', '双腔永久起搏器置入术', 4, 'Ⅰ/甲'),
  px('81.5400', '全部膝关节置换', 4, 'Ⅰ/甲'),
  px('79.3501', '股骨骨折切开复位内固定术', 3, 'Ⅰ/甲'),
  px('80.5107', '腰椎间盘切除术', 3, 'Ⅰ/甲'),
  px('74.1x01', '剖宫产术，子宫下段横切口', 2, 'Ⅱ/甲'),
  px('73.5900x002', '头位阴道助产', 1),
  px('66.6200', '输卵管切除术伴去除输卵管妊娠', 3, 'Ⅱ/甲'),
  px('68.2902', '子宫内膜病损破坏术', 2),
  px('13.4100x001', '白内障超声乳化抽吸术', 3),
  px('13.7100x001', '白内障摘除伴人工晶体一期置入术', 3),
  px('28.3x01', '扁桃体伴腺样体切除术', 2, 'Ⅱ/甲'),
  px('85.4301', '单侧乳腺改良根治术', 3, 'Ⅰ/甲'),
  px('01.5901', '脑病损切除术', 4, 'Ⅰ/甲'),
  px('45.4200x003', '纤维结肠镜下结肠息肉切除术', 2),
  px('60.2901', '经尿道前列腺气化电切术[TEVAP手术]', 3),
  px('56.0x06', '经尿道输尿管/肾盂激光碎石取石术', 3),
  px('99.2503', '静脉注射化疗药物', 1),
  px('39.9500', '血液透析', 1),
  px('96.7101', '呼吸机治疗[小于96小时]', 1),
  px('93.9000', '无创机械性通气', 1),
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
