import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__inpatient_census_procedures',
  materialized: 'view',
  description:
    'HIS 在院手术操作：随在院清单交付的截至截止时点已完成的手术操作（ICD-9-CM-3 医保版 2.0），主手术标志转为布尔值。',
  grain:
    'One row per procedure of a stay in a census snapshot (hospital, snapshot date, visit id, sequence).',
  primaryKey: ['hospital_code', 'snapshot_date', 'visit_id', 'procedure_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    snapshot_date: { description: '快照日期（截止日期）', type: 'date' },
    visit_id: { description: '住院号' },
    procedure_seq: { description: '手术操作序号' },
    procedure_code: {
      description: '手术操作编码（ICD-9-CM-3 医保版 2.0）',
      tests: ['not_null', { relationships: { to: 'procedures', field: 'oprn_code' } }],
    },
    procedure_name: { description: '手术操作名称' },
    is_principal: { description: '是否主手术' },
    performed_at: { description: '手术操作时间' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'inpatient_census_procedures')}
    ),

    renamed as (
      select
        hospital_code,
        snapshot_date,
        visit_id,
        oprn_seq as procedure_seq,
        oprn_code as procedure_code,
        oprn_name as procedure_name,
        coalesce(main_flag = '1', false) as is_principal,
        oprn_time as performed_at
      from source
    )

    select * from renamed`,
});
