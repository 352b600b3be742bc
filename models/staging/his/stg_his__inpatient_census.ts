import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { hashedIdentifier } from '../../../core/engine/pii.ts';

export default defineModel({
  name: 'stg_his__inpatient_census',
  materialized: 'view',
  description:
    'HIS 在院患者清单：每个快照（截止日期）一份，列出截止时点在院的住院患者；医院的在院病例取其最新快照（见 int_inpatient_stays__open）。',
  grain: 'One row per stay listed in a census snapshot (hospital, snapshot date, visit id).',
  primaryKey: ['hospital_code', 'snapshot_date', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    snapshot_date: { description: '快照日期（截止日期）', type: 'date', tests: ['not_null'] },
    snapshot_at: { description: '截止时间' },
    visit_id: { description: '住院号', tests: ['not_null'] },
    patient_id: { description: '患者ID', pii: true },
    patient_key: { description: '患者键（医院编码与患者ID的加盐 SHA-256）' },
    gender: { description: '性别：1 男，2 女' },
    birth_date: { description: '出生日期', pii: true },
    admitted_at: { description: '入院时间', tests: ['not_null'] },
    admit_dept_code: { description: '入院科室（院内编码）' },
    current_dept_code: { description: '截止时点所在科室（院内编码）' },
    insurance_type: { description: '险种：310 职工，390 居民，999 自费' },
    batch_id: { description: '入库批次号', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'inpatient_census')}
    ),

    renamed as (
      select
        -- ids
        hospital_code,
        snapshot_date,
        visit_id,
        patient_id,
        ${hashedIdentifier('hospital_code', 'patient_id')} as patient_key,
        gender,
        birth_date,
        admit_dept_code,
        current_dept_code,
        insurance_type,
        -- dates
        snapshot_time as snapshot_at,
        admit_time as admitted_at,
        -- lineage
        batch_id
      from source
    )

    select * from renamed`,
});
