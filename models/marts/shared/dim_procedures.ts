import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_procedures',
  materialized: 'table',
  description:
    '手术操作维表（ICD-9-CM-3 医保版 2.0）：编码、名称、类目（前 2 位）与手术级别。默认为演示字典；' +
    '`hdw reference load-icd` 载入国家版全表后同一字典即为全表（国家版无级别的编码级别为空）。',
  grain: 'One row per ICD-9-CM-3 医保版 2.0 procedure code.',
  primaryKey: 'procedure_code',
  columns: {
    procedure_code: { description: '手术操作编码' },
    procedure_name: { description: '手术操作名称', tests: ['not_null'] },
    category_code: { description: '类目（编码前 2 位，如 51）' },
    procedure_level: { description: '手术级别 1–4', tests: [{ accepted_values: [1, 2, 3, 4] }] },
  },
  sql: ({ ref }) => sql`
    with procedures as (
      select * from ${ref('procedures')}
    )

    select
      oprn_code as procedure_code,
      oprn_name as procedure_name,
      left(oprn_code, 2) as category_code,
      oprn_level as procedure_level
    from procedures`,
});
