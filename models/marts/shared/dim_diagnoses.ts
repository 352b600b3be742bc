import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_diagnoses',
  materialized: 'table',
  description:
    '诊断维表（ICD-10 医保版 2.0）：编码、名称、章节字母、亚目（前 3 位）与性别限定。默认为演示字典；' +
    '`hdw reference load-icd` 载入国家版全表后同一字典即为全表。',
  grain: 'One row per ICD-10 医保版 2.0 diagnosis code.',
  primaryKey: 'diagnosis_code',
  columns: {
    diagnosis_code: { description: '诊断编码' },
    diagnosis_name: { description: '诊断名称', tests: ['not_null'] },
    chapter_letter: { description: '编码首字母（章节）' },
    category_code: { description: '类目（编码前 3 位，如 J18）' },
    sex_restriction: {
      description: '仅限性别：1 男，2 女；空为不限',
      tests: [{ accepted_values: ['1', '2'] }],
    },
  },
  sql: ({ ref }) => sql`
    with diagnoses as (
      select * from ${ref('diagnoses')}
    )

    select
      diag_code as diagnosis_code,
      diag_name as diagnosis_name,
      left(diag_code, 1) as chapter_letter,
      left(diag_code, 3) as category_code,
      sex_restriction
    from diagnoses`,
});
