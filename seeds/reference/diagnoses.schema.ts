import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * ICD-10 医保版 2.0 diagnoses the alliance codes with, and the sex a code is restricted to. The
 * list shipped here covers the codes the alliance uses; `hdw reference load-icd` adds the full
 * national list to the same dictionary (this list's rows win), then quarantined rows can be replayed.
 */
export const schema: SeedSchema = {
  description: 'ICD-10 医保版 2.0 诊断编码字典，含性别限定（1 男，2 女）',
  key: 'diag_code',
  columns: [
    { name: 'diag_code', type: 'text', required: true },
    { name: 'diag_name', type: 'text', required: true },
    { name: 'sex_restriction', type: 'text', description: '仅限该性别：1 男，2 女；空为不限' },
  ],
};
