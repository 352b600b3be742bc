import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/** The allocation drivers (分摊参数) the step-down may use, and where each one's quantities come from. */
export const schema: SeedSchema = {
  description: '成本分摊动因目录',
  key: 'driver_code',
  columns: [
    { name: 'driver_code', type: 'text', required: true },
    { name: 'driver_name', type: 'text', required: true },
    {
      name: 'basis',
      type: 'text',
      required: true,
      description:
        '数据来源：headcount 职工人数（ERP 人员）、floor_area 房屋面积、erp_driver ERP 分摊动因表、' +
        'lab_workload 检查检验工作量（执行科室为分摊方）、ordered_revenue 收费明细开单收入（执行科室为分摊方）',
    },
    {
      name: 'source_codes',
      type: 'text',
      description: 'basis 为 erp_driver 时 ERP 动因编码，多个用 | 分隔，数量相加',
    },
    {
      name: 'from_sender',
      type: 'boolean',
      required: true,
      description: '是否只取分摊方本科室提供的数量（ERP 动因的服务科室、工作量/收费的执行科室）',
    },
    { name: 'unit', type: 'text' },
  ],
};
