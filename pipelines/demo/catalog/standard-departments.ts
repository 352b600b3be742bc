/** The four cost-unit classes of 公立医院成本核算规范 (2021). */
export type DeptClass = '临床服务类' | '医疗技术类' | '医疗辅助类' | '行政后勤类';

/** A department of the alliance-wide standard list every local code maps to. */
export interface StandardDepartment {
  readonly code: string;
  readonly name: string;
  readonly deptClass: DeptClass;
}

/**
 * Standard departments. Clinical and medical-technical codes follow the
 * 医保 department codes (诊疗科目 with an `A` prefix, as used in adm_caty /
 * dscg_caty); auxiliary and administrative units have no national code, so
 * they use alliance codes B/C/D. Mirrored in seeds/reference/standard_departments.csv.
 */
export const STANDARD_DEPARTMENTS: readonly StandardDepartment[] = [
  { code: 'A03', name: '内科', deptClass: '临床服务类' },
  { code: 'A03.01', name: '呼吸内科', deptClass: '临床服务类' },
  { code: 'A03.02', name: '消化内科', deptClass: '临床服务类' },
  { code: 'A03.03', name: '神经内科', deptClass: '临床服务类' },
  { code: 'A03.04', name: '心血管内科', deptClass: '临床服务类' },
  { code: 'A03.06', name: '肾病学科', deptClass: '临床服务类' },
  { code: 'A03.07', name: '内分泌科', deptClass: '临床服务类' },
  { code: 'A04', name: '外科', deptClass: '临床服务类' },
  { code: 'A04.01', name: '普通外科', deptClass: '临床服务类' },
  { code: 'A04.02', name: '神经外科', deptClass: '临床服务类' },
  { code: 'A04.03', name: '骨科', deptClass: '临床服务类' },
  { code: 'A04.04', name: '泌尿外科', deptClass: '临床服务类' },
  { code: 'A04.05', name: '胸外科', deptClass: '临床服务类' },
  { code: 'A05', name: '妇产科', deptClass: '临床服务类' },
  { code: 'A05.01', name: '妇科', deptClass: '临床服务类' },
  { code: 'A05.02', name: '产科', deptClass: '临床服务类' },
  { code: 'A07', name: '儿科', deptClass: '临床服务类' },
  { code: 'A10', name: '眼科', deptClass: '临床服务类' },
  { code: 'A11', name: '耳鼻咽喉科', deptClass: '临床服务类' },
  { code: 'A19', name: '肿瘤科', deptClass: '临床服务类' },
  { code: 'A20', name: '急诊医学科', deptClass: '临床服务类' },
  { code: 'A28', name: '重症医学科', deptClass: '临床服务类' },
  { code: 'A50', name: '中医科', deptClass: '临床服务类' },
  { code: 'A26', name: '麻醉科', deptClass: '医疗技术类' },
  { code: 'A30', name: '检验科', deptClass: '医疗技术类' },
  { code: 'A31', name: '病理科', deptClass: '医疗技术类' },
  { code: 'A32', name: '放射科', deptClass: '医疗技术类' },
  { code: 'B01', name: '手术室', deptClass: '医疗技术类' },
  { code: 'B02', name: '药剂科', deptClass: '医疗技术类' },
  { code: 'C01', name: '供应室', deptClass: '医疗辅助类' },
  { code: 'C02', name: '病案室', deptClass: '医疗辅助类' },
  { code: 'C03', name: '收费处', deptClass: '医疗辅助类' },
  { code: 'D01', name: '院办', deptClass: '行政后勤类' },
  { code: 'D02', name: '财务科', deptClass: '行政后勤类' },
  { code: 'D03', name: '后勤保障科', deptClass: '行政后勤类' },
];

/** Standard department by code; throws on a code outside the list. */
export function standardDepartment(code: string): StandardDepartment {
  const dept = STANDARD_DEPARTMENTS.find((d) => d.code === code);
  if (!dept) throw new RangeError(`unknown standard department ${code}`);
  return dept;
}
