import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 病例（病种、DRG）成本构成：七大成本项目归入哪一构成（人员、药品、材料、折旧摊销、其他），以及哪些成本
 * 不分摊到医疗服务项目、而按采购成本直接计入病例（passed_through：整项目，如药品费）。
 */
export const schema: SeedSchema = {
  description: '病例成本构成与直接计入病例的成本项目',
  key: 'cost_item_code',
  columns: [
    { name: 'cost_item_code', type: 'text', required: true },
    { name: 'cost_item_name', type: 'text', required: true },
    {
      name: 'component',
      type: 'text',
      required: true,
      description: 'labour 人员 / drug 药品 / material 材料 / depreciation 折旧摊销 / other 其他',
    },
    { name: 'component_name', type: 'text', required: true },
    {
      name: 'passed_through',
      type: 'boolean',
      required: true,
      description: '整个成本项目按采购成本直接计入病例，不分摊到医疗服务项目',
    },
  ],
};
