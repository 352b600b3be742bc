import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'his',
  description: 'HIS 医院信息系统：就诊、收费明细与字典，按月交付。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  freshness: { warnAfterHours: 24 * 35, errorAfterHours: 24 * 62 },
  tables: {
    charge_lines: { description: 'HIS 收费明细（住院按出院月、门诊按就诊月交付）' },
    charge_items: { description: 'HIS 收费项目字典' },
    departments: { description: 'HIS 科室字典（含标准科室映射）' },
    inpatient_visits: {
      description: 'HIS 住院就诊',
      columns: { patient_id: { description: '患者ID', pii: true } },
    },
    inpatient_census: {
      description: 'HIS 在院患者清单（每日快照；医院的在院病例取其最新快照）',
      columns: { patient_id: { description: '患者ID', pii: true } },
    },
    inpatient_census_diagnoses: { description: 'HIS 在院患者诊断（随在院清单交付，截至截止时点已下的诊断）' },
    inpatient_census_procedures: { description: 'HIS 在院手术操作（随在院清单交付，截至截止时点已完成的手术操作）' },
    outpatient_visits: {
      description: 'HIS 门诊就诊',
      columns: { patient_id: { description: '患者ID', pii: true } },
    },
  },
});
