import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The cost items (成本项目, seeds/cost/cost_items) whose direct cost counts as 卫生材料消耗 in
 * 百元医疗收入（不含药品收入）卫生材料消耗: 卫生材料费 by default; a region that also counts, say,
 * separately listed low-value consumables adds their item here.
 */
export const schema: SeedSchema = {
  description: '计入卫生材料消耗的成本项目（百元医疗收入卫生材料消耗的分子）',
  key: 'cost_item_code',
  columns: [
    { name: 'cost_item_code', type: 'text', required: true, description: '成本项目编码' },
    { name: 'cost_item_name', type: 'text', required: true, description: '成本项目名称' },
  ],
};
