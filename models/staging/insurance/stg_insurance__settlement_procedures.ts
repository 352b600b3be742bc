import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__settlement_procedures',
  materialized: 'view',
  description:
    '医保结算清单手术操作（ICD-9-CM-3 医保版 2.0），主手术标志转为布尔值；序号为清单内的交付顺序。',
  grain: 'One row per procedure of a settlement (hospital, settlement id, sequence in the delivery).',
  primaryKey: ['hospital_code', 'settlement_id', 'procedure_seq'],
  columns: {
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID' },
    procedure_seq: { description: '手术操作序号（同一结算内按交付行序）' },
    procedure_code: {
      description: '手术操作代码（ICD-9-CM-3 医保版 2.0）',
      tests: ['not_null', { relationships: { to: 'procedures', field: 'oprn_code' } }],
    },
    procedure_name: { description: '手术操作名称' },
    is_principal: { description: '是否主手术操作' },
    procedure_date: { description: '手术操作日期' },
    anesthesia_type: { description: '麻醉方式' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'settlement_procedures')}
    )

    select
      hospital_code,
      setl_id as settlement_id,
      mdtrt_id as visit_id,
      row_number() over (partition by hospital_code, setl_id order by batch_id, source_line) as procedure_seq,
      oprn_oprt_code as procedure_code,
      oprn_oprt_name as procedure_name,
      coalesce(main_oprn_flag = '1', false) as is_principal,
      oprn_oprt_date as procedure_date,
      anst_way as anesthesia_type
    from source`,
});
