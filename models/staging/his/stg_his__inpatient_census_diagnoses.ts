import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__inpatient_census_diagnoses',
  materialized: 'view',
  description:
    'HIS 在院患者诊断：随在院清单交付的截至截止时点已下的诊断（ICD-10 医保版 2.0），主诊断标志转为布尔值。',
  grain:
    'One row per diagnosis of a stay in a census snapshot (hospital, snapshot date, visit id, sequence).',
  primaryKey: ['hospital_code', 'snapshot_date', 'visit_id', 'diagnosis_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    snapshot_date: { description: '快照日期（截止日期）', type: 'date' },
    visit_id: { description: '住院号' },
    diagnosis_seq: { description: '诊断序号' },
    diagnosis_code: {
      description: '诊断编码（ICD-10 医保版 2.0）',
      tests: ['not_null', { relationships: { to: 'diagnoses', field: 'diag_code' } }],
    },
    diagnosis_name: { description: '诊断名称' },
    is_principal: { description: '是否主诊断' },
    diagnosis_type: { description: '诊断类别（如 入院诊断、补充诊断）' },
    recorded_at: { description: '诊断时间' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'inpatient_census_diagnoses')}
    ),

    renamed as (
      select
        hospital_code,
        snapshot_date,
        visit_id,
        diag_seq as diagnosis_seq,
        diag_code as diagnosis_code,
        diag_name as diagnosis_name,
        coalesce(main_flag = '1', false) as is_principal,
        diag_type as diagnosis_type,
        recorded_time as recorded_at
      from source
    )

    select * from renamed`,
});
