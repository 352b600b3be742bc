import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** The payer's refusal reason codes (拒付原因代码) as returned on the settlement list, with their names. */
export const schema: SeedSchema = {
  description: '医保拒付原因代码与名称',
  key: 'refuse_reason_code',
  columns: [
    { name: 'refuse_reason_code', type: 'text', required: true, description: '拒付原因代码' },
    { name: 'refuse_reason_name', type: 'text', required: true, description: '拒付原因名称' },
  ],
};
