import { sql } from 'kysely';
import { count, money } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';

const ratio = (title: string, description: string) =>
  ({ title, description, type: 'numeric(12, 4)' }) as const;

export default defineModel({
  name: 'fct_drg_performance_rollups',
  materialized: 'table',
  // 33k rows of 63 columns, 30 of them numeric (full demo): the build's analyze with the default
  // 30,000-row sample took 0.9–1.5 s, with 3,000 rows (target 10) 0.07 s; Cube and the value quadrant
  // read it by hospital, level and period.
  plannerSettings: { default_statistics_target: '10' },
  description: [
    'DRG 绩效汇总（由 fct_drg_group_performance 的可加分量汇总）：按汇总层级（hospital_group 医院×病组、department_group 科室×病组、department 科室、doctor_group 科室×医疗组、hospital 全院）与期间粒度（month/quarter/year，按出院日期）。',
    '口径：CMI = 总权重 / 入组病例数（排除病例不计）；入组率 = 入组病例 / (全部病例 − 排除病例)；DRG 组数 = 有入组病例的病组数。',
    '费用消耗指数采用国家定义：Σ_g (本院病组次均费用_g / 同级参考次均费用_g × n_g) / Σ n_g，即各入组病例 医疗费 / 参考均值 之平均（charge_consumption_index）；',
    '变体 Σ 实际费用 / Σ (参考均值_g × n_g) 见 charge_consumption_index_ratio；时间消耗指数同理（住院天数）。参考值来源见 reference_basis（regional / alliance / mixed）。',
    '低风险组 = drg_risk_classes 的第 1 级，中低风险组 = 第 2 级；死亡率 = 死亡数 / 该级病例数（入组病例）。倍率占比 = 该类病例 / 有倍率判断的病例。',
    '结余率（医保视角）= 结余 / 支付标准合计；医院视角同理（病例成本未接入时为空）。',
    '三四级手术占比 = 主手术为三级或四级的病例 / 有主手术的病例（手术级别取病案首页，首页未填报时取手术操作字典种子 procedures）。',
    '医疗组数 = 有病例的不同主治医师哈希键数；重症监护与呼吸机为病例数与总时长（小时，结算清单优先于首页）。',
  ].join(''),
  grain:
    'One row per aggregation level, period grain, period, hospital and (by level) department, doctor group and DRG group.',
  primaryKey: 'performance_id',
  columns: {
    performance_id: { title: '绩效行编号', description: '主键：层级|粒度|期间|医院|科室|病组|医疗组。' },
    aggregation_level: {
      title: '汇总层级',
      description:
        'hospital_group 医院×病组 / department_group 科室×病组 / department 科室 / doctor_group 科室×医疗组 / hospital 全院。',
      tests: [
        'not_null',
        {
          accepted_values: ['hospital_group', 'department_group', 'department', 'doctor_group', 'hospital'],
        },
      ],
    },
    period_grain: {
      title: '期间粒度',
      description: 'month 月 / quarter 季 / year 年。',
      tests: ['not_null', { accepted_values: ['month', 'quarter', 'year'] }],
    },
    period_start: { title: '期间', description: '期间第一天。', type: 'date', tests: ['not_null'] },
    year: { title: '年度', description: '出院年度。', type: 'integer' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    hospital_level: { title: '医院等级', description: "医院等级，'3' 三级，'2' 二级，'1' 一级。" },
    dept_code: { title: '科室编码', description: '出院科室的标准科室编码（科室层级）。' },
    dept_name: { title: '科室名称', description: '出院科室名称。' },
    doctor_group_key: {
      title: '医疗组键',
      description:
        '医疗组（主治医师）标识：医院编码与主治医师代码的 SHA-256（医疗组层级；空为首页无主治医师）。',
    },
    doctor_group_label: {
      title: '医疗组',
      description: '出院科室名称 + 医疗组键前 6 位（不含医师姓名或代码）。',
    },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码（病组层级；空为未入组病例）。' },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    case_count: count('出院病例数', '出院病例数（含排除与未入组）。'),
    excluded_count: count('排除病例数', '按病例规则排除的病例数。'),
    grouped_count: count('入组病例数', '未排除且有病组的病例数。'),
    grouping_rate: { ...ratio('入组率', '入组病例 / (全部病例 − 排除病例)。'), format: 'percent' },
    total_weight: ratio('总权重', '入组病例 RW 之和。'),
    cmi: ratio('CMI', '总权重 / 入组病例数。'),
    drg_group_count: count('DRG 组数', '有入组病例的病组数。'),
    charge_consumption_index: ratio(
      '费用消耗指数',
      '国家定义：各入组病例 医疗费 / 同级参考次均费用 之平均。',
    ),
    charge_consumption_index_ratio: ratio('费用消耗指数（比值口径）', 'Σ 医疗费 / Σ 同级参考次均费用。'),
    time_consumption_index: ratio(
      '时间消耗指数',
      '国家定义：各入组病例 住院天数 / 同级参考平均住院日 之平均。',
    ),
    time_consumption_index_ratio: ratio('时间消耗指数（比值口径）', 'Σ 住院天数 / Σ 同级参考平均住院日。'),
    reference_basis: {
      title: '参考值来源',
      description: 'regional 区域参考值 / alliance 医联体同级均值 / mixed 两者皆有。',
      tests: [{ accepted_values: ['regional', 'alliance', 'mixed'] }],
    },
    indexed_cases: count('有参考值病例数', '有同级参考值的入组病例数（消耗指数的分母）。'),
    charge_index_sum: ratio('费用比之和', 'Σ 医疗费 / 同级参考次均费用（可加，供汇总）。'),
    los_index_sum: ratio('时间比之和', 'Σ 住院天数 / 同级参考平均住院日（可加，供汇总）。'),
    indexed_charges: money('有参考值病例医疗费', '有参考值的入组病例医疗费之和（元）。'),
    reference_charge_total: money('参考费用合计', 'Σ 同级参考次均费用（元）。'),
    indexed_los_days: ratio('有参考值病例住院天数', '有参考值的入组病例住院天数之和。'),
    reference_los_total: ratio('参考住院日合计', 'Σ 同级参考平均住院日。'),
    death_count: count('死亡人数', '死亡病例数。'),
    low_risk_cases: count('低风险组病例数', '低风险病组的入组病例数。'),
    low_risk_deaths: count('低风险组死亡数', '低风险病组的死亡病例数。'),
    low_risk_mortality: {
      ...ratio('低风险组死亡率', '低风险组死亡数 / 低风险组病例数。'),
      format: 'percent',
    },
    medium_low_risk_cases: count('中低风险组病例数', '中低风险病组的入组病例数。'),
    medium_low_risk_deaths: count('中低风险组死亡数', '中低风险病组的死亡病例数。'),
    medium_low_risk_mortality: {
      ...ratio('中低风险组死亡率', '中低风险组死亡数 / 中低风险组病例数。'),
      format: 'percent',
    },
    outlier_judged_count: count('倍率判断病例数', '有支付标准且未排除、判断了倍率的病例数。'),
    high_outlier_count: count('高倍率病例数', '高倍率病例数。'),
    low_outlier_count: count('低倍率病例数', '低倍率病例数。'),
    high_outlier_share: { ...ratio('高倍率占比', '高倍率病例 / 倍率判断病例。'), format: 'percent' },
    low_outlier_share: { ...ratio('低倍率占比', '低倍率病例 / 倍率判断病例。'), format: 'percent' },
    total_charges: money('医疗费总额', '医疗费总额（元）。'),
    payment_standard_total: money('支付标准合计', '有支付标准病例的支付标准之和（元）。'),
    fund_paid_amount: money('基金支付', '基金支付合计（元）。'),
    margin_payer_view: money('结余（医保视角）', 'Σ (支付标准 − 医疗费总额)，有支付标准的病例（元）。'),
    margin_rate_payer_view: {
      ...ratio('结余率（医保视角）', '医保视角结余 / 支付标准合计。'),
      format: 'percent',
    },
    case_cost: money('病例成本', '病例成本合计（元）。'),
    margin_hospital_view: money('结余（医院视角）', 'Σ (支付标准 − 病例成本)（元）。'),
    margin_rate_hospital_view: {
      ...ratio('结余率（医院视角）', '医院视角结余 / 对应支付标准合计。'),
      format: 'percent',
    },
    dip_score_total: { title: 'DIP 分值合计', description: 'DIP 病例分值之和。', type: 'numeric(18, 4)' },
    dip_estimated_payment: money('DIP 预估支付', 'Σ 分值 × 点值 × 级别系数（元）。'),
    doctor_group_count: count('医疗组数', '有出院病例的医疗组（主治医师）数。'),
    icu_case_count: count('重症监护病例数', '重症监护时长大于 0 的病例数。'),
    icu_hours: ratio('重症监护总时长', 'Σ 重症监护时长（小时）。'),
    ventilation_case_count: count('呼吸机使用病例数', '呼吸机使用时长大于 0 的病例数。'),
    ventilation_hours: ratio('呼吸机使用总时长', 'Σ 呼吸机使用时长（小时）。'),
    surgical_case_count: count('手术病例数', '病案首页有主手术的病例数。'),
    level_3_4_surgery_count: count('三四级手术病例数', '主手术为三级或四级的病例数。'),
    level_3_4_surgery_share: {
      ...ratio('三四级手术占比', '三四级手术病例数 / 手术病例数。'),
      format: 'percent',
    },
  },
  sql: ({ ref }) => sql`
    with cells as (
      select * from ${ref('fct_drg_group_performance')}
    ),

    periods as (
      select c.*, p.period_grain, date_trunc(p.period_grain, c.month)::date as period_start
      from cells c
      cross join (values ('month'), ('quarter'), ('year')) as p (period_grain)
    ),

    aggregated as (
      select
        case
          when grouping(doctor_group_key) = 0 then 'doctor_group'
          when grouping(dept_code) = 0 and grouping(drg_code) = 0 then 'department_group'
          when grouping(drg_code) = 0 then 'hospital_group'
          when grouping(dept_code) = 0 then 'department'
          else 'hospital'
        end as aggregation_level,
        period_grain,
        period_start,
        hospital_code,
        dept_code,
        doctor_group_key,
        drg_code,
        min(hospital_name) as hospital_name,
        min(hospital_level) as hospital_level,
        min(dept_name) as dept_name,
        min(doctor_group_label) as doctor_group_label,
        min(drg_name) as drg_name,
        sum(case_count)::bigint as case_count,
        sum(excluded_count)::bigint as excluded_count,
        sum(grouped_count)::bigint as grouped_count,
        sum(total_weight) as total_weight,
        count(distinct drg_code) filter (where grouped_count > 0) as drg_group_count,
        sum(indexed_cases)::bigint as indexed_cases,
        sum(regional_indexed_cases)::bigint as regional_indexed_cases,
        sum(charge_index_sum) as charge_index_sum,
        sum(los_index_sum) as los_index_sum,
        sum(indexed_charges) as indexed_charges,
        sum(reference_charge_total) as reference_charge_total,
        sum(indexed_los_days) as indexed_los_days,
        sum(reference_los_total) as reference_los_total,
        sum(death_count)::bigint as death_count,
        sum(low_risk_cases)::bigint as low_risk_cases,
        sum(low_risk_deaths)::bigint as low_risk_deaths,
        sum(medium_low_risk_cases)::bigint as medium_low_risk_cases,
        sum(medium_low_risk_deaths)::bigint as medium_low_risk_deaths,
        sum(outlier_judged_count)::bigint as outlier_judged_count,
        sum(high_outlier_count)::bigint as high_outlier_count,
        sum(low_outlier_count)::bigint as low_outlier_count,
        sum(total_charges) as total_charges,
        sum(payment_standard_total) as payment_standard_total,
        sum(fund_paid_amount) as fund_paid_amount,
        sum(margin_payer_view) as margin_payer_view,
        sum(case_cost) as case_cost,
        sum(margin_hospital_view) as margin_hospital_view,
        sum(costed_payment_standard) as costed_payment_standard,
        sum(dip_score_total) as dip_score_total,
        sum(dip_estimated_payment) as dip_estimated_payment,
        count(distinct doctor_group_key) as doctor_group_count,
        sum(icu_case_count)::bigint as icu_case_count,
        sum(icu_hours) as icu_hours,
        sum(ventilation_case_count)::bigint as ventilation_case_count,
        sum(ventilation_hours) as ventilation_hours,
        sum(surgical_case_count)::bigint as surgical_case_count,
        sum(level_3_4_surgery_count)::bigint as level_3_4_surgery_count
      from periods
      group by period_grain, period_start, grouping sets (
        (hospital_code, dept_code, drg_code),
        (hospital_code, drg_code),
        (hospital_code, dept_code),
        (hospital_code, dept_code, doctor_group_key),
        (hospital_code)
      )
    ),

    final as (
      select
        concat_ws('|', aggregation_level, period_grain, to_char(period_start, 'YYYY-MM'), hospital_code,
          coalesce(dept_code, '-'), coalesce(drg_code, '-'), coalesce(doctor_group_key, '-')) as performance_id,
        aggregation_level,
        period_grain,
        period_start,
        extract(year from period_start)::integer as year,
        hospital_code,
        hospital_name,
        hospital_level,
        dept_code,
        dept_name,
        doctor_group_key,
        doctor_group_label,
        drg_code,
        drg_name,
        -- volume and complexity
        case_count,
        excluded_count,
        grouped_count,
        round(grouped_count::numeric / nullif(case_count - excluded_count, 0), 4)::numeric(12, 4) as grouping_rate,
        round(coalesce(total_weight, 0), 4)::numeric(12, 4) as total_weight,
        round(total_weight / nullif(grouped_count, 0), 4)::numeric(12, 4) as cmi,
        drg_group_count,
        -- efficiency
        round(charge_index_sum / nullif(indexed_cases, 0), 4)::numeric(12, 4) as charge_consumption_index,
        round(indexed_charges / nullif(reference_charge_total, 0), 4)::numeric(12, 4) as charge_consumption_index_ratio,
        round(los_index_sum / nullif(indexed_cases, 0), 4)::numeric(12, 4) as time_consumption_index,
        round(indexed_los_days / nullif(reference_los_total, 0), 4)::numeric(12, 4) as time_consumption_index_ratio,
        case
          when indexed_cases = 0 then null
          when regional_indexed_cases = indexed_cases then 'regional'
          when regional_indexed_cases = 0 then 'alliance'
          else 'mixed'
        end as reference_basis,
        indexed_cases,
        round(charge_index_sum, 4)::numeric(12, 4) as charge_index_sum,
        round(los_index_sum, 4)::numeric(12, 4) as los_index_sum,
        indexed_charges::numeric(18, 2) as indexed_charges,
        reference_charge_total::numeric(18, 2) as reference_charge_total,
        indexed_los_days::numeric(12, 4) as indexed_los_days,
        reference_los_total::numeric(12, 4) as reference_los_total,
        -- quality
        death_count,
        low_risk_cases,
        low_risk_deaths,
        round(low_risk_deaths::numeric / nullif(low_risk_cases, 0), 4)::numeric(12, 4) as low_risk_mortality,
        medium_low_risk_cases,
        medium_low_risk_deaths,
        round(medium_low_risk_deaths::numeric / nullif(medium_low_risk_cases, 0), 4)::numeric(12, 4)
          as medium_low_risk_mortality,
        -- outliers
        outlier_judged_count,
        high_outlier_count,
        low_outlier_count,
        round(high_outlier_count::numeric / nullif(outlier_judged_count, 0), 4)::numeric(12, 4) as high_outlier_share,
        round(low_outlier_count::numeric / nullif(outlier_judged_count, 0), 4)::numeric(12, 4) as low_outlier_share,
        -- money
        total_charges::numeric(18, 2) as total_charges,
        payment_standard_total::numeric(18, 2) as payment_standard_total,
        fund_paid_amount::numeric(18, 2) as fund_paid_amount,
        margin_payer_view::numeric(18, 2) as margin_payer_view,
        round(margin_payer_view / nullif(payment_standard_total, 0), 4)::numeric(12, 4) as margin_rate_payer_view,
        case_cost::numeric(18, 2) as case_cost,
        margin_hospital_view::numeric(18, 2) as margin_hospital_view,
        round(margin_hospital_view / nullif(costed_payment_standard, 0), 4)::numeric(12, 4) as margin_rate_hospital_view,
        dip_score_total::numeric(18, 4) as dip_score_total,
        dip_estimated_payment::numeric(18, 2) as dip_estimated_payment,
        -- doctor groups, ICU, ventilation and surgery
        doctor_group_count,
        icu_case_count,
        round(icu_hours, 4)::numeric(12, 4) as icu_hours,
        ventilation_case_count,
        round(ventilation_hours, 4)::numeric(12, 4) as ventilation_hours,
        surgical_case_count,
        level_3_4_surgery_count,
        round(level_3_4_surgery_count::numeric / nullif(surgical_case_count, 0), 4)::numeric(12, 4)
          as level_3_4_surgery_share
      from aggregated
    )

    select * from final`,
});
