import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_emr__front_page_diagnoses',
  materialized: 'view',
  description: 'EMR 病案首页诊断（ICD-10 医保版 2.0），主诊断标志转为布尔值。',
  grain: 'One row per diagnosis of a stay (hospital, visit id, diagnosis sequence).',
  primaryKey: ['hospital_code', 'visit_id', 'diagnosis_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    medical_record_no: { description: '病案号', pii: true },
    diagnosis_seq: { description: '诊断序号' },
    diagnosis_code: {
      description: '诊断编码（ICD-10 医保版 2.0）',
      tests: ['not_null', { relationships: { to: 'diagnoses', field: 'diag_code' } }],
    },
    diagnosis_name: { description: '诊断名称（首页填报）' },
    is_principal: { description: '是否主诊断' },
    admission_condition: { description: '入院病情：1 有，2 临床未确定，3 情况不明，4 无' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('emr', 'front_page_diagnoses')}
    ),

    renamed as (
      select
        hospital_code,
        visit_id,
        medcasno as medical_record_no,
        diag_seq as diagnosis_seq,
        diag_code as diagnosis_code,
        diag_name as diagnosis_name,
        coalesce(main_flag = '1', false) as is_principal,
        adm_cond as admission_condition
      from source
    )

    select * from renamed`,
});
