import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__headcount',
  materialized: 'view',
  description: 'ERP/HRP 科室人员数（按月，分配动因）：医生、护士、医技、行政后勤与合计。',
  grain: 'One row per hospital, month and local department.',
  primaryKey: ['hospital_code', 'staff_month', 'dept_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    staff_month: { description: '期间（月初日期）', tests: ['not_null'] },
    dept_code: { description: '科室编码（院内）' },
    dept_name: { description: '科室名称' },
    doctors: { description: '医生人数' },
    nurses: { description: '护士人数' },
    technicians: { description: '医技人数' },
    admin_staff: { description: '行政后勤人数' },
    total_staff: {
      description: '合计人数（未交付时为各类之和）',
      tests: [{ expression: 'total_staff >= 0' }],
    },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'headcount')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as staff_month,
      dept_code,
      dept_name,
      doctors,
      nurses,
      technicians,
      admin_staff,
      coalesce(
        total_staff,
        coalesce(doctors, 0) + coalesce(nurses, 0) + coalesce(technicians, 0) + coalesce(admin_staff, 0)
      ) as total_staff
    from source`,
});
