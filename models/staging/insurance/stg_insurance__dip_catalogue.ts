import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__dip_catalogue',
  materialized: 'view',
  description: '医保局发布的 DIP 病种目录：病种按主要诊断与手术操作组合，及其分值（按年）。',
  grain:
    'One row per publisher, year, DIP 病种 and the diagnosis code it covers (the demo scores each diagnosis code of a 病种).',
  primaryKey: ['publisher_code', 'year', 'dip_code', 'diagnosis_code'],
  columns: {
    publisher_code: { description: '发布方编码' },
    year: { description: '年度' },
    dip_code: { description: 'DIP 病种编码' },
    dip_name: { description: 'DIP 病种名称' },
    diagnosis_code: { description: '主要诊断编码（ICD-10 医保版 2.0）' },
    procedure_code: { description: '手术操作编码（ICD-9-CM-3 医保版 2.0，保守治疗为空）' },
    score: { description: '分值', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'dip_catalogue')}
    )

    select
      hospital_code as publisher_code,
      year,
      dip_code,
      dip_name,
      diag_code as diagnosis_code,
      oprn_code as procedure_code,
      score
    from source`,
});
