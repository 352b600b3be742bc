import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'emr',
  description: 'EMR 电子病历：病案首页及其诊断、手术操作，按出院月交付。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  freshness: { warnAfterHours: 24 * 35, errorAfterHours: 24 * 62 },
  tables: {
    front_pages: {
      description: 'EMR 病案首页（每次住院一行）',
      columns: {
        patient_id: { description: '患者ID', pii: true },
        medcasno: { description: '病案号', pii: true },
        birth_date: { description: '出生日期', pii: true },
        attending_doctor_code: { description: '主治医师代码', pii: true },
        attending_doctor_name: { description: '主治医师姓名', pii: true },
      },
    },
    front_page_diagnoses: {
      description: 'EMR 病案首页诊断（每次住院每个诊断一行）',
      columns: { medcasno: { description: '病案号', pii: true } },
    },
    front_page_procedures: {
      description: 'EMR 病案首页手术操作（每次住院每个手术操作一行）',
      columns: { medcasno: { description: '病案号', pii: true } },
    },
    drg_groupings: {
      description: '院内 DRG 预分组结果（全部出院病例，含自费）',
      columns: { medcasno: { description: '病案号', pii: true } },
    },
  },
});
