import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Why an in-stay estimate (fct_inpatient_stay_estimates) has no ratio of charges to a payment
 * standard (the warning class 无法预估): the label the 医保办 reads beside each such stay. The mart
 * decides which reason applies; this seed names them.
 */
export const schema: SeedSchema = {
  description: '在院病例无法预估的原因（预估病组无支付标准的缘由）',
  key: 'reason_code',
  columns: [
    { name: 'reason_code', type: 'text', required: true, description: '原因编码' },
    { name: 'reason_label', type: 'text', required: true, description: '原因名称，如 医保方按DIP付费' },
    { name: 'description', type: 'text', description: '说明' },
  ],
};
