import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_emr__front_page_procedures',
  materialized: 'view',
  description: 'EMR 病案首页手术操作（ICD-9-CM-3 医保版 2.0），主手术标志转为布尔值，手术级别转为整数。',
  grain: 'One row per procedure of a stay (hospital, visit id, procedure sequence).',
  primaryKey: ['hospital_code', 'visit_id', 'procedure_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    medical_record_no: { description: '病案号', pii: true },
    procedure_seq: { description: '手术操作序号' },
    procedure_code: {
      description: '手术操作编码（ICD-9-CM-3 医保版 2.0）',
      tests: ['not_null', { relationships: { to: 'procedures', field: 'oprn_code' } }],
    },
    procedure_name: { description: '手术操作名称（首页填报）' },
    is_principal: { description: '是否主手术' },
    procedure_date: { description: '手术操作日期' },
    procedure_level: { description: '手术级别 1–4', tests: [{ accepted_values: [1, 2, 3, 4] }] },
    anesthesia_type: { description: '麻醉方式' },
    incision_class: { description: '切口愈合等级' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('emr', 'front_page_procedures')}
    ),

    renamed as (
      select
        hospital_code,
        visit_id,
        medcasno as medical_record_no,
        oprn_seq as procedure_seq,
        oprn_code as procedure_code,
        oprn_name as procedure_name,
        coalesce(main_flag = '1', false) as is_principal,
        oprn_date as procedure_date,
        case when oprn_level ~ '^[1-4]$' then oprn_level::integer end as procedure_level,
        anesthesia_type,
        incision_class
      from source
    )

    select * from renamed`,
});
