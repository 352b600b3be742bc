import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__settlement_diagnoses',
  materialized: 'view',
  description: '医保结算清单诊断（ICD-10 医保版 2.0），主诊断标志转为布尔值。',
  grain: 'One row per diagnosis of a settlement (hospital, settlement id, diagnosis type, code).',
  primaryKey: ['hospital_code', 'settlement_id', 'diagnosis_type', 'diagnosis_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID' },
    diagnosis_type: { description: '诊断类别：1 西医，2 中医' },
    diagnosis_code: {
      description: '诊断代码（ICD-10 医保版 2.0）',
      tests: [{ relationships: { to: 'diagnoses', field: 'diag_code' } }],
    },
    diagnosis_name: { description: '诊断名称' },
    is_principal: { description: '是否主诊断' },
    admission_condition: { description: '入院病情类型' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'settlement_diagnoses')}
    )

    select
      hospital_code,
      setl_id as settlement_id,
      mdtrt_id as visit_id,
      coalesce(diag_type, '1') as diagnosis_type,
      diag_code as diagnosis_code,
      diag_name as diagnosis_name,
      coalesce(maindiag_flag = '1', false) as is_principal,
      adm_cond_type as admission_condition
    from source`,
});
