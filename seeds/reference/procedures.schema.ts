import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** ICD-9-CM-3 医保版 2.0 procedures the alliance codes with; `hdw reference load-icd` adds the full national list. */
export const schema: SeedSchema = {
  description: 'ICD-9-CM-3 医保版 2.0 手术操作编码字典',
  key: 'oprn_code',
  columns: [
    { name: 'oprn_code', type: 'text', required: true },
    { name: 'oprn_name', type: 'text', required: true },
    { name: 'oprn_level', type: 'integer', description: '手术级别 1–4' },
  ],
};
