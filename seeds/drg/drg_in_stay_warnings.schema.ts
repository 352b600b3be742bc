import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The warning classes of the in-stay estimates (fct_inpatient_stay_estimates), for the 医保办 to
 * edit: a stay whose charges to date / its expected group's payment standard is at least min_ratio
 * (no lower bound when blank: a net refund's negative ratio too) and below max_ratio (no upper bound
 * when blank) takes the class; where bands overlap the one with the highest min_ratio wins. The row with both bounds blank is the class of a stay with no ratio
 * (not grouped, or its group has no payment standard).
 */
export const schema: SeedSchema = {
  description: '在院病例费用预警分级（已发生费用 / 预估病组支付标准的区间，医保办可调整）',
  key: 'warning_code',
  columns: [
    { name: 'warning_code', type: 'text', required: true, description: '预警编码' },
    {
      name: 'warning_label',
      type: 'text',
      required: true,
      description: '预警名称，如 超支风险、接近标准、正常',
    },
    { name: 'min_ratio', type: 'numeric', description: '费用/标准比下限（含）；空为无下限；与上限都空时为无法预估' },
    { name: 'max_ratio', type: 'numeric', description: '费用/标准比上限（不含）；空为无上限' },
    { name: 'description', type: 'text', description: '说明' },
  ],
};
