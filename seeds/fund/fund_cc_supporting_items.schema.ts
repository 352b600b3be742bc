import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * What bills the treatment of a CC/MCC secondary diagnosis, for the 高套编码 screen of
 * int_fund_violations__screened: a diagnosis code prefix and the 医保 item codes (or code prefixes:
 * a drug's ATC class such as `XJ01` for systemic antibacterials, a service's national price-item
 * code) of which the stay bills at least one line when it truly has the condition. A CC/MCC that
 * raised the group with no such line is flagged; one whose diagnosis no row covers is not screened.
 * A 医保办 user adds rows for the complications of their region.
 */
export const schema: SeedSchema = {
  description: '高套编码筛查：并发症/合并症诊断（编码前缀）及支持其成立的治疗收费项目（医保项目编码或前缀）',
  key: 'diagnosis_prefix',
  columns: [
    {
      name: 'diagnosis_prefix',
      type: 'text',
      required: true,
      description: 'ICD-10 医保版 2.0 诊断编码前缀（如 J96 呼吸衰竭）；一个诊断匹配多行时各行项目均可支持',
    },
    {
      name: 'insurance_item_codes',
      type: 'text',
      required: true,
      description: '支持该诊断的收费项目医保编码或编码前缀，以 | 分隔（按收费明细的医保项目编码前缀匹配）',
    },
    { name: 'description', type: 'text', description: '说明（中文：诊断与对应治疗）' },
  ],
};
