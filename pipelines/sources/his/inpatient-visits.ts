import { codeInDictionary, dischargeBeforeAdmission, stayOver60Days } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** HIS inpatient visits (住院就诊), one file per discharge month. */
export const inpatientVisits: SourceDefinition = {
  system: 'his',
  entity: 'inpatient_visits',
  description: 'HIS 住院就诊记录（按出院月份）',
  filePattern: /^inpatient_visits_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'visit_id',
  uniqueKey: ['visit_id'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'patient_id', type: 'text', required: true, aliases: ['患者ID'] },
    { name: 'gender', type: 'text', aliases: ['性别'] },
    { name: 'birth_date', type: 'date', aliases: ['出生日期'] },
    { name: 'admit_time', type: 'timestamp', required: true, aliases: ['入院时间'] },
    { name: 'discharge_time', type: 'timestamp', required: true, aliases: ['出院时间'] },
    { name: 'admit_dept_code', type: 'text', aliases: ['入院科室'] },
    { name: 'discharge_dept_code', type: 'text', required: true, aliases: ['出院科室'] },
    { name: 'discharge_way', type: 'text', aliases: ['离院方式'] },
    { name: 'insurance_type', type: 'text', aliases: ['险种'] },
    { name: 'total_amount', type: 'numeric', aliases: ['总费用'] },
  ],
  rules: [
    dischargeBeforeAdmission,
    stayOver60Days,
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'admit_dept_code',
      label: '入院科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'discharge_dept_code',
      label: '出院科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
  ],
};
