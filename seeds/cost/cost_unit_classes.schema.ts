import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The four classes of cost unit and the step-down order: a class with level n passes its cost on
 * at level n to every class with a higher level or none (the clinical units, which keep theirs).
 */
export const schema: SeedSchema = {
  description: '成本核算单元类别与三级分摊顺序',
  key: 'cost_unit_class',
  columns: [
    { name: 'cost_unit_class', type: 'text', required: true },
    {
      name: 'allocation_level',
      type: 'integer',
      description: '本类作为分摊方的级次（1 行政后勤、2 医疗辅助、3 医疗技术）；空为最终承担（临床服务类）',
    },
    { name: 'sort_order', type: 'integer', required: true, description: '报表排序' },
    { name: 'description', type: 'text' },
  ],
};
