import { codeInDictionary } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** HIS department dictionary: each local department code and the standard department it maps to. */
export const departments: SourceDefinition = {
  system: 'his',
  entity: 'departments',
  description: 'HIS 科室字典',
  filePattern: /^departments\.csv$/,
  key: 'dept_code',
  uniqueKey: ['dept_code'],
  columns: [
    { name: 'dept_code', type: 'text', required: true, aliases: ['科室编码'] },
    { name: 'dept_name', type: 'text', required: true, aliases: ['科室名称'] },
    { name: 'dept_class', type: 'text', aliases: ['科室类别'] },
    { name: 'std_dept_code', type: 'text', required: true, aliases: ['标准科室编码'] },
  ],
  rules: [
    codeInDictionary({
      id: 'unknown_standard_department',
      column: 'std_dept_code',
      label: '标准科室编码',
      dictionary: 'ref.standard_departments',
      dictionaryColumn: 'std_dept_code',
      perHospital: false,
    }),
  ],
};
