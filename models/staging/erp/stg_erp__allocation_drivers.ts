import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__allocation_drivers',
  materialized: 'view',
  description:
    '成本分摊动因：服务科室（供应室、洗衣、膳食、收费处、检验、影像…）为各受益科室提供的工作量，按动因与月。',
  grain: 'One row per hospital, month, driver, service department and receiving department.',
  primaryKey: ['hospital_code', 'driver_month', 'driver_code', 'service_dept_code', 'dept_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    driver_month: { description: '期间（月初日期）', tests: ['not_null'] },
    driver_code: { description: '动因编码' },
    driver_name: { description: '动因名称' },
    service_dept_code: { description: '服务科室（院内编码）' },
    dept_code: { description: '受益科室（院内编码）' },
    quantity: { description: '数量', tests: ['not_null'] },
    unit: { description: '单位' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'allocation_drivers')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as driver_month,
      driver_code,
      driver_name,
      service_dept_code,
      dept_code,
      quantity,
      unit
    from source`,
});
