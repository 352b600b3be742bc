import { codeInDictionary } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** HIS charge-item dictionary: local item codes with their 医保 category, code and list price. */
export const chargeItems: SourceDefinition = {
  system: 'his',
  entity: 'charge_items',
  description: 'HIS 收费项目字典',
  filePattern: /^charge_items\.csv$/,
  key: 'item_code',
  uniqueKey: ['item_code'],
  columns: [
    { name: 'item_code', type: 'text', required: true, aliases: ['项目编码'] },
    { name: 'item_name', type: 'text', required: true, aliases: ['项目名称'] },
    { name: 'category_code', type: 'text', required: true, aliases: ['费用类别'] },
    { name: 'insurance_code', type: 'text', aliases: ['医保编码'] },
    { name: 'unit_price', type: 'numeric', required: true, aliases: ['单价'] },
    { name: 'unit', type: 'text', aliases: ['单位'] },
  ],
  rules: [
    codeInDictionary({
      id: 'unknown_charge_category',
      column: 'category_code',
      label: '费用类别',
      dictionary: 'ref.charge_categories',
      dictionaryColumn: 'category_code',
      perHospital: false,
    }),
  ],
};
