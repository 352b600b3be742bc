import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__floor_area',
  materialized: 'view',
  description: 'ERP/HRP 科室面积（平方米）与开放床位，按楼宇（分配动因）。',
  grain: 'One row per hospital, local department and building.',
  primaryKey: ['hospital_code', 'dept_code', 'building'],
  columns: {
    hospital_code: { description: '医院编码' },
    dept_code: { description: '科室编码（院内）' },
    dept_name: { description: '科室名称' },
    building: { description: '楼宇（未填为空串）' },
    floor_area_m2: { description: '面积（平方米）', tests: ['not_null'] },
    open_beds: { description: '开放床位数' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'floor_area')}
    )

    select
      hospital_code,
      dept_code,
      dept_name,
      coalesce(building, '') as building,
      floor_area_m2,
      coalesce(open_beds, 0) as open_beds
    from source`,
});
