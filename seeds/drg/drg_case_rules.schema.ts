import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Case rules of a payer (医保局) that the DRG marts apply: which stays are excluded from grouping
 * statistics, how a self-pay stay is priced, how a DIP 分值 converts to a weight for the outlier
 * bands. The row `*` applies to every publisher without its own row.
 */
export const schema: SeedSchema = {
  description: 'DRG/DIP 病例规则：排除条件（住院天数、总费用下限）、自费病例估算险种、DIP 分值折算权重',
  key: 'publisher_code',
  columns: [
    { name: 'publisher_code', type: 'text', required: true, description: '医保局编码；* 为默认' },
    {
      name: 'max_length_of_stay_days',
      type: 'integer',
      required: true,
      description: '住院天数超过此值的病例不参与入组统计（排除）',
    },
    {
      name: 'min_total_charges',
      type: 'numeric',
      required: true,
      description: '医疗费总额低于此值（元）的病例不参与入组统计（排除）',
    },
    {
      name: 'self_pay_insurance_type',
      type: 'text',
      required: true,
      description: '自费病例按此险种的支付标准估算（310 职工 / 390 居民）',
    },
    {
      name: 'dip_score_per_weight',
      type: 'numeric',
      required: true,
      description: 'DIP 分值折算为权重的除数（分值 = RW × 100 时为 100），用于按权重分段的倍率界值',
    },
  ],
};
