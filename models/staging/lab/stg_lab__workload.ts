import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_lab__workload',
  materialized: 'view',
  description:
    'LIS/PACS 检查检验工作量：开单科室 × 执行科室 × 检查检验类别 × 月，数量与收入（医技科室的分配动因）。',
  grain: 'One row per hospital, month, ordering department, executing department and exam type.',
  primaryKey: ['hospital_code', 'work_month', 'order_dept_code', 'exec_dept_code', 'exam_type_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    work_month: { description: '期间（月初日期）', tests: ['not_null'] },
    order_dept_code: { description: '开单科室（院内编码）' },
    exec_dept_code: { description: '执行科室（院内编码）' },
    exam_type_code: { description: '检查检验类别编码' },
    exam_type_name: { description: '检查检验类别名称' },
    exam_count: { description: '数量', tests: ['not_null'] },
    revenue: { description: '收入金额（元）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('lab', 'workload')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as work_month,
      order_dept_code,
      exec_dept_code,
      exam_type_code,
      exam_type_name,
      exam_count,
      revenue
    from source`,
});
