import type { FileEncoding } from './csv-sink.ts';

/** Header language of a hospital's exports. */
export type HeaderLanguage = 'en' | 'zh';

/**
 * One member of the demo alliance: the fixed identity the ingestion code
 * relies on (code, encoding, header language) and the levers that make the
 * hospitals differ (volume, prices, stay length, DRG payment rate).
 */
export interface HospitalProfile {
  readonly code: string;
  readonly name: string;
  readonly level: 2 | 3;
  readonly levelName: '三级' | '二级';
  readonly region: string;
  readonly encoding: FileEncoding;
  readonly headerLanguage: HeaderLanguage;
  /** Share of the alliance's inpatient cases. */
  readonly inpatientShare: number;
  /** Share of the alliance's outpatient visits. */
  readonly outpatientShare: number;
  /** Multiplier on the catalogue base price of service items (01–07, 12–14): the province's price level times the hospital level's markup (三级 ≈ 1.22 × 二级). */
  readonly servicePriceFactor: number;
  /** Multiplier on the base price of medical materials (08). */
  readonly materialPriceFactor: number;
  /** Multiplier on the mean length of stay. */
  readonly losFactor: number;
  /** Multiplier on daily drug doses of inpatients (prescribing intensity). */
  readonly drugIntensity: number;
  /** DRG base rate (费率) in yuan per RW unit for the hospital's level. */
  readonly drgBaseRate: number;
  /** Hospital-level coefficient (级别系数) applied to the payment standard. */
  readonly levelCoefficient: number;
  /** Insurance deductible (起付线) in yuan: employee, resident. */
  readonly deductible: { readonly employee: number; readonly resident: number };
  /** Fund share above the deductible: employee, resident. */
  readonly fundRatio: { readonly employee: number; readonly resident: number };
  /** Salary per head and month in yuan: doctor, nurse, technician, other. */
  readonly monthlySalary: {
    readonly doctor: number;
    readonly nurse: number;
    readonly technician: number;
    readonly other: number;
  };
}

/** The three hospitals of the fictional 盐城东湖医联体. */
export const HOSPITALS: readonly HospitalProfile[] = [
  {
    code: 'H32090200001',
    name: '盐城市东湖中心医院',
    level: 3,
    levelName: '三级',
    region: '320902',
    encoding: 'utf8',
    headerLanguage: 'en',
    inpatientShare: 0.5,
    outpatientShare: 0.5,
    servicePriceFactor: 1.83,
    materialPriceFactor: 1.08,
    losFactor: 0.95,
    drugIntensity: 2.4,
    drgBaseRate: 9000,
    levelCoefficient: 1.0,
    deductible: { employee: 900, resident: 1200 },
    fundRatio: { employee: 0.85, resident: 0.65 },
    monthlySalary: { doctor: 21000, nurse: 12500, technician: 13500, other: 10000 },
  },
  {
    code: 'H32092100011',
    name: '响水县滨河人民医院',
    level: 2,
    levelName: '二级',
    region: '320921',
    encoding: 'utf8-bom',
    headerLanguage: 'en',
    inpatientShare: 0.27,
    outpatientShare: 0.27,
    servicePriceFactor: 1.5,
    materialPriceFactor: 1.0,
    losFactor: 1.05,
    drugIntensity: 1.9,
    drgBaseRate: 7500,
    levelCoefficient: 1.0,
    deductible: { employee: 600, resident: 800 },
    fundRatio: { employee: 0.9, resident: 0.75 },
    monthlySalary: { doctor: 14500, nurse: 9000, technician: 9800, other: 7500 },
  },
  {
    code: 'H32092500021',
    name: '建湖县芦荡人民医院',
    level: 2,
    levelName: '二级',
    region: '320925',
    encoding: 'gbk',
    headerLanguage: 'zh',
    inpatientShare: 0.23,
    outpatientShare: 0.23,
    servicePriceFactor: 1.44,
    materialPriceFactor: 1.0,
    losFactor: 1.1,
    drugIntensity: 1.8,
    drgBaseRate: 7500,
    levelCoefficient: 0.98,
    deductible: { employee: 600, resident: 800 },
    fundRatio: { employee: 0.9, resident: 0.75 },
    monthlySalary: { doctor: 13500, nurse: 8600, technician: 9200, other: 7200 },
  },
];
