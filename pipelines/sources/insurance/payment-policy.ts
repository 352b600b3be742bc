import type { ColumnSpec } from '../../../core/contract/columns.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

// Files a 医保局 publishes for its region (`<inbox>/P<region>/insurance/`), one per year.

/**
 * Published payment standards of one hospital level: overall, and per insurance type where a
 * city prices 职工 and 居民 apart (武汉: 二级医院支付标准（职工）).
 */
const standardColumns = (level: 1 | 2 | 3, name: string): ColumnSpec[] => [
  { name: `level_coef_${level}`, type: 'numeric', aliases: [`${name}医院系数`, `${name}系数`] },
  { name: `payment_standard_${level}`, type: 'numeric', aliases: [`${name}医院支付标准`, `${name}支付标准`] },
  {
    name: `payment_standard_${level}_310`,
    type: 'numeric',
    aliases: [`${name}医院支付标准（职工）`, `${name}医院支付标准(职工)`],
  },
  {
    name: `payment_standard_${level}_390`,
    type: 'numeric',
    aliases: [`${name}医院支付标准（居民）`, `${name}医院支付标准(居民)`],
  },
];

/**
 * DRG group table of a city and year: RW, points, outlier thresholds, and where the city publishes
 * them, level coefficients and payment standards per hospital level (and insurance type). Real
 * 医保局 tables differ in shape (盐城: 二级/三级医院系数 and 支付标准; 苏州: 一至三级; 武汉: 二级
 * 支付标准 per 职工/居民; 泰州: 稳定组; 无锡: 基础病组, 中医优势病组): every column name a table
 * uses is an alias here, so each loads through this one declaration. The year is the file's
 * period (`drg_groups_2023.csv`) when the table has no 年度 column.
 */
export const drgGroupTable: SourceDefinition = {
  system: 'insurance',
  entity: 'drg_groups',
  description: '医保局发布：DRG 病组权重、基准点数、高低倍率界值、级别系数与支付标准（按年）',
  filePattern: /^drg_groups_(?<period>\d{4})\.csv$/,
  deliveredBy: 'publisher',
  key: 'drg_code',
  uniqueKey: ['year', 'drg_code'],
  columns: [
    { name: 'year', type: 'integer', aliases: ['年度'] },
    { name: 'drg_code', type: 'text', required: true, aliases: ['DRG编码', 'DRG代码', '病组编码'] },
    { name: 'drg_name', type: 'text', aliases: ['DRG名称', '病组名称'] },
    { name: 'rw', type: 'numeric', aliases: ['权重', 'RW', '相对权重'] },
    { name: 'points', type: 'numeric', aliases: ['基准点数'] },
    { name: 'low_outlier_ratio', type: 'numeric', aliases: ['低倍率界值'] },
    { name: 'high_outlier_ratio', type: 'numeric', aliases: ['高倍率界值'] },
    { name: 'single_review', type: 'text', aliases: ['单议病组'] },
    { name: 'stable_group', type: 'text', aliases: ['稳定组'] },
    { name: 'base_group', type: 'text', aliases: ['基础病组'] },
    { name: 'tcm_group', type: 'text', aliases: ['中医优势病组'] },
    { name: 'remark', type: 'text', aliases: ['备注'] },
    ...standardColumns(1, '一级'),
    ...standardColumns(2, '二级'),
    ...standardColumns(3, '三级'),
  ],
  rules: [],
};

/** Base rate (费率) per insurance type and hospital level, level coefficient and 点值, by year. */
export const drgBaseRates: SourceDefinition = {
  system: 'insurance',
  entity: 'drg_base_rates',
  description: '医保局发布：DRG 费率（按险种、医院等级）、级别系数与点值（按年）',
  filePattern: /^drg_base_rates_(?<period>\d{4})\.csv$/,
  deliveredBy: 'publisher',
  key: 'insutype',
  uniqueKey: ['year', 'insutype', 'hospital_level'],
  columns: [
    { name: 'year', type: 'integer', required: true, aliases: ['年度'] },
    { name: 'insutype', type: 'text', required: true, aliases: ['险种类型'] },
    { name: 'hospital_level', type: 'text', required: true, aliases: ['医院等级'] },
    { name: 'base_rate', type: 'numeric', required: true, aliases: ['费率'] },
    { name: 'level_coef', type: 'numeric', aliases: ['级别系数'] },
    { name: 'point_value', type: 'numeric', aliases: ['点值'] },
  ],
  rules: [],
};

/** Regional reference per DRG group and hospital level: mean charge, cost, stay, mortality. */
export const regionalReference: SourceDefinition = {
  system: 'insurance',
  entity: 'regional_reference',
  description: '医保局发布：区域 DRG 病组参考值（按医院等级：次均费用、次均成本、平均住院日、病死率）',
  filePattern: /^regional_reference_(?<period>\d{4})\.csv$/,
  deliveredBy: 'publisher',
  key: 'drg_code',
  uniqueKey: ['year', 'drg_code', 'hospital_level'],
  columns: [
    { name: 'year', type: 'integer', required: true, aliases: ['年度'] },
    { name: 'drg_code', type: 'text', required: true, aliases: ['DRG编码'] },
    { name: 'drg_name', type: 'text', aliases: ['DRG名称'] },
    { name: 'hospital_level', type: 'text', required: true, aliases: ['医院等级'] },
    { name: 'cases', type: 'integer', aliases: ['例数'] },
    { name: 'mean_charge', type: 'numeric', aliases: ['次均费用'] },
    { name: 'mean_cost', type: 'numeric', aliases: ['次均成本'] },
    { name: 'mean_los', type: 'numeric', aliases: ['平均住院日'] },
    { name: 'mortality_rate', type: 'numeric', aliases: ['病死率'] },
  ],
  rules: [],
};

/** DIP 病种 catalogue of a county: 病种 by main diagnosis and procedure, with its 分值. */
export const dipCatalogue: SourceDefinition = {
  system: 'insurance',
  entity: 'dip_catalogue',
  description: '医保局发布：DIP 病种目录与分值（按年）',
  filePattern: /^dip_catalogue_(?<period>\d{4})\.csv$/,
  deliveredBy: 'publisher',
  key: 'dip_code',
  uniqueKey: ['year', 'dip_code', 'diag_code'],
  columns: [
    { name: 'year', type: 'integer', required: true, aliases: ['年度'] },
    { name: 'dip_code', type: 'text', required: true, aliases: ['DIP病种编码'] },
    { name: 'dip_name', type: 'text', aliases: ['DIP病种名称'] },
    { name: 'diag_code', type: 'text', aliases: ['主要诊断编码'] },
    { name: 'oprn_code', type: 'text', aliases: ['手术操作编码'] },
    { name: 'score', type: 'numeric', required: true, aliases: ['分值'] },
  ],
  rules: [],
};

/**
 * DIP budget of a county and year: the fund budget, total points and the resulting 点值
 * (budget / total points), and the provisional 点值 stays were paid by during the year.
 */
export const dipBudget: SourceDefinition = {
  system: 'insurance',
  entity: 'dip_budget',
  description: '医保局发布：DIP 年度预算、总分值与点值',
  filePattern: /^dip_budget_(?<period>\d{4})\.csv$/,
  deliveredBy: 'publisher',
  key: 'region_code',
  uniqueKey: ['year', 'region_code'],
  columns: [
    { name: 'year', type: 'integer', required: true, aliases: ['年度'] },
    { name: 'region_code', type: 'text', required: true, aliases: ['统筹区'] },
    { name: 'budget', type: 'numeric', required: true, aliases: ['年度预算'] },
    { name: 'total_points', type: 'numeric', aliases: ['总分值'] },
    { name: 'point_value', type: 'numeric', required: true, aliases: ['点值'] },
    { name: 'status', type: 'text', aliases: ['状态'] },
    { name: 'provisional_point_value', type: 'numeric', aliases: ['预结算点值'] },
  ],
  rules: [],
};

/** Every file a 医保局 publishes. */
export const paymentPolicySources = [
  drgGroupTable,
  drgBaseRates,
  regionalReference,
  dipCatalogue,
  dipBudget,
] as const;
