import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__inpatient_visits',
  materialized: 'view',
  description: 'HIS 住院就诊：按出院月份交付，含入出院时间与科室。',
  grain: 'One row per inpatient visit (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    patient_id: { description: '患者ID', pii: true },
    gender: { description: '性别：1 男，2 女' },
    birth_date: { description: '出生日期', pii: true },
    admitted_at: { description: '入院时间', tests: ['not_null'] },
    discharged_at: { description: '出院时间', tests: ['not_null'] },
    admit_dept_code: { description: '入院科室（院内编码）' },
    discharge_dept_code: { description: '出院科室（院内编码）' },
    discharge_way: { description: '离院方式' },
    insurance_type: { description: '险种：310 职工，390 居民，999 自费' },
    length_of_stay_days: { description: '住院天数：出院日期 − 入院日期（同日出入院计 1 天）' },
    total_amount: { description: '总费用（元）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'inpatient_visits')}
    ),

    renamed as (
      select
        -- ids
        hospital_code,
        visit_id,
        patient_id,
        gender,
        birth_date,
        admit_dept_code,
        discharge_dept_code,
        discharge_way,
        insurance_type,
        -- dates
        admit_time as admitted_at,
        discharge_time as discharged_at,
        greatest(discharge_time::date - admit_time::date, 1) as length_of_stay_days,
        -- amounts
        total_amount
      from source
    )

    select * from renamed`,
});
