import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** Sub-items of the ledger under the seven cost items (明细项目). */
export const schema: SeedSchema = {
  description: '成本明细项目：所属成本项目、可控性、成本性态，以及是否可单独收费（项目成本扣除用）',
  key: 'cost_subitem_code',
  columns: [
    { name: 'cost_subitem_code', type: 'text', required: true },
    { name: 'cost_subitem_name', type: 'text', required: true },
    { name: 'cost_item_code', type: 'text', required: true },
    { name: 'controllability', type: 'text', required: true, description: '可控/不可控' },
    { name: 'cost_behaviour', type: 'text', required: true, description: '固定/变动' },
    {
      name: 'is_separately_billed',
      type: 'boolean',
      required: true,
      description: '药品与可单独收费卫生材料：医疗服务项目成本中扣除、病例成本中按实际计入',
    },
  ],
};
