import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** The seven cost items of 公立医院成本核算规范, with how finance treats each in analysis. */
export const schema: SeedSchema = {
  description: '成本项目（七大类）：可控性与成本性态（固定/变动），本量利分析按此划分',
  key: 'cost_item_code',
  columns: [
    { name: 'cost_item_code', type: 'text', required: true, description: '成本项目编码 01–07' },
    { name: 'cost_item_name', type: 'text', required: true },
    { name: 'controllability', type: 'text', required: true, description: '可控/不可控（对科室而言）' },
    { name: 'cost_behaviour', type: 'text', required: true, description: '固定/变动（随业务量变动与否）' },
  ],
};
