import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** How the cost of a department serving both outpatients and inpatients splits between them, by month. */
export const serviceSplit: SourceDefinition = {
  system: 'erp',
  entity: 'service_split',
  description: '门诊、住院共用科室的成本划分比例（按月）',
  filePattern: /^service_split_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'dept_code',
  uniqueKey: ['dept_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['科室编码'] },
    { name: 'dept_name', type: 'text', aliases: ['科室名称'] },
    { name: 'outpatient_share', type: 'numeric', required: true, aliases: ['门诊占比'] },
    { name: 'inpatient_share', type: 'numeric', required: true, aliases: ['住院占比'] },
    { name: 'basis', type: 'text', aliases: ['划分依据'] },
  ],
  rules: [
    nonNegative(['outpatient_share', 'inpatient_share']),
    ...departmentCodes([{ column: 'dept_code', label: '科室编码' }]),
  ],
};
