import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__outpatient_visits',
  materialized: 'view',
  description: 'HIS 门诊就诊：按就诊月份交付。',
  grain: 'One row per outpatient visit (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '门诊号' },
    patient_id: { description: '患者ID', pii: true },
    gender: { description: '性别：1 男，2 女' },
    birth_date: { description: '出生日期', pii: true },
    visited_at: { description: '就诊时间', tests: ['not_null'] },
    dept_code: { description: '就诊科室（院内编码）' },
    insurance_type: { description: '险种' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'outpatient_visits')}
    ),

    renamed as (
      select hospital_code, visit_id, patient_id, gender, birth_date, visit_time as visited_at, dept_code, insurance_type
      from source
    )

    select * from renamed`,
});
