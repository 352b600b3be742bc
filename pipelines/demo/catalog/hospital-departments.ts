/** A department as one hospital's HIS codes it. */
export interface LocalDepartment {
  readonly code: string;
  readonly name: string;
  /** Standard department code (see standard-departments.ts). */
  readonly std: string;
  /** Open beds; 0 for units without a ward. */
  readonly beds: number;
  /** Relative outpatient volume; 0 when the unit sees no outpatients. */
  readonly outpatient: number;
}

/** A hospital's department dictionary plus codes it does NOT use (for defects). */
export interface HospitalDepartments {
  readonly departments: readonly LocalDepartment[];
  /** Plausible-looking codes absent from the dictionary (retired or mistyped). */
  readonly unknownCodes: readonly string[];
}

const d = (code: string, name: string, std: string, beds = 0, outpatient = 0): LocalDepartment => ({
  code,
  name,
  std,
  beds,
  outpatient,
});

/**
 * Local department dictionaries. Each hospital has its own code style
 * (4-digit numbers, pinyin initials, `KS` + digits) and its own split of
 * wards; the 三级 hospital splits cardiology and general surgery into two wards.
 */
export const HOSPITAL_DEPARTMENTS: Readonly<Record<string, HospitalDepartments>> = {
  H32090200001: {
    departments: [
      d('1001', '呼吸与危重症医学科', 'A03.01', 60, 9),
      d('1002', '消化内科', 'A03.02', 50, 7),
      d('1003', '神经内科', 'A03.03', 60, 6),
      d('1004', '心血管内科一病区', 'A03.04', 45, 5),
      d('1005', '心血管内科二病区', 'A03.04', 45, 4),
      d('1006', '肾内科', 'A03.06', 35, 3),
      d('1007', '内分泌科', 'A03.07', 35, 5),
      d('1008', '老年医学科', 'A03', 40, 3),
      d('1101', '胃肠外科', 'A04.01', 45, 3),
      d('1102', '肝胆外科', 'A04.01', 45, 3),
      d('1103', '神经外科', 'A04.02', 40, 2),
      d('1104', '骨科', 'A04.03', 60, 6),
      d('1105', '泌尿外科', 'A04.04', 40, 3),
      d('1106', '胸外科', 'A04.05', 30, 2),
      d('1201', '妇科', 'A05.01', 40, 5),
      d('1202', '产科', 'A05.02', 45, 4),
      d('1301', '儿科', 'A07', 50, 10),
      d('1401', '眼科', 'A10', 25, 4),
      d('1402', '耳鼻咽喉头颈外科', 'A11', 30, 4),
      d('1501', '肿瘤科', 'A19', 50, 3),
      d('1601', '急诊医学科', 'A20', 20, 8),
      d('1602', '重症医学科', 'A28', 20, 0),
      d('1701', '中医科', 'A50', 20, 5),
      d('2001', '检验科', 'A30'),
      d('2002', '病理科', 'A31'),
      d('2003', '医学影像科', 'A32'),
      d('2004', '麻醉科', 'A26'),
      d('2005', '手术室', 'B01'),
      d('2006', '药学部', 'B02'),
      d('3001', '消毒供应中心', 'C01'),
      d('3002', '病案统计室', 'C02'),
      d('3003', '门诊收费处', 'C03'),
      d('3004', '住院结算处', 'C03'),
      d('4001', '院长办公室', 'D01'),
      d('4002', '财务科', 'D02'),
      d('4003', '总务科', 'D03'),
    ],
    unknownCodes: ['1009', '1199', '1603', '1702'],
  },
  H32092100011: {
    departments: [
      d('NK', '内科', 'A03', 40, 8),
      d('XNK', '心血管内科', 'A03.04', 35, 5),
      d('HXK', '呼吸内科', 'A03.01', 35, 6),
      d('SJNK', '神经内科', 'A03.03', 35, 4),
      d('WK', '普外科', 'A04.01', 40, 4),
      d('GK', '骨科', 'A04.03', 35, 4),
      d('MNWK', '泌尿外科', 'A04.04', 20, 2),
      d('FCK', '妇产科', 'A05', 40, 6),
      d('EK', '儿科', 'A07', 35, 9),
      d('EBHK', '耳鼻喉科', 'A11', 15, 3),
      d('JZK', '急诊科', 'A20', 10, 7),
      d('ICU', '重症医学科', 'A28', 10, 0),
      d('ZYK', '中医科', 'A50', 15, 5),
      d('JYK', '检验科', 'A30'),
      d('BLK', '病理科', 'A31'),
      d('FSK', '放射科', 'A32'),
      d('MZK', '麻醉科', 'A26'),
      d('SSS', '手术室', 'B01'),
      d('YJK', '药剂科', 'B02'),
      d('GYS', '供应室', 'C01'),
      d('BAS', '病案室', 'C02'),
      d('SFC', '收费处', 'C03'),
      d('YB', '院办', 'D01'),
      d('CWK', '财务科', 'D02'),
      d('HQK', '后勤科', 'D03'),
    ],
    unknownCodes: ['LNK', 'KFK', 'XHNK', 'PFK'],
  },
  H32092500021: {
    departments: [
      d('KS101', '内科', 'A03', 60, 10),
      d('KS102', '心血管内科', 'A03.04', 30, 5),
      d('KS103', '呼吸内科', 'A03.01', 30, 6),
      d('KS201', '普外科', 'A04.01', 40, 4),
      d('KS202', '骨科', 'A04.03', 30, 4),
      d('KS301', '妇产科', 'A05', 35, 6),
      d('KS401', '儿科', 'A07', 30, 9),
      d('KS501', '急诊科', 'A20', 10, 7),
      d('KS601', '中医科', 'A50', 15, 6),
      d('KS701', '五官科', 'A11', 10, 4),
      d('KS801', '检验科', 'A30'),
      d('KS802', '放射科', 'A32'),
      d('KS803', '麻醉科', 'A26'),
      d('KS804', '手术室', 'B01'),
      d('KS805', '药剂科', 'B02'),
      d('KS901', '供应室', 'C01'),
      d('KS902', '病案室', 'C02'),
      d('KS903', '收费处', 'C03'),
      d('KS951', '院办', 'D01'),
      d('KS952', '财务科', 'D02'),
      d('KS953', '后勤保障科', 'D03'),
    ],
    unknownCodes: ['KS104', 'KS999', 'KS188', 'KS602'],
  },
};

type TemplateRow = readonly [std: string, name: string, pinyin: string, beds: number, outpatient: number];

/**
 * A department dictionary written in a code style: numeric (clinical 1xxx, medical-technical 2xxx,
 * auxiliary 3xxx, administration 4xxx), pinyin initials, or `KS` + class digit + sequence.
 */
function fromTemplate(style: 'numeric' | 'pinyin' | 'ks', rows: readonly TemplateRow[]): LocalDepartment[] {
  const seq = new Map<string, number>();
  return rows.map(([std, name, pinyin, beds, outpatient]) => {
    const cls = std.startsWith('A') && !['A26', 'A30', 'A31', 'A32'].includes(std) ? 'clinical' : std;
    const digit =
      cls === 'clinical'
        ? '1'
        : std.startsWith('A') || std.startsWith('B')
          ? '2'
          : std.startsWith('C')
            ? '3'
            : '4';
    const n = (seq.get(digit) ?? 0) + 1;
    seq.set(digit, n);
    const code =
      style === 'pinyin'
        ? pinyin
        : style === 'numeric'
          ? `${digit}${String(n).padStart(3, '0')}`
          : `KS${digit === '1' ? '1' : digit === '2' ? '8' : '9'}${digit === '4' ? '5' : '0'}${n}`;
    return d(code, name, std, beds, outpatient);
  });
}

const SUPPORT: readonly TemplateRow[] = [
  ['A30', '检验科', 'JYK', 0, 0],
  ['A32', '放射科', 'FSK', 0, 0],
  ['B02', '药剂科', 'YJK', 0, 0],
  ['C03', '收费处', 'SFC', 0, 0],
  ['D01', '院办', 'YB', 0, 0],
  ['D02', '财务科', 'CWK', 0, 0],
  ['D03', '后勤科', 'HQK', 0, 0],
];

const PRIMARY: readonly TemplateRow[] = [
  ['A03', '全科医学科', 'QKYX', 30, 10],
  ['A50', '中医科', 'ZYK', 10, 4],
  ['A07', '儿科', 'EK', 0, 3],
  ['A05', '妇产科', 'FCK', 0, 2],
  ['A20', '急诊科', 'JZK', 0, 2],
  ...SUPPORT,
];

const GENERATED: Readonly<Record<string, HospitalDepartments>> = {
  H32090300002: {
    departments: fromTemplate('numeric', [
      ['A03.01', '呼吸与危重症医学科', '', 45, 7],
      ['A03.02', '消化内科', '', 35, 5],
      ['A03.03', '神经内科', '', 45, 5],
      ['A03.04', '心血管内科', '', 50, 6],
      ['A03.06', '肾内科', '', 25, 2],
      ['A03.07', '内分泌科', '', 25, 4],
      ['A04.01', '普外科', '', 50, 4],
      ['A04.03', '骨科一病区', '', 45, 5],
      ['A04.03', '骨科二病区', '', 40, 3],
      ['A04.04', '泌尿外科', '', 30, 2],
      ['A05.01', '妇科', '', 30, 5],
      ['A05.02', '产科', '', 45, 5],
      ['A07', '儿科', '', 40, 9],
      ['A10', '眼科', '', 15, 3],
      ['A11', '耳鼻喉科', '', 20, 3],
      ['A19', '肿瘤科', '', 25, 2],
      ['A20', '急诊医学科', '', 15, 7],
      ['A28', '重症医学科', '', 15, 0],
      ['A50', '中医科', '', 20, 5],
      ['A30', '检验科', '', 0, 0],
      ['A31', '病理科', '', 0, 0],
      ['A32', '医学影像科', '', 0, 0],
      ['A26', '麻醉科', '', 0, 0],
      ['B01', '手术室', '', 0, 0],
      ['B02', '药学部', '', 0, 0],
      ['C01', '消毒供应中心', '', 0, 0],
      ['C02', '病案统计室', '', 0, 0],
      ['C03', '门诊收费处', '', 0, 0],
      ['C03', '住院结算处', '', 0, 0],
      ['D01', '院长办公室', '', 0, 0],
      ['D02', '财务科', '', 0, 0],
      ['D03', '总务科', '', 0, 0],
    ]),
    unknownCodes: ['1099', '1199', '2099', '1025'],
  },
  H32090200013: {
    departments: fromTemplate('numeric', [
      ['A03', '内科', '', 50, 9],
      ['A03.04', '心血管内科', '', 30, 5],
      ['A03.01', '呼吸内科', '', 30, 6],
      ['A04.01', '普外科', '', 35, 4],
      ['A04.03', '骨科', '', 30, 4],
      ['A05', '妇产科', '', 30, 6],
      ['A07', '儿科', '', 25, 8],
      ['A20', '急诊科', '', 10, 6],
      ['A28', '重症医学科', '', 8, 0],
      ['A50', '中医科', '', 10, 5],
      ['A30', '检验科', '', 0, 0],
      ['A32', '放射科', '', 0, 0],
      ['A26', '麻醉科', '', 0, 0],
      ['B01', '手术室', '', 0, 0],
      ['B02', '药剂科', '', 0, 0],
      ['C01', '供应室', '', 0, 0],
      ['C02', '病案室', '', 0, 0],
      ['C03', '收费处', '', 0, 0],
      ['D01', '院办', '', 0, 0],
      ['D02', '财务科', '', 0, 0],
      ['D03', '后勤保障科', '', 0, 0],
    ]),
    unknownCodes: ['1099', '1199', '2099', '1015'],
  },
  H32092100032: {
    departments: fromTemplate('pinyin', [
      ['A50', '中医内科', 'ZYNK', 60, 12],
      ['A03', '内科', 'NK', 30, 6],
      ['A04.03', '骨伤科', 'GSK', 35, 6],
      ['A04.01', '外科', 'WK', 20, 3],
      ['A05', '妇产科', 'FCK', 15, 3],
      ['A07', '儿科', 'EK', 10, 5],
      ['A20', '急诊科', 'JZK', 6, 4],
      ['A30', '检验科', 'JYK', 0, 0],
      ['A32', '放射科', 'FSK', 0, 0],
      ['A26', '麻醉科', 'MZK', 0, 0],
      ['B01', '手术室', 'SSS', 0, 0],
      ['B02', '药剂科', 'YJK', 0, 0],
      ['C01', '供应室', 'GYS', 0, 0],
      ['C02', '病案室', 'BAS', 0, 0],
      ['C03', '收费处', 'SFC', 0, 0],
      ['D01', '院办', 'YB', 0, 0],
      ['D02', '财务科', 'CWK', 0, 0],
      ['D03', '后勤科', 'HQK', 0, 0],
    ]),
    unknownCodes: ['LNK', 'KFK', 'ZJK', 'PFK'],
  },
  H32090200024: {
    departments: fromTemplate('numeric', PRIMARY),
    unknownCodes: ['1099', '1199', '2099', '1009'],
  },
  H32092100043: {
    departments: fromTemplate('pinyin', PRIMARY),
    unknownCodes: ['LNK', 'KFK', 'NK', 'PFK'],
  },
  H32092500052: {
    departments: fromTemplate('ks', PRIMARY),
    unknownCodes: ['KS104', 'KS999', 'KS188', 'KS602'],
  },
  H32092500063: {
    departments: fromTemplate('ks', [
      ['A03', '全科医学科', '', 20, 12],
      ['A50', '中医科', '', 0, 4],
      ['A07', '儿科', '', 0, 4],
      ['A05', '妇产科', '', 0, 2],
      ...SUPPORT,
    ]),
    unknownCodes: ['KS104', 'KS999', 'KS188', 'KS602'],
  },
};

/** Department dictionary of a hospital; throws for a code outside the alliance. */
export function hospitalDepartments(hospitalCode: string): HospitalDepartments {
  const found = HOSPITAL_DEPARTMENTS[hospitalCode] ?? GENERATED[hospitalCode];
  if (!found) throw new RangeError(`no departments for hospital ${hospitalCode}`);
  return found;
}
