import { sql } from 'kysely';
import type { ColumnDefinition } from '../../../core/engine/model-definition.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { exampleActivity, exampleFullCosts } from './_hand_worked_example.ts';

/** The seven cost items as columns of the 诊次/床日成本构成表 (the standard fixes their codes). */
const ITEMS = [
  ['01', 'personnel', '人员经费'],
  ['02', 'material', '卫生材料费'],
  ['03', 'drug', '药品费'],
  ['04', 'depreciation', '固定资产折旧费'],
  ['05', 'amortisation', '无形资产摊销费'],
  ['06', 'risk_fund', '提取医疗风险基金'],
  ['07', 'other', '其他运行费用'],
] as const;

const SIDES = [
  ['outpatient', '门诊'],
  ['inpatient', '住院'],
] as const;

const money = (title: string, description: string): ColumnDefinition => ({
  title,
  description,
  type: 'numeric(18, 2)',
  format: 'currency',
  tests: ['not_null'],
});

const itemColumns = Object.fromEntries(
  SIDES.flatMap(([side, sideName]) =>
    ITEMS.map(([code, key, name]) => [
      `${side}_${key}_cost`,
      money(`${sideName}${name}`, `${sideName}全成本中成本项目 ${code} ${name}（元）。`),
    ]),
  ),
);

const itemSql = sql.join(
  SIDES.flatMap(([side]) =>
    ITEMS.map(
      ([code, key]) =>
        sql`coalesce(sum(${sql.ref(`${side}_full_cost`)}) filter (where cost_item_code = ${sql.lit(code)}), 0)::numeric(18, 2) as ${sql.ref(`${side}_${key}_cost`)}`,
    ),
  ),
);

export default defineModel({
  name: 'fct_unit_costs',
  materialized: 'table',
  description:
    '诊次成本与床日成本（诊次/床日成本构成表）：医院 × 月 × 临床服务类科室的门诊全成本、住院全成本（三级分摊后，按 ERP 门诊/住院划分比例）、' +
    '门急诊人次、实际占用床日，以及 诊次成本 = 门诊全成本 / 门急诊人次、床日成本 = 住院全成本 / 实际占用床日（元，保留两位）。' +
    '床日默认取实际占用床日（住院期间与当月相交的天数）；另一口径“出院者占用总床日”（按出院月）列为 discharged_bed_days 与 ' +
    'cost_per_discharged_bed_day。全院的诊次/床日成本为各科室成本之和除以人次/床日之和（Cube 的 unit_cost_analysis 按此聚合），' +
    '构成表的各项目列之和等于门诊/住院全成本。',
  grain: 'One row per hospital, month and clinical department.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code'],
  columns: {
    unit_cost_id: {
      title: '单位成本编号',
      description: '医院|科室|月份 组成的行标识。',
      tests: ['unique', 'not_null'],
    },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院名称。' },
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
    outpatient_visits: {
      title: '门急诊人次',
      description: '当月门急诊人次。',
      type: 'bigint',
      tests: ['not_null'],
    },
    occupied_bed_days: {
      title: '实际占用床日',
      description: '当月实际占用床日。',
      type: 'bigint',
      tests: ['not_null'],
    },
    discharged_bed_days: {
      title: '出院者占用总床日',
      description: '当月出院者的住院天数之和（另一口径）。',
      type: 'bigint',
      tests: ['not_null'],
    },
    full_cost: money('科室全成本', '门诊全成本 + 住院全成本（元）。'),
    outpatient_full_cost: money('门诊全成本', '按门诊占比划分的科室全成本（元）。'),
    inpatient_full_cost: money('住院全成本', '按住院占比划分的科室全成本（元）。'),
    cost_per_visit: {
      title: '诊次成本',
      description: '门诊全成本 / 门急诊人次（元）；无人次为空。',
      type: 'numeric(18, 2)',
      format: 'currency',
    },
    cost_per_bed_day: {
      title: '床日成本',
      description: '住院全成本 / 实际占用床日（元）；无床日为空。',
      type: 'numeric(18, 2)',
      format: 'currency',
    },
    cost_per_discharged_bed_day: {
      title: '床日成本（出院者口径）',
      description: '住院全成本 / 出院者占用总床日（元）；另一口径。',
      type: 'numeric(18, 2)',
      format: 'currency',
    },
    ...itemColumns,
  },
  tests: [
    {
      name: 'composition_adds_up',
      expression: `outpatient_full_cost = ${ITEMS.map(([, k]) => `outpatient_${k}_cost`).join(' + ')} and inpatient_full_cost = ${ITEMS.map(([, k]) => `inpatient_${k}_cost`).join(' + ')}`,
    },
  ],
  unitTests: [
    {
      // The hand-worked example's clinical units (see fct_department_full_costs): MED full 506.56,
      // outpatient 108.86 + 17.78 = 126.64 over 10 visits = 12.66 per visit; inpatient
      // 326.58 + 53.34 = 379.92 over 20 bed-days = 19.00. SUR: no visits (no 诊次成本),
      // inpatient 294.56 + 78.88 = 373.44 over 40 occupied bed-days = 9.34 (9.336), over 38
      // discharged bed-days = 9.83 (9.827). LAB is no clinical unit and has no row.
      name: 'cost per visit and per bed-day with composition by item',
      given: {
        fct_department_full_costs: exampleFullCosts,
        dim_hospitals: [{ hospital_code: 'H', hospital_name: '示例医院' }],
        int_department_activity: exampleActivity,
      },
      expect: [
        ['MED', 506.56, 126.64, 379.92, 12.66, 19, 19, 108.86, 17.78, 326.58, 53.34],
        ['SUR', 373.44, 0, 373.44, null, 9.34, 9.83, 0, 0, 294.56, 78.88],
      ].map(([dept, full, op, ip, perVisit, perDay, perDischargedDay, op01, op02, ip01, ip02]) => ({
        dept_code: dept!,
        full_cost: full!,
        outpatient_full_cost: op!,
        inpatient_full_cost: ip!,
        cost_per_visit: perVisit ?? null,
        cost_per_bed_day: perDay!,
        cost_per_discharged_bed_day: perDischargedDay!,
        outpatient_personnel_cost: op01!,
        outpatient_material_cost: op02!,
        inpatient_personnel_cost: ip01!,
        inpatient_material_cost: ip02!,
        inpatient_drug_cost: 0,
      })),
    },
  ],
  sql: ({ ref }) => sql`
    with costs as (
      select * from ${ref('fct_department_full_costs')}
      where cost_unit_class = '临床服务类'
    ),

    activity as (
      select * from ${ref('int_department_activity')}
    ),

    by_department as (
      select
        hospital_code,
        cost_month,
        dept_code,
        dept_name,
        std_dept_code,
        std_dept_name,
        sum(full_cost)::numeric(18, 2) as full_cost,
        sum(outpatient_full_cost)::numeric(18, 2) as outpatient_full_cost,
        sum(inpatient_full_cost)::numeric(18, 2) as inpatient_full_cost,
        ${itemSql}
      from costs
      group by 1, 2, 3, 4, 5, 6
    ),

    final as (
      select
        concat_ws('|', d.hospital_code, d.dept_code, to_char(d.cost_month, 'YYYY-MM')) as unit_cost_id,
        h.hospital_name,
        d.*,
        coalesce(a.outpatient_visits, 0)::bigint as outpatient_visits,
        coalesce(a.occupied_bed_days, 0)::bigint as occupied_bed_days,
        coalesce(a.discharged_bed_days, 0)::bigint as discharged_bed_days,
        round(d.outpatient_full_cost / nullif(a.outpatient_visits, 0), 2)::numeric(18, 2) as cost_per_visit,
        round(d.inpatient_full_cost / nullif(a.occupied_bed_days, 0), 2)::numeric(18, 2) as cost_per_bed_day,
        round(d.inpatient_full_cost / nullif(a.discharged_bed_days, 0), 2)::numeric(18, 2) as cost_per_discharged_bed_day
      from by_department d
      left join activity a
        on a.hospital_code = d.hospital_code and a.activity_month = d.cost_month and a.dept_code = d.dept_code
      left join ${ref('dim_hospitals')} h on h.hospital_code = d.hospital_code
    )

    select * from final`,
});
