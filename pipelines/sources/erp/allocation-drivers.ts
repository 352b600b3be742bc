import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * Allocation drivers by month: what a service unit (供应室, 洗衣, 膳食, 收费处, 检验, 影像) did for
 * each receiving or ordering department — the quantities cost allocation spreads its cost by.
 */
export const allocationDrivers: SourceDefinition = {
  system: 'erp',
  entity: 'allocation_drivers',
  description: '成本分摊动因（消毒包、洗涤、膳食、出院结算、门诊挂号、检验、影像；按受益科室，按月）',
  filePattern: /^allocation_drivers_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'dept_code',
  uniqueKey: ['driver_code', 'service_dept_code', 'dept_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'driver_code', type: 'text', required: true, aliases: ['动因编码'] },
    { name: 'driver_name', type: 'text', aliases: ['动因名称'] },
    { name: 'service_dept_code', type: 'text', required: true, aliases: ['服务科室'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['受益科室'] },
    { name: 'quantity', type: 'numeric', required: true, aliases: ['数量'] },
    { name: 'unit', type: 'text', aliases: ['单位'] },
  ],
  rules: [
    nonNegative(['quantity']),
    ...departmentCodes([
      { column: 'service_dept_code', label: '服务科室' },
      { column: 'dept_code', label: '受益科室' },
    ]),
  ],
};
