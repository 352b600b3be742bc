import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** The alliance's member hospitals: the registry every hospital code in a delivery must be in. */
export const schema: SeedSchema = {
  description: '医联体成员医院',
  key: 'hospital_code',
  columns: [
    { name: 'hospital_code', type: 'text', required: true, description: '定点医药机构编码 (fixmedins_code)' },
    { name: 'hospital_name', type: 'text', required: true },
    { name: 'hospital_level', type: 'text', required: true, description: '医院等级：3 三级，2 二级，1 一级' },
    { name: 'level_name', type: 'text', required: true },
    { name: 'region_code', type: 'text', required: true, description: '行政区划代码' },
    { name: 'alliance_id', type: 'text', required: true, description: '医联体编号' },
  ],
};
