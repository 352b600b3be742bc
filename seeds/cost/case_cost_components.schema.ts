import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 病例（病种、DRG）成本构成：七大成本项目（cost_items）各归入哪一构成——人员、药品、材料、折旧摊销、其他。
 * 医疗服务项目成本与病例成本的构成拆分都按本表。
 */
export const schema: SeedSchema = {
  description: '病例成本构成：成本项目 → 构成',
  key: 'cost_item_code',
  columns: [
    { name: 'cost_item_code', type: 'text', required: true },
    {
      name: 'component',
      type: 'text',
      required: true,
      description: 'labour 人员 / drug 药品 / material 材料 / depreciation 折旧摊销 / other 其他',
    },
    { name: 'component_name', type: 'text', required: true },
  ],
};
