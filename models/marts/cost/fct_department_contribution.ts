import { sql } from 'kysely';
import type { ColumnDefinition } from '../../../core/engine/model-definition.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { exampleActivity, exampleFullCosts } from './_hand_worked_example.ts';

const money = (title: string, description: string, notNull = true): ColumnDefinition => ({
  title,
  description,
  type: 'numeric(18, 2)',
  format: 'currency',
  ...(notNull ? { tests: ['not_null' as const] } : {}),
});

export default defineModel({
  name: 'fct_department_contribution',
  materialized: 'table',
  description:
    '科室本量利分析（边际贡献与保本点）：医院 × 月 × 临床服务类科室。收入为本科室开单的医疗收入（HIS 入库收费明细，按收费月）；' +
    '成本为三级分摊后的科室全成本，按成本项目种子（seeds/cost/cost_items.csv）的成本性态分为变动成本与固定成本。' +
    '边际贡献 = 收入 − 变动成本；直接贡献 = 收入 − 科室直接成本；全成本结余 = 收入 − 全成本；' +
    '保本收入 = 固定成本 / 边际贡献率（边际贡献率不为正时为空）；' +
    '保本服务量 = 固定成本 / 单位服务量边际贡献，服务量 = 门急诊人次 + 实际占用床日（不加权），单位边际贡献不为正或无服务量时为空。',
  grain: 'One row per hospital, month and clinical department.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code'],
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
    dept_code: { title: '科室编码', description: '院内科室编码（临床服务类）。', tests: ['not_null'] },
    dept_name: { title: '科室名称', description: '院内科室名称。' },
    std_dept_code: { title: '标准科室编码', description: '联盟标准科室编码。', tests: ['not_null'] },
    std_dept_name: { title: '标准科室名称', description: '联盟标准科室名称。' },
    revenue: money('医疗收入', '本科室开单的医疗收入（元）。'),
    direct_cost: money('直接成本', '科室直接成本（元）。'),
    full_cost: money('全成本', '三级分摊后的科室全成本（元）。'),
    variable_cost: money('变动成本', '全成本中成本性态为“变动”的成本项目之和（元）。'),
    fixed_cost: money('固定成本', '全成本 − 变动成本（元）。'),
    contribution_margin: money('边际贡献', '收入 − 变动成本（元）。'),
    contribution_margin_ratio: {
      title: '边际贡献率',
      description: '边际贡献 / 收入；无收入为空。',
      type: 'numeric(12, 6)',
      format: 'percent',
    },
    direct_contribution: money('直接贡献', '收入 − 科室直接成本（元）。'),
    full_cost_result: money('全成本结余', '收入 − 全成本（元），负数为亏损。'),
    service_volume: {
      title: '服务量',
      description: '门急诊人次 + 实际占用床日。',
      type: 'bigint',
      tests: ['not_null'],
    },
    break_even_revenue: money('保本收入', '固定成本 / 边际贡献率（元）；边际贡献率不为正时为空。', false),
    break_even_volume: {
      title: '保本服务量',
      description: '固定成本 /（边际贡献 / 服务量）；单位边际贡献不为正或无服务量时为空。',
      type: 'numeric(18, 2)',
    },
  },
  unitTests: [
    {
      // The hand-worked example's clinical units with revenue MED 600.00, SUR 300.00; item 02
      // (卫生材料费) is variable, 01 (人员经费) fixed.
      // MED: variable 71.12, fixed 435.44, 边际贡献 600 − 71.12 = 528.88 (ratio 0.881467),
      //   direct contribution 600 − 340 = 260, full-cost result 600 − 506.56 = 93.44,
      //   保本收入 435.44 × 600 / 528.88 = 493.99, volume 10 + 20 = 30, 保本服务量
      //   435.44 × 30 / 528.88 = 24.70.
      // SUR: variable 78.88, fixed 294.56, 边际贡献 221.12 (0.737067), direct contribution 40,
      //   result −73.44, 保本收入 294.56 × 300 / 221.12 = 399.64, volume 40, 保本服务量 53.29.
      name: 'contribution margin and break-even',
      given: {
        fct_department_full_costs: exampleFullCosts,
        int_department_activity: exampleActivity,
      },
      expect: [
        ['MED', 600, 71.12, 435.44, 528.88, 0.881467, 260, 93.44, 30, 493.99, 24.7],
        ['SUR', 300, 78.88, 294.56, 221.12, 0.737067, 40, -73.44, 40, 399.64, 53.29],
      ].map(
        ([dept, revenue, variable, fixed, margin, ratio, direct, result, volume, beRevenue, beVolume]) => ({
          dept_code: dept!,
          revenue: revenue!,
          variable_cost: variable!,
          fixed_cost: fixed!,
          contribution_margin: margin!,
          contribution_margin_ratio: ratio!,
          direct_contribution: direct!,
          full_cost_result: result!,
          service_volume: volume!,
          break_even_revenue: beRevenue!,
          break_even_volume: beVolume!,
        }),
      ),
    },
  ],
  sql: ({ ref }) => sql`
    with costs as (
      select
        hospital_code,
        cost_month,
        dept_code,
        dept_name,
        std_dept_code,
        std_dept_name,
        sum(direct_cost) as direct_cost,
        sum(full_cost) as full_cost,
        coalesce(sum(full_cost) filter (where cost_behaviour = '变动'), 0) as variable_cost
      from ${ref('fct_department_full_costs')}
      where cost_unit_class = '临床服务类'
      group by 1, 2, 3, 4, 5, 6
    ),

    activity as (
      select * from ${ref('int_department_activity')}
    ),

    measured as (
      select
        c.*,
        coalesce(a.ordered_revenue, 0) as revenue,
        c.full_cost - c.variable_cost as fixed_cost,
        coalesce(a.ordered_revenue, 0) - c.variable_cost as contribution_margin,
        coalesce(a.outpatient_visits, 0) + coalesce(a.occupied_bed_days, 0) as service_volume
      from costs c
      left join activity a
        on a.hospital_code = c.hospital_code and a.activity_month = c.cost_month and a.dept_code = c.dept_code
    ),

    final as (
      select
        hospital_code,
        cost_month,
        dept_code,
        dept_name,
        std_dept_code,
        std_dept_name,
        revenue::numeric(18, 2) as revenue,
        direct_cost::numeric(18, 2) as direct_cost,
        full_cost::numeric(18, 2) as full_cost,
        variable_cost::numeric(18, 2) as variable_cost,
        fixed_cost::numeric(18, 2) as fixed_cost,
        contribution_margin::numeric(18, 2) as contribution_margin,
        round(contribution_margin / nullif(revenue, 0), 6)::numeric(12, 6) as contribution_margin_ratio,
        (revenue - direct_cost)::numeric(18, 2) as direct_contribution,
        (revenue - full_cost)::numeric(18, 2) as full_cost_result,
        service_volume::bigint as service_volume,
        case when contribution_margin > 0 and revenue > 0
          then round(fixed_cost * revenue / contribution_margin, 2) end::numeric(18, 2) as break_even_revenue,
        case when contribution_margin > 0 and service_volume > 0
          then round(fixed_cost * service_volume / contribution_margin, 2) end::numeric(18, 2) as break_even_volume
      from measured
    )

    select * from final`,
});
