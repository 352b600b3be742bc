import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 成本明细项目中可单独收费、按采购成本直接计入病例的部分（如可单独收费卫生材料）：项目成本分摊前从科室成本中
 * 扣除，避免与病例的材料采购成本重复计算。
 */
export const schema: SeedSchema = {
  description: '单独收费、直接计入病例的成本明细项目',
  key: 'cost_subitem_code',
  columns: [
    { name: 'cost_subitem_code', type: 'text', required: true },
    { name: 'cost_subitem_name', type: 'text', required: true },
    { name: 'cost_item_code', type: 'text', required: true },
    { name: 'charge_kind', type: 'text', required: true, description: 'material 单收材料 / drug 药品' },
  ],
};
