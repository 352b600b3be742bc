import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { hashedIdentifier } from '../../../core/engine/pii.ts';

export default defineModel({
  name: 'stg_emr__front_pages',
  materialized: 'view',
  description:
    'EMR 病案首页：每次住院一行，入出院时间与科室、离院方式、住院总费用及费用分组、主治医师与重症监护/呼吸机时长。患者标识仅以 patient_key、主治医师仅以 attending_doctor_key（哈希）向后传递。',
  grain: 'One row per inpatient stay (hospital, visit id) as coded on the front page.',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    medical_record_no: { description: '病案号', pii: true },
    patient_id: { description: '患者ID', pii: true },
    patient_key: { description: '患者键：医院编码与患者ID的加盐 SHA-256（可进入集市）' },
    gender: { description: '性别：1 男，2 女', tests: [{ accepted_values: ['0', '1', '2', '9'] }] },
    birth_date: { description: '出生日期', pii: true },
    age_years: { description: '年龄（岁）' },
    payment_method: { description: '医疗付费方式' },
    admission_route: { description: '入院途径' },
    admitted_at: { description: '入院时间', tests: ['not_null'] },
    discharged_at: { description: '出院时间', tests: ['not_null'] },
    admit_dept_code: { description: '入院科别（院内编码）' },
    transfer_dept_code: { description: '转科科别（院内编码）' },
    discharge_dept_code: { description: '出院科别（院内编码）', tests: ['not_null'] },
    length_of_stay_days: { description: '实际住院天数（首页填报）' },
    discharge_way: { description: '离院方式：1 医嘱离院 … 5 死亡' },
    is_death: { description: '是否死亡（离院方式 5）' },
    total_fee: { description: '住院总费用（元）', tests: ['not_null'] },
    self_pay_fee: { description: '自付金额（元）' },
    drug_fee: { description: '药费：西药 + 中成药 + 中草药（元）' },
    material_fee: { description: '一次性医用材料费：检查 + 治疗 + 手术用（元）' },
    attending_doctor_code: { description: '主治医师代码', pii: true },
    attending_doctor_name: { description: '主治医师姓名', pii: true },
    attending_doctor_key: {
      description: '主治医师键：医院编码与主治医师代码的加盐 SHA-256（医疗组，可进入集市；姓名从不向后传递）',
    },
    icu_hours: { description: '重症监护时长（小时，首页按整小时填报）' },
    ventilation_hours: { description: '呼吸机使用时间（小时，首页按整小时填报）' },
    // lineage
    batch_id: { description: '入库批次号', tests: ['not_null'] },
    source_line: { description: '交付文件中的行号' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('emr', 'front_pages')}
    ),

    renamed as (
      select
        -- ids
        hospital_code,
        visit_id,
        medcasno as medical_record_no,
        patient_id,
        ${hashedIdentifier('hospital_code', 'patient_id')} as patient_key,
        gender,
        birth_date,
        age as age_years,
        payment_method,
        admission_route,
        admit_dept_code,
        transfer_dept_code,
        discharge_dept_code,
        discharge_way,
        discharge_way = '5' as is_death,
        -- dates
        admit_time as admitted_at,
        discharge_time as discharged_at,
        act_ipt_days as length_of_stay_days,
        -- amounts
        total_fee,
        self_pay_fee,
        coalesce(fee_western_drug, 0) + coalesce(fee_chinese_patent_drug, 0) + coalesce(fee_herbal, 0) as drug_fee,
        coalesce(fee_exam_material, 0) + coalesce(fee_treatment_material, 0) + coalesce(fee_surgery_material, 0)
          as material_fee,
        -- clinical
        attending_doctor_code,
        attending_doctor_name,
        ${hashedIdentifier('hospital_code', 'attending_doctor_code')} as attending_doctor_key,
        icu_hours,
        vent_hours as ventilation_hours,
        -- lineage
        batch_id,
        source_line
      from source
    )

    select * from renamed`,
});
