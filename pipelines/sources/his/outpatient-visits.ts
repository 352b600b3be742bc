import { codeInDictionary } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** HIS outpatient visits (门诊就诊), one file per visit month. */
export const outpatientVisits: SourceDefinition = {
  system: 'his',
  entity: 'outpatient_visits',
  description: 'HIS 门诊就诊记录',
  filePattern: /^outpatient_visits_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'visit_id',
  uniqueKey: ['visit_id'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['门诊号'] },
    { name: 'patient_id', type: 'text', required: true, aliases: ['患者ID'] },
    { name: 'gender', type: 'text', aliases: ['性别'] },
    { name: 'birth_date', type: 'date', aliases: ['出生日期'] },
    { name: 'visit_time', type: 'timestamp', required: true, aliases: ['就诊时间'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['就诊科室'] },
    { name: 'insurance_type', type: 'text', aliases: ['险种'] },
  ],
  rules: [
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'dept_code',
      label: '科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
  ],
};
