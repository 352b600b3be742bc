import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The payer's clearing statuses (清算状态) of a settlement list and whether each counts as settled
 * for 结算率: a region whose payer uses other words adds its own rows; a status missing here counts
 * as not settled.
 */
export const schema: SeedSchema = {
  description: '医保结算清单清算状态：是否计为已结算（结算率的分子）',
  key: 'settlement_status',
  columns: [
    { name: 'settlement_status', type: 'text', required: true, description: '结算清单上的清算状态原值' },
    { name: 'settlement_status_name', type: 'text', required: true, description: '说明' },
    {
      name: 'is_settled',
      type: 'boolean',
      required: true,
      description: '计为已结算：结算率（例数、金额）的分子只计这些状态的结算',
    },
  ],
};
