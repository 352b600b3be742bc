import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** Hospital levels a payment table may price (级别系数 and 支付标准 per level). */
export const schema: SeedSchema = {
  description: '医院等级（支付标准与级别系数按等级区分）',
  key: 'hospital_level',
  columns: [
    { name: 'hospital_level', type: 'text', required: true, description: '医院等级：3 三级，2 二级，1 一级' },
    { name: 'hospital_level_name', type: 'text', required: true, description: '等级名称' },
  ],
};
