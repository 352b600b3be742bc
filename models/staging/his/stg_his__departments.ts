import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_his__departments',
  materialized: 'view',
  description: 'HIS 科室字典：院内科室编码及其映射的标准科室。',
  grain: 'One row per hospital and local department code.',
  primaryKey: ['hospital_code', 'dept_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    dept_code: { description: '院内科室编码' },
    dept_name: { description: '院内科室名称' },
    dept_class: { description: '核算单元类别' },
    std_dept_code: { description: '标准科室编码', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('his', 'departments')}
    ),

    renamed as (
      select hospital_code, dept_code, dept_name, dept_class, std_dept_code
      from source
    )

    select * from renamed`,
});
