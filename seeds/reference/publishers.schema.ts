import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Publishers: who delivers data for the region without being a member hospital (a city or
 * county 医保局's regional DRG reference, DRG/DIP payment tables). Their deliveries arrive under
 * `<inbox>/<publisher_code>/<system>/`, and their batches carry the publisher code as hospital code.
 */
export const schema: SeedSchema = {
  description: '数据发布机构（非成员医院：医保局等）',
  key: 'publisher_code',
  columns: [
    {
      name: 'publisher_code',
      type: 'text',
      required: true,
      description: '发布机构编码：P + 6 位行政区划代码',
    },
    { name: 'publisher_name', type: 'text', required: true },
    { name: 'publisher_kind', type: 'text', required: true, description: '机构类别，如 医保局' },
    { name: 'region_code', type: 'text', required: true, description: '行政区划代码' },
  ],
};
