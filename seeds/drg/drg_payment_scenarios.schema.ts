import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Payment what-if scenarios for DRG-paid cases: each row changes the current rule (base rate,
 * every case's RW, one level's coefficient, one group's RW, the outlier thresholds) and
 * fct_payment_simulation shows each hospital's and group's payment, margin and outlier counts under
 * it beside the current ones. Empty cells leave the current rule unchanged. Add a row and run the
 * pipeline (`hdw run`, or `hdw seed` then `hdw build -s fct_payment_simulation`) to see a new one,
 * or let `hdw simulate` store one (validated against this schema) and rebuild the mart at once.
 */
export const schema: SeedSchema = {
  description: 'DRG 支付模拟方案：费率、权重、级别系数、病组权重、倍率界值的调整',
  key: 'scenario_code',
  columns: [
    { name: 'scenario_code', type: 'text', required: true, description: '方案编码（唯一）' },
    { name: 'scenario_name', type: 'text', required: true, description: '方案名称' },
    { name: 'base_rate_factor', type: 'numeric', required: true, description: '费率乘数（1 为不变）' },
    {
      name: 'weight_delta',
      type: 'numeric',
      required: true,
      description: '每例 RW 增加值（0.1 即 CMI +0.1）',
    },
    { name: 'hospital_level', type: 'text', required: false, description: '调整级别系数的医院等级' },
    { name: 'level_coefficient', type: 'numeric', required: false, description: '该等级的新级别系数' },
    { name: 'drg_code', type: 'text', required: false, description: '调整权重的病组' },
    { name: 'drg_weight', type: 'numeric', required: false, description: '该病组的新 RW' },
    {
      name: 'low_outlier_ratio',
      type: 'numeric',
      required: false,
      description: '新的低倍率界值（全部病组）',
    },
    {
      name: 'high_outlier_ratio',
      type: 'numeric',
      required: false,
      description: '新的高倍率界值（全部病组）',
    },
  ],
};
