import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_cost_units',
  materialized: 'table',
  description:
    '成本核算单元：每家医院的每个院内科室及其核算单元类别（临床服务类/医疗技术类/医疗辅助类/行政后勤类，取自标准科室字典）、' +
    '标准科室、三级分摊级次（seeds/cost/cost_unit_classes.csv），以及门诊/住院成本的划分方式：' +
    'ERP 交付了按月划分比例的科室为“门诊与住院”（按当月比例划分）；未交付比例的科室有开放床位者计入住院，否则计入门诊。',
  grain: 'One row per hospital and local department (cost unit).',
  primaryKey: ['hospital_code', 'dept_code'],
  columns: {
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    dept_code: { title: '科室编码', description: '院内科室编码（核算单元）。', tests: ['not_null'] },
    dept_name: { title: '科室名称', description: '院内科室名称。' },
    std_dept_code: { title: '标准科室编码', description: '联盟标准科室编码。', tests: ['not_null'] },
    std_dept_name: { title: '标准科室名称', description: '联盟标准科室名称。' },
    cost_unit_class: {
      title: '核算单元类别',
      description: '临床服务类、医疗技术类、医疗辅助类或行政后勤类。',
      tests: ['not_null', { relationships: { to: 'cost_unit_classes', field: 'cost_unit_class' } }],
    },
    class_sort_order: {
      title: '类别排序',
      description: '报表中类别的顺序（临床服务类在前）。',
      type: 'integer',
    },
    allocation_level: {
      title: '分摊级次',
      description:
        '本单元作为分摊方的级次：1 行政后勤类、2 医疗辅助类、3 医疗技术类；临床服务类为空（最终承担）。',
      type: 'integer',
    },
    open_beds: { title: '开放床位', description: 'ERP 面积表登记的开放床位数。', type: 'integer' },
    floor_area_m2: { title: '房屋面积', description: 'ERP 面积表登记的面积合计（平方米）。' },
    service_scope: {
      title: '服务范围',
      description:
        '门诊与住院（按 ERP 月度划分比例）、住院（有床位、无划分比例）或门诊（无床位、无划分比例）。',
      tests: [{ accepted_values: ['门诊与住院', '住院', '门诊'] }],
    },
    default_outpatient_share: {
      title: '默认门诊占比',
      description: '当月无 ERP 划分比例时门诊成本占比：住院科室 0，门诊科室 1，共用科室取其各月比例的平均。',
      type: 'numeric(9, 6)',
    },
  },
  sql: ({ ref }) => sql`
    with departments as (
      select * from ${ref('dim_departments')}
    ),

    classes as (
      select * from ${ref('cost_unit_classes')}
    ),

    floor_area as (
      select hospital_code, dept_code, sum(floor_area_m2) as floor_area_m2, sum(open_beds)::integer as open_beds
      from ${ref('stg_erp__floor_area')}
      group by 1, 2
    ),

    split as (
      select hospital_code, dept_code, avg(outpatient_share) as outpatient_share
      from ${ref('stg_erp__service_split')}
      group by 1, 2
    ),

    final as (
      select
        d.hospital_code,
        d.dept_code,
        d.dept_name,
        d.std_dept_code,
        d.std_dept_name,
        d.cost_unit_class,
        c.sort_order as class_sort_order,
        c.allocation_level,
        coalesce(a.open_beds, 0) as open_beds,
        coalesce(a.floor_area_m2, 0) as floor_area_m2,
        case
          when s.dept_code is not null then '门诊与住院'
          when coalesce(a.open_beds, 0) > 0 then '住院'
          else '门诊'
        end as service_scope,
        round(
          case
            when s.dept_code is not null then s.outpatient_share
            when coalesce(a.open_beds, 0) > 0 then 0
            else 1
          end,
          6
        )::numeric(9, 6) as default_outpatient_share
      from departments d
      left join classes c on c.cost_unit_class = d.cost_unit_class
      left join floor_area a on a.hospital_code = d.hospital_code and a.dept_code = d.dept_code
      left join split s on s.hospital_code = d.hospital_code and s.dept_code = d.dept_code
    )

    select * from final`,
});
