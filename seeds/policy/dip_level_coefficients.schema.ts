import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * DIP level coefficients (等级系数) a county 医保局 announces: payment = 分值 × 点值 × the
 * hospital level's coefficient. A level not listed pays 分值 × 点值 (coefficient 1).
 */
export const schema: SeedSchema = {
  description: 'DIP 医院等级系数（按发布方与医院等级；未列出的等级按 1）',
  key: 'coefficient_code',
  columns: [
    { name: 'coefficient_code', type: 'text', required: true, description: '编码：发布方-等级' },
    { name: 'publisher_code', type: 'text', required: true, description: '发布方编码（P + 行政区划）' },
    { name: 'hospital_level', type: 'text', required: true, description: '医院等级：3 三级，2 二级，1 一级' },
    { name: 'level_coefficient', type: 'numeric', required: true, description: '等级系数' },
  ],
};
