import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 医疗服务项目的成本当量（成本当量法：以代表项目为 1，其余项目按资源消耗折算的当量数）与标准操作时间
 * （成本比例系数法中“操作时间”系数用）。按医保项目编码，全联盟通用；空值表示未设定。
 */
export const schema: SeedSchema = {
  description: '医疗服务项目成本当量与标准操作时间',
  key: 'insurance_item_code',
  columns: [
    { name: 'insurance_item_code', type: 'text', required: true, description: '医保项目编码' },
    { name: 'item_name', type: 'text', required: true },
    { name: 'cost_equivalent', type: 'numeric', description: '成本当量（代表项目 = 1）' },
    { name: 'operating_minutes', type: 'numeric', description: '标准操作时间（分钟/例）' },
  ],
};
