import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** ERP/HRP headcount by department and month (an allocation driver). */
export const headcount: SourceDefinition = {
  system: 'erp',
  entity: 'headcount',
  description: 'ERP/HRP 科室人员数（按月）',
  filePattern: /^headcount_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'dept_code',
  uniqueKey: ['dept_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['科室编码'] },
    { name: 'dept_name', type: 'text', aliases: ['科室名称'] },
    { name: 'doctors', type: 'numeric', aliases: ['医生人数'] },
    { name: 'nurses', type: 'numeric', aliases: ['护士人数'] },
    { name: 'technicians', type: 'numeric', aliases: ['医技人数'] },
    { name: 'admin_staff', type: 'numeric', aliases: ['行政后勤人数'] },
    { name: 'total_staff', type: 'numeric', aliases: ['合计人数'] },
  ],
  rules: [
    nonNegative(['doctors', 'nurses', 'technicians', 'admin_staff', 'total_staff']),
    ...departmentCodes([{ column: 'dept_code', label: '科室编码' }]),
  ],
};
