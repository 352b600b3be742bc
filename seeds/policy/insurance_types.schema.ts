import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The insurance types (险种) a payment table prices: a table that does not distinguish them
 * applies to each of these.
 */
export const schema: SeedSchema = {
  description: '医保险种（支付标准按险种区分时的取值；未区分的病组表对每个险种适用）',
  key: 'insurance_type',
  columns: [
    { name: 'insurance_type', type: 'text', required: true, description: '险种类型编码：310 职工，390 居民' },
    { name: 'insurance_type_name', type: 'text', required: true, description: '险种名称' },
  ],
};
