import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * ERP/HRP cost ledger: cost by department, cost item (the seven items of 公立医院成本核算规范) and
 * sub-item (billed vs unbilled materials, reagents, films; 西药, 中成药, 中药饮片) for one month.
 */
export const costLedger: SourceDefinition = {
  system: 'erp',
  entity: 'cost_ledger',
  description: 'ERP/HRP 科室成本明细账（按月）',
  filePattern: /^cost_ledger_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'dept_code',
  uniqueKey: ['dept_code', 'cost_item_code', 'cost_subitem_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['科室编码'] },
    { name: 'dept_name', type: 'text', aliases: ['科室名称'] },
    { name: 'cost_item_code', type: 'text', required: true, aliases: ['成本项目编码'] },
    { name: 'cost_item_name', type: 'text', aliases: ['成本项目名称'] },
    { name: 'cost_subitem_code', type: 'text', aliases: ['成本明细项目编码'] },
    { name: 'cost_subitem_name', type: 'text', aliases: ['成本明细项目名称'] },
    { name: 'amount', type: 'numeric', required: true, aliases: ['金额'] },
  ],
  rules: [nonNegative(['amount']), ...departmentCodes([{ column: 'dept_code', label: '科室编码' }])],
};
