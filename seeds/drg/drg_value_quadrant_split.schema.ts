import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Where the value quadrant splits: x at a fixed weight (x_split = fixed, at x_split_value) or at the
 * hospital's CMI (x_split = hospital_cmi); y on margin per case or margin rate (y_measure), at
 * y_split_value. One row.
 */
export const schema: SeedSchema = {
  description: '价值象限分界：x 轴按固定权重或本院 CMI，y 轴按例均结余或结余率',
  key: 'setting',
  columns: [
    { name: 'setting', type: 'text', required: true, description: '固定为 default' },
    { name: 'x_split', type: 'text', required: true, description: 'fixed 固定值 / hospital_cmi 本院 CMI' },
    { name: 'x_split_value', type: 'numeric', required: true, description: 'x_split = fixed 时的权重分界' },
    {
      name: 'y_measure',
      type: 'text',
      required: true,
      description: 'margin_per_case 例均结余 / margin_rate 结余率',
    },
    { name: 'y_split_value', type: 'numeric', required: true, description: 'y 轴分界（元或比率）' },
  ],
};
