import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The CHS-DRG 1.1 complication list: secondary diagnoses that are a complication or comorbidity
 * (CC) or a major one (MCC), with the exclusion table each belongs to (a CC/MCC does not count when
 * the principal diagnosis belongs to the same table, drg_principal_exclusions). Part of the
 * national grouping rules as the OpenDRG project (Apache-2.0, github.com/OpenDRG) encodes them
 * (`../shared/datasets/chs-drg-1.1/grouping/cc_mcc.csv`, the one part of that folder that may ship).
 * The 高套编码 screen of fct_fund_violation_flags reads it.
 */
export const schema: SeedSchema = {
  description:
    'CHS-DRG 1.1 并发症/合并症（CC）与严重并发症/合并症（MCC）诊断表及其排除表（OpenDRG，Apache-2.0）',
  key: 'diag_code',
  columns: [
    { name: 'diag_code', type: 'text', required: true, description: 'ICD-10 医保版 2.0 诊断编码' },
    {
      name: 'cc_level',
      type: 'text',
      required: true,
      description: 'CC 并发症/合并症 / MCC 严重并发症/合并症',
    },
    {
      name: 'exclusion_table',
      type: 'text',
      description: '所属排除表编号：主诊断在同一排除表时不计为 CC/MCC',
    },
  ],
};
