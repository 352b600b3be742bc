import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_departments',
  materialized: 'table',
  description:
    '科室维表：每家医院的院内科室映射到联盟标准科室及其成本核算单元类别（临床服务类/医疗技术类/医疗辅助类/行政后勤类）。' +
    '核算单元类别取自标准科室字典（seeds/reference/standard_departments.csv，财务可改），院内 HIS 的类别并列保留。',
  grain: 'One row per hospital and local department code.',
  primaryKey: ['hospital_code', 'dept_code'],
  columns: {
    hospital_code: {
      description: '医院编码',
      tests: [{ relationships: { to: 'hospitals', field: 'hospital_code' } }],
    },
    dept_code: { description: '院内科室编码' },
    dept_name: { description: '院内科室名称' },
    std_dept_code: {
      description: '标准科室编码',
      tests: ['not_null', { relationships: { to: 'standard_departments', field: 'std_dept_code' } }],
    },
    std_dept_name: { description: '标准科室名称' },
    cost_unit_class: {
      description: '成本核算单元类别（标准科室字典）',
      tests: [{ accepted_values: ['临床服务类', '医疗技术类', '医疗辅助类', '行政后勤类'] }],
    },
    local_dept_class: { description: '院内 HIS 填报的科室类别' },
  },
  sql: ({ ref }) => sql`
    with departments as (
      select * from ${ref('stg_his__departments')}
    ),

    standard as (
      select * from ${ref('standard_departments')}
    )

    select
      d.hospital_code,
      d.dept_code,
      d.dept_name,
      d.std_dept_code,
      s.std_dept_name,
      s.dept_class as cost_unit_class,
      d.dept_class as local_dept_class
    from departments d
    left join standard s on s.std_dept_code = d.std_dept_code`,
});
