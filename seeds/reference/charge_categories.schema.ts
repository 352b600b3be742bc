import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** 医保收费项目类别 (the national charge categories of the settlement list), with the flags the ratios need. */
export const schema: SeedSchema = {
  description: '医保收费项目类别，含药品、中药饮片、卫生材料标识',
  key: 'category_code',
  columns: [
    { name: 'category_code', type: 'text', required: true },
    { name: 'category_name', type: 'text', required: true },
    {
      name: 'is_drug',
      type: 'boolean',
      required: true,
      description: '药品（西药、中药饮片、中成药）：药占比的分子',
    },
    {
      name: 'is_herbal_pieces',
      type: 'boolean',
      required: true,
      description: '中药饮片：部分地区药占比不计',
    },
    { name: 'is_material', type: 'boolean', required: true, description: '卫生材料：耗占比的分子' },
    { name: 'is_medical_service', type: 'boolean', required: true, description: '医疗服务收入' },
  ],
};
