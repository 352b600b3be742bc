import { nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** ERP/HRP purchases of drugs, reagents, films and materials by item and month (prices move). */
export const purchases: SourceDefinition = {
  system: 'erp',
  entity: 'purchases',
  description: 'ERP/HRP 药品、试剂、胶片与卫生材料采购入库（按月，按物资）',
  filePattern: /^purchases_(?<period>\d{4}-\d{2})\.csv$/,
  key: 'item_code',
  uniqueKey: ['item_code'],
  columns: [
    { name: 'period', type: 'text', required: true, aliases: ['期间'] },
    { name: 'item_code', type: 'text', required: true, aliases: ['物资编码'] },
    { name: 'item_name', type: 'text', aliases: ['物资名称'] },
    { name: 'purchase_class', type: 'text', required: true, aliases: ['物资类别'] },
    { name: 'quantity', type: 'numeric', required: true, aliases: ['数量'] },
    { name: 'unit_price', type: 'numeric', required: true, aliases: ['采购单价'] },
    { name: 'amount', type: 'numeric', required: true, aliases: ['金额'] },
  ],
  rules: [nonNegative(['quantity', 'unit_price', 'amount'])],
};
