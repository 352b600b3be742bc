import type { FileEncoding } from './csv-sink.ts';

/** Header language of a hospital's exports. */
export type HeaderLanguage = 'en' | 'zh';

/** Hospital level: 3 三级, 2 二级, 1 一级 (incl. 社区卫生服务中心, 乡镇卫生院). */
export type HospitalLevel = 1 | 2 | 3;

/**
 * How a hospital's HIS writes its codes (departments, items, visits): 4-digit numbers, pinyin
 * initials, or `KS` + digits (the 建湖 医共体 shares one HIS).
 */
export type CodeStyle = 'numeric' | 'pinyin' | 'ks';

/** Who pays the hospital's insured stays: the city's DRG or the county's DIP. */
export type PaymentScheme = 'DRG' | 'DIP';

/** A payer region: the city 医保局 and the county that pays by DIP. */
export interface PayerRegion {
  /** Publisher code of its 医保局 (`P` + region code): its inbox folder. */
  readonly publisher: string;
  readonly region: string;
  readonly name: string;
  readonly scheme: PaymentScheme;
}

/** 盐城市医疗保障局 (DRG, city and 响水县) and 建湖县医疗保障局 (DIP). */
export const PAYERS = {
  city: { publisher: 'P320900', region: '320900', name: '盐城市医疗保障局', scheme: 'DRG' },
  jianhu: { publisher: 'P320925', region: '320925', name: '建湖县医疗保障局', scheme: 'DIP' },
} as const satisfies Record<string, PayerRegion>;

/**
 * One member of the demo alliance: the fixed identity the ingestion code relies on (code,
 * encoding, header language, code style) and the levers that make the hospitals differ (volume
 * and growth, prices, stay length, case mix, staffing efficiency, coding quality).
 */
export interface HospitalProfile {
  readonly code: string;
  readonly name: string;
  readonly level: HospitalLevel;
  readonly levelName: '三级' | '二级' | '一级';
  /** District or county code (6 digits). */
  readonly region: string;
  readonly regionName: string;
  /** The 医共体 the hospital belongs to, if any. */
  readonly community?: string;
  readonly payer: PayerRegion;
  readonly encoding: FileEncoding;
  readonly headerLanguage: HeaderLanguage;
  readonly codeStyle: CodeStyle;
  /** Share of the alliance's inpatient cases (2024). */
  readonly inpatientShare: number;
  /** Share of the alliance's outpatient visits (2024). */
  readonly outpatientShare: number;
  /** Volume growth 2024 → 2025 (1.06 = +6 %). */
  readonly growth: number;
  /** Multiplier on the catalogue base price of service items (01–07, 12–14): the province's price level times the hospital level's markup. */
  readonly servicePriceFactor: number;
  /** Multiplier on the base price of medical materials (08). */
  readonly materialPriceFactor: number;
  /** Multiplier on the mean length of stay. */
  readonly losFactor: number;
  /** Multiplier on daily drug doses of inpatients (prescribing intensity). */
  readonly drugIntensity: number;
  /** Case-mix tilt: multiplier on DRG frequencies by standard-department prefix. */
  readonly caseMix: Readonly<Record<string, number>>;
  /** Staff per unit of workload relative to the level's norm (1.1 = 10 % more staff: less efficient). */
  readonly staffing: number;
  /** Share of eligible stays coded into a higher-weight group without support (高套). */
  readonly upcodingRate: number;
  /** Share of short medical stays that are low-standard admissions (低标入院). */
  readonly lowStandardRate: number;
  /** Insurance deductible (起付线) in yuan: employee, resident. */
  readonly deductible: { readonly employee: number; readonly resident: number };
  /** Fund share above the deductible: employee, resident. */
  readonly fundRatio: { readonly employee: number; readonly resident: number };
  /** Monthly pay per head in yuan (2024): doctor, nurse, technician, other. */
  readonly monthlySalary: {
    readonly doctor: number;
    readonly nurse: number;
    readonly technician: number;
    readonly other: number;
  };
}

const PAY = {
  3: { doctor: 15200, nurse: 9200, technician: 10000, other: 7200 },
  2: { doctor: 11200, nurse: 7000, technician: 7600, other: 5800 },
  1: { doctor: 8400, nurse: 5800, technician: 6100, other: 4800 },
} as const;

const CITY_INSURANCE = {
  deductible: { employee: 900, resident: 1200 },
  fundRatio: { employee: 0.85, resident: 0.65 },
};
const COUNTY_INSURANCE = {
  deductible: { employee: 600, resident: 800 },
  fundRatio: { employee: 0.9, resident: 0.75 },
};
const PRIMARY_INSURANCE = {
  deductible: { employee: 300, resident: 400 },
  fundRatio: { employee: 0.92, resident: 0.85 },
};

/**
 * The ten members of the fictional 盐城东湖医联体: two 三级 hospitals in the city, four 二级
 * hospitals (city district, 响水县 ×2, 建湖县), four 一级 units (a community health centre in
 * the city, a township health centre in 响水, and two members of the 建湖县芦荡医共体 led by the
 * 建湖 county hospital). The city and 响水 are paid by the city's DRG, 建湖 by its county DIP.
 */
export const HOSPITALS: readonly HospitalProfile[] = [
  {
    code: 'H32090200001',
    name: '盐城市东湖中心医院',
    level: 3,
    levelName: '三级',
    region: '320902',
    regionName: '亭湖区',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'numeric',
    inpatientShare: 0.3,
    outpatientShare: 0.26,
    growth: 1.05,
    servicePriceFactor: 1.83,
    materialPriceFactor: 1.08,
    losFactor: 0.95,
    drugIntensity: 2.4,
    caseMix: { A04: 1.15, A19: 1.1 },
    staffing: 1.0,
    upcodingRate: 0.04,
    lowStandardRate: 0,
    ...CITY_INSURANCE,
    monthlySalary: PAY[3],
  },
  {
    code: 'H32090300002',
    name: '盐城市盐都人民医院',
    level: 3,
    levelName: '三级',
    region: '320903',
    regionName: '盐都区',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'numeric',
    inpatientShare: 0.18,
    outpatientShare: 0.16,
    growth: 1.09,
    servicePriceFactor: 1.78,
    materialPriceFactor: 1.06,
    losFactor: 1.05,
    drugIntensity: 2.2,
    caseMix: { 'A04.03': 1.5, A05: 1.3, A19: 0.6 },
    staffing: 1.1,
    upcodingRate: 0.1,
    lowStandardRate: 0.01,
    ...CITY_INSURANCE,
    monthlySalary: { doctor: 14400, nurse: 8800, technician: 9600, other: 6900 },
  },
  {
    code: 'H32090200013',
    name: '盐城市亭湖区人民医院',
    level: 2,
    levelName: '二级',
    region: '320902',
    regionName: '亭湖区',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'numeric',
    inpatientShare: 0.1,
    outpatientShare: 0.11,
    growth: 1.02,
    servicePriceFactor: 1.52,
    materialPriceFactor: 1.02,
    losFactor: 1.0,
    drugIntensity: 1.9,
    caseMix: { A03: 1.1 },
    staffing: 0.95,
    upcodingRate: 0.05,
    lowStandardRate: 0.03,
    ...CITY_INSURANCE,
    monthlySalary: { doctor: 11800, nurse: 7400, technician: 7900, other: 6000 },
  },
  {
    code: 'H32092100011',
    name: '响水县滨河人民医院',
    level: 2,
    levelName: '二级',
    region: '320921',
    regionName: '响水县',
    payer: PAYERS.city,
    encoding: 'utf8-bom',
    headerLanguage: 'en',
    codeStyle: 'pinyin',
    inpatientShare: 0.12,
    outpatientShare: 0.12,
    growth: 1.04,
    servicePriceFactor: 1.5,
    materialPriceFactor: 1.0,
    losFactor: 1.05,
    drugIntensity: 1.9,
    caseMix: {},
    staffing: 1.0,
    upcodingRate: 0.06,
    lowStandardRate: 0.04,
    ...COUNTY_INSURANCE,
    monthlySalary: PAY[2],
  },
  {
    code: 'H32092100032',
    name: '响水县中医院',
    level: 2,
    levelName: '二级',
    region: '320921',
    regionName: '响水县',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'pinyin',
    inpatientShare: 0.06,
    outpatientShare: 0.08,
    growth: 0.97,
    servicePriceFactor: 1.46,
    materialPriceFactor: 1.0,
    losFactor: 1.2,
    drugIntensity: 1.7,
    caseMix: { A50: 2.5, 'A04.03': 1.3, A05: 0.5 },
    staffing: 1.08,
    upcodingRate: 0.03,
    lowStandardRate: 0.06,
    ...COUNTY_INSURANCE,
    monthlySalary: { doctor: 10600, nurse: 6700, technician: 7200, other: 5600 },
  },
  {
    code: 'H32092500021',
    name: '建湖县芦荡人民医院',
    level: 2,
    levelName: '二级',
    region: '320925',
    regionName: '建湖县',
    community: '建湖县芦荡医共体',
    payer: PAYERS.jianhu,
    encoding: 'gbk',
    headerLanguage: 'zh',
    codeStyle: 'ks',
    inpatientShare: 0.12,
    outpatientShare: 0.12,
    growth: 1.06,
    servicePriceFactor: 1.44,
    materialPriceFactor: 1.0,
    losFactor: 1.1,
    drugIntensity: 1.8,
    caseMix: {},
    staffing: 1.05,
    upcodingRate: 0.08,
    lowStandardRate: 0.03,
    ...COUNTY_INSURANCE,
    monthlySalary: { doctor: 10800, nurse: 6900, technician: 7400, other: 5800 },
  },
  {
    code: 'H32090200024',
    name: '盐城市亭湖区新洋社区卫生服务中心',
    level: 1,
    levelName: '一级',
    region: '320902',
    regionName: '亭湖区',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'numeric',
    inpatientShare: 0.025,
    outpatientShare: 0.05,
    growth: 1.12,
    servicePriceFactor: 1.2,
    materialPriceFactor: 1.0,
    losFactor: 1.1,
    drugIntensity: 1.4,
    caseMix: {},
    staffing: 0.95,
    upcodingRate: 0.02,
    lowStandardRate: 0.12,
    ...PRIMARY_INSURANCE,
    monthlySalary: PAY[1],
  },
  {
    code: 'H32092100043',
    name: '响水县陈家港镇卫生院',
    level: 1,
    levelName: '一级',
    region: '320921',
    regionName: '响水县',
    payer: PAYERS.city,
    encoding: 'utf8',
    headerLanguage: 'en',
    codeStyle: 'pinyin',
    inpatientShare: 0.03,
    outpatientShare: 0.04,
    growth: 1.01,
    servicePriceFactor: 1.16,
    materialPriceFactor: 1.0,
    losFactor: 1.25,
    drugIntensity: 1.5,
    caseMix: {},
    staffing: 0.95,
    upcodingRate: 0.02,
    lowStandardRate: 0.18,
    ...PRIMARY_INSURANCE,
    monthlySalary: { doctor: 7800, nurse: 5400, technician: 5800, other: 4600 },
  },
  {
    code: 'H32092500052',
    name: '建湖县芦荡镇中心卫生院',
    level: 1,
    levelName: '一级',
    region: '320925',
    regionName: '建湖县',
    community: '建湖县芦荡医共体',
    payer: PAYERS.jianhu,
    encoding: 'gbk',
    headerLanguage: 'zh',
    codeStyle: 'ks',
    inpatientShare: 0.03,
    outpatientShare: 0.04,
    growth: 1.08,
    servicePriceFactor: 1.15,
    materialPriceFactor: 1.0,
    losFactor: 1.15,
    drugIntensity: 1.4,
    caseMix: {},
    staffing: 1.0,
    upcodingRate: 0.03,
    lowStandardRate: 0.1,
    ...PRIMARY_INSURANCE,
    monthlySalary: { doctor: 8000, nurse: 5600, technician: 5900, other: 4600 },
  },
  {
    code: 'H32092500063',
    name: '建湖县近湖街道社区卫生服务中心',
    level: 1,
    levelName: '一级',
    region: '320925',
    regionName: '建湖县',
    community: '建湖县芦荡医共体',
    payer: PAYERS.jianhu,
    encoding: 'gbk',
    headerLanguage: 'zh',
    codeStyle: 'ks',
    inpatientShare: 0.015,
    outpatientShare: 0.06,
    growth: 1.15,
    servicePriceFactor: 1.18,
    materialPriceFactor: 1.0,
    losFactor: 1.0,
    drugIntensity: 1.3,
    caseMix: {},
    staffing: 0.9,
    upcodingRate: 0.01,
    lowStandardRate: 0.08,
    ...PRIMARY_INSURANCE,
    monthlySalary: { doctor: 8200, nurse: 5700, technician: 6000, other: 4700 },
  },
];
