import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** LIS/PACS workload: tests and exams by ordering and executing department, per month. */
export const workload: SourceDefinition = {
  system: 'lab',
  entity: 'workload',
  description: 'LIS/PACS 检查检验工作量（按开单、执行科室，按月）',
  filePattern: /^workload_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'order_dept_code',
  uniqueKey: ['order_dept_code', 'exec_dept_code', 'exam_type_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'order_dept_code', type: 'text', required: true, aliases: ['开单科室'] },
    { name: 'exec_dept_code', type: 'text', required: true, aliases: ['执行科室'] },
    { name: 'exam_type_code', type: 'text', required: true, aliases: ['检查检验类别编码'] },
    { name: 'exam_type_name', type: 'text', aliases: ['检查检验类别名称'] },
    { name: 'exam_count', type: 'numeric', required: true, aliases: ['数量'] },
    { name: 'revenue', type: 'numeric', aliases: ['收入金额'] },
  ],
  rules: [
    nonNegative(['exam_count', 'revenue']),
    ...departmentCodes([
      { column: 'order_dept_code', label: '开单科室' },
      { column: 'exec_dept_code', label: '执行科室' },
    ]),
  ],
};
