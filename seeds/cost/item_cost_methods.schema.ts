import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 医疗服务项目成本的成本比例系数法：每个标准科室用哪种分配系数把科室成本分摊到它执行的项目上。
 * `*` 行是未单列科室的默认口径。财务人员编辑本表即可改变口径，无需改代码。
 */
export const schema: SeedSchema = {
  description: '医疗服务项目成本分配系数（成本比例系数法）按科室的选择',
  key: 'std_dept_code',
  columns: [
    { name: 'std_dept_code', type: 'text', required: true, description: '标准科室编码；* 为默认' },
    { name: 'std_dept_name', type: 'text', required: true },
    {
      name: 'coefficient_basis',
      type: 'text',
      required: true,
      description:
        'revenue 收入分配系数（项目收入）；workload 工作量分配系数（项目数量）；operating_time 操作时间分配系数（数量 × 项目标准操作分钟，见 item_cost_equivalents）',
    },
    {
      name: 'spread_over_drug_and_material_lines',
      type: 'boolean',
      required: true,
      description:
        '科室成本是否也分摊到其执行的药品/单收材料明细上（如药剂科的调剂成本）；否则只分摊到医疗服务项目',
    },
    { name: 'note', type: 'text' },
  ],
};
