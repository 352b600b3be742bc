import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The CHS-DRG 1.1 principal-diagnosis exclusion tables: a secondary CC/MCC (drg_cc_mcc) whose
 * exclusion table is the principal diagnosis's does not count. Part of the national grouping rules
 * as the OpenDRG project (Apache-2.0, github.com/OpenDRG) encodes them
 * (`../shared/datasets/chs-drg-1.1/grouping/principal_exclusions.csv`).
 */
export const schema: SeedSchema = {
  description: 'CHS-DRG 1.1 主诊断排除表（OpenDRG，Apache-2.0）：主诊断所属排除表编号',
  key: 'diag_code',
  columns: [
    { name: 'diag_code', type: 'text', required: true, description: '主诊断编码（ICD-10 医保版 2.0）' },
    { name: 'exclusion_table', type: 'text', required: true, description: '排除表编号' },
  ],
};
