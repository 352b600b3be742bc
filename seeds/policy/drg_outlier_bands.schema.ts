import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * 高/低倍率 thresholds banded by RW, for groups whose payment table publishes none: a group with
 * rw_above < RW ≤ rw_up_to (no upper bound when blank) takes the band's ratios; a publisher's own
 * band (its code) comes before the default one (`*`).
 */
export const schema: SeedSchema = {
  description: 'DRG 高低倍率界值（按 RW 分段；病组表未发布界值时适用，发布方编码 * 为默认）',
  key: 'band_code',
  columns: [
    { name: 'band_code', type: 'text', required: true, description: '分段编码' },
    {
      name: 'publisher_code',
      type: 'text',
      required: true,
      description: '发布方编码（P + 行政区划）或 * 表示默认',
    },
    { name: 'rw_above', type: 'numeric', required: true, description: 'RW 下限（不含）' },
    { name: 'rw_up_to', type: 'numeric', description: 'RW 上限（含）；空为无上限' },
    {
      name: 'low_outlier_ratio',
      type: 'numeric',
      required: true,
      description: '低倍率界值（费用 / 支付标准低于该倍数）',
    },
    {
      name: 'high_outlier_ratio',
      type: 'numeric',
      required: true,
      description: '高倍率界值（费用 / 支付标准高于该倍数）',
    },
  ],
};
