import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 高倍率/低倍率 thresholds by weight band, used where a region publishes no ratio of its own for a
 * group (the published ratios in dim_drg_groups win). A case is 高倍率 when its total exceeds
 * high_outlier_ratio × its payment standard, 低倍率 when below low_outlier_ratio × the standard.
 */
export const schema: SeedSchema = {
  description: '高低倍率界值（按权重分段）：医保局未发布病组界值时使用',
  key: 'publisher_code, weight_above',
  columns: [
    { name: 'publisher_code', type: 'text', required: true, description: '医保局编码；* 为默认' },
    { name: 'weight_above', type: 'numeric', required: true, description: '权重下限（不含）' },
    { name: 'weight_up_to', type: 'numeric', required: false, description: '权重上限（含）；空为无上限' },
    { name: 'low_outlier_ratio', type: 'numeric', required: true, description: '低倍率界值（× 支付标准）' },
    { name: 'high_outlier_ratio', type: 'numeric', required: true, description: '高倍率界值（× 支付标准）' },
  ],
};
