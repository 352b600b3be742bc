import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_emr__drg_groupings',
  materialized: 'view',
  description: '院内 DRG 预分组结果：每次出院（含自费病例）的 DRG 病组与权重，及分组器版本。',
  grain: 'One row per discharged stay (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '住院号' },
    medical_record_no: { description: '病案号', pii: true },
    insurance_type: { description: '险种：310 职工，390 居民，999 自费' },
    drg_code: { description: 'DRG 编码（院内预分组，空为未入组）' },
    drg_name: { description: 'DRG 名称' },
    drg_weight: {
      description: 'DRG 权重 RW',
      tests: [{ expression: 'drg_weight is null or drg_weight >= 0' }],
    },
    grouper_version: { description: '分组器版本' },
    batch_id: { description: '入库批次（ops.batches；其交付期间即出院月份）', type: 'bigint' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('emr', 'drg_groupings')}
    )

    select
      hospital_code,
      visit_id,
      medcasno as medical_record_no,
      insurance_type,
      drg_code,
      drg_name,
      drg_rw as drg_weight,
      grouper_version,
      batch_id
    from source`,
});
