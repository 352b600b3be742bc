import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** The alliance's unified department list: every hospital's local department code maps to one of these. */
export const schema: SeedSchema = {
  description: '医联体标准科室字典',
  key: 'std_dept_code',
  columns: [
    { name: 'std_dept_code', type: 'text', required: true },
    { name: 'std_dept_name', type: 'text', required: true },
    {
      name: 'dept_class',
      type: 'text',
      required: true,
      description: '核算单元类别：临床服务类/医疗技术类/医疗辅助类/行政后勤类',
    },
  ],
};
