import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** Labels of the value quadrant (波士顿矩阵): high or low weight × surplus or deficit. */
export const schema: SeedSchema = {
  description: '病组价值象限（波士顿矩阵）的编码与名称',
  key: 'quadrant_code',
  columns: [
    { name: 'quadrant_code', type: 'text', required: true },
    { name: 'high_weight', type: 'boolean', required: true, description: '权重高于分界' },
    { name: 'surplus', type: 'boolean', required: true, description: '结余（高于 y 分界）' },
    {
      name: 'quadrant_label',
      type: 'text',
      required: true,
      description: '名称，如 优势、潜力（战略）、维持、劣势',
    },
  ],
};
