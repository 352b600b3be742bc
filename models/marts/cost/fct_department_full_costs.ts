import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const money = (title: string, description: string) => ({
  title,
  description,
  type: 'numeric(18, 2)',
  format: 'currency' as const,
  tests: ['not_null' as const],
});

export default defineModel({
  name: 'fct_department_full_costs',
  materialized: 'table',
  description:
    '科室全成本表（临床服务类科室全成本表及其余三类单元的分摊去向）：医院 × 月 × 科室 × 成本项目的直接成本、' +
    '一级/二级/三级分摊转入、本单元分出、全成本（= 直接成本 + 各级转入 − 分出），以及按门诊/住院划分的全成本。' +
    '（合同版本：分摊尚未接入，转入与分出暂为零。）',
  grain: 'One row per hospital, month, local department (cost unit of any class) and cost item.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code', 'cost_item_code'],
  columns: {
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    cost_month: {
      title: '成本月份',
      description: '会计期间（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    dept_code: { title: '科室编码', description: '院内科室编码（核算单元）。', tests: ['not_null'] },
    std_dept_code: { title: '标准科室编码', description: '联盟标准科室编码。', tests: ['not_null'] },
    cost_unit_class: {
      title: '核算单元类别',
      description: '临床服务类、医疗技术类、医疗辅助类或行政后勤类。',
      tests: [{ accepted_values: ['临床服务类', '医疗技术类', '医疗辅助类', '行政后勤类'] }],
    },
    cost_item_code: { title: '成本项目编码', description: '成本项目编码 01–07。', tests: ['not_null'] },
    direct_cost: money('直接成本', '本单元账面直接成本（元）。'),
    received_level1: money('一级分摊转入', '从行政后勤类科室分摊转入（元）。'),
    received_level2: money('二级分摊转入', '从医疗辅助类科室分摊转入（元）。'),
    received_level3: money('三级分摊转入', '从医疗技术类科室分摊转入（元）。'),
    allocated_out: money('分出成本', '本单元分摊给其他单元的成本（直接成本与已转入之和，元）。'),
    full_cost: money('全成本', '直接成本 + 各级转入 − 分出（元）；临床服务类科室即其全成本。'),
    outpatient_full_cost: money('门诊全成本', '全成本按当月门诊占比划分的部分（元，四舍五入到分）。'),
    inpatient_full_cost: money('住院全成本', '全成本减门诊全成本（元），两者之和等于全成本。'),
  },
  sql: ({ ref }) => sql`
    with direct as (
      select hospital_code, cost_month, dept_code, std_dept_code, cost_unit_class, cost_item_code,
        sum(direct_cost) as direct_cost
      from ${ref('fct_department_direct_costs')}
      group by 1, 2, 3, 4, 5, 6
    ),

    final as (
      select
        hospital_code,
        cost_month,
        dept_code,
        std_dept_code,
        cost_unit_class,
        cost_item_code,
        direct_cost::numeric(18, 2) as direct_cost,
        0::numeric(18, 2) as received_level1,
        0::numeric(18, 2) as received_level2,
        0::numeric(18, 2) as received_level3,
        0::numeric(18, 2) as allocated_out,
        direct_cost::numeric(18, 2) as full_cost,
        0::numeric(18, 2) as outpatient_full_cost,
        direct_cost::numeric(18, 2) as inpatient_full_cost
      from direct
    )

    select * from final`,
});
