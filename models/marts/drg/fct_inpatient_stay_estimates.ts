import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const stay = {
  hospital_code: 'H1',
  publisher_code: 'P3209',
  hospital_level: 3,
  patient_key: 'k',
  insurance_type: '310',
  snapshot_date: '2025-03-31',
  snapshot_at: '2025-03-31 23:59:59',
  year: 2025,
  admitted_at: '2025-03-27 10:00:00',
  days_in_bed: 5,
  current_dept_code: 'D1',
  dept_code: 'A03',
  principal_diagnosis_code: 'J18.900',
  diagnosis_count: 2,
  principal_procedure_code: null,
  procedure_count: 0,
  payer_payment_method: 'DRG',
  expected_mdc_code: 'E',
  expected_adrg_code: 'ES3',
  group_status: '分组成功',
  group_reasons: '',
  charge_line_count: 10,
};

export default defineModel({
  name: 'fct_inpatient_stay_estimates',
  materialized: 'table',
  description: [
    '在院病例费用预估（预分组-费用预测-超支预警）：每家医院最新在院清单快照中尚未出院的住院一行（int_inpatient_stays__open）。',
    '预估病组为预分组阶段按截至快照已下的诊断与已完成的手术操作分组的结果，权重与支付标准与 fct_inpatient_cases 同一支付政策查找；',
    '截至目前的费用为已交付收费明细之和；费用/标准比 = 截至目前的费用 / 预估病组支付标准；',
    '参考平均住院日取医保局发布的区域参考（同发布方、快照年度、病组、医院等级），未发布时取医联体历史出院病例（fct_inpatient_cases 入组病例，同病组、同医院等级，各年度）；',
    '预警分级按种子 drg_in_stay_warnings 的费用/标准比区间（医保办可调整：默认 ≥1 超支风险，0.8–1 接近标准，其余正常；无比值为无法预估），',
    '无法预估的病例附其原因（种子 drg_in_stay_unpriced_reasons：尚未预分组、预分组未入组、医保方按 DIP 付费、医保方未发布当年 DRG 支付表、预估病组不在支付表中）。患者仅以加盐哈希键出现。',
  ].join(''),
  grain: 'One row per stay in bed at its hospital’s latest census snapshot (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    // ids
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    visit_id: { title: '住院号', description: '住院号（就诊ID）。', tests: ['not_null'] },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    patient_key: {
      title: '患者键',
      description: '患者键（医院编码与患者ID的加盐 SHA-256），不含患者身份信息。',
    },
    insurance_type: { title: '险种', description: '险种：310 职工，390 居民，999 自费。' },
    dept_code: { title: '所在科室编码', description: '截止时点所在科室的标准科室编码。' },
    dept_name: { title: '所在科室', description: '截止时点所在科室的标准科室名称。' },
    // dates
    snapshot_date: {
      title: '快照日期',
      description: '在院清单快照的截止日期（医院的最新快照）。',
      type: 'date',
    },
    admitted_at: { title: '入院时间', description: '入院时间。' },
    days_in_bed: {
      title: '已住院天数',
      description: '截止日期 − 入院日期 + 1（截止日当天计入）。',
      type: 'integer',
      tests: ['not_null', { expression: 'days_in_bed >= 1' }],
    },
    // expected group
    principal_diagnosis_code: { title: '主要诊断', description: '截至快照已下诊断中的主要诊断编码。' },
    diagnosis_count: { title: '诊断数', description: '截至快照已下的诊断数。', type: 'integer' },
    principal_procedure_code: { title: '主手术操作', description: '截至快照已完成手术操作中的主手术操作编码。' },
    procedure_count: { title: '手术操作数', description: '截至快照已完成的手术操作数。', type: 'integer' },
    expected_drg_code: {
      title: '预估病组',
      description: '按已下诊断与已完成手术操作的院内预分组 DRG（分组成功时；否则为空）。',
    },
    expected_drg_name: { title: '预估病组名称', description: '预估病组的名称（取自医保方支付政策）。' },
    expected_mdc_code: {
      title: '预分组 MDC',
      description: '预分组的主要诊断大类（0000 为未进入任何 MDC）。',
    },
    expected_adrg_code: { title: '预分组 ADRG', description: '预分组的核心疾病诊断相关组（00 为未入组）。' },
    group_status: {
      title: '预分组状态',
      description: '分组成功 / 无法入组 / 信息校验不通过 / 歧义病案；尚未预分组为空。',
      tests: [{ accepted_values: ['分组成功', '无法入组', '信息校验不通过', '歧义病案'] }],
    },
    group_reasons: { title: '分组理由', description: '预分组的分组过程，按规则应用顺序每行一条。' },
    drg_weight: { title: '预估权重', description: '预估病组的相对权重 RW（支付政策）。' },
    // amounts
    payment_standard: {
      title: '预估支付标准',
      description: '预估病组的支付标准（元），与出院病例同一支付政策查找。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    charges_to_date: {
      title: '截至目前费用',
      description: '已交付的该住院收费明细金额合计（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
      tests: ['not_null'],
    },
    charge_line_count: { title: '收费明细行数', description: '已交付的收费明细行数。', type: 'bigint' },
    charge_to_standard_ratio: {
      title: '费用/标准比',
      description: '截至目前费用 / 预估支付标准；无支付标准为空。',
      type: 'numeric(12, 4)',
    },
    remaining_to_standard: {
      title: '距标准余额',
      description: '预估支付标准 − 截至目前费用（元），负为已超支。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    // stay length
    reference_mean_los_days: {
      title: '参考平均住院日',
      description: '预估病组的平均住院日：区域参考（医保局发布）优先，否则医联体历史出院病例。',
      type: 'numeric(8, 2)',
    },
    reference_los_basis: {
      title: '参考平均住院日来源',
      description: 'regional 区域参考 / alliance 医联体历史；无参考为空。',
      tests: [{ accepted_values: ['regional', 'alliance'] }],
    },
    los_to_reference_ratio: {
      title: '住院日/参考比',
      description: '已住院天数 / 参考平均住院日。',
      type: 'numeric(12, 4)',
    },
    // warning
    warning_code: {
      title: '预警编码',
      description: '预警分级编码（种子 drg_in_stay_warnings）。',
      tests: ['not_null'],
    },
    warning_label: {
      title: '费用预警',
      description: '预警分级名称，如 超支风险、接近标准、正常、无法预估。',
    },
    unpriced_reason_code: {
      title: '无法预估原因编码',
      description: '无费用/标准比（无法预估）时的原因编码（种子 drg_in_stay_unpriced_reasons）；有比值为空。',
      tests: [{ accepted_values: ['not_pregrouped', 'not_grouped', 'dip_payer', 'no_drg_table', 'group_not_in_table'] }],
    },
    unpriced_reason: {
      title: '无法预估原因',
      description: '无法预估的原因，如 医保方按DIP付费、预估病组不在支付表中；有比值为空。',
    },
  },
  unitTests: [
    {
      // V1: ES31 at 17 000, 18 700 charged → 1.1 ≥ 1: 超支风险, 1 700 over; the region publishes a
      // mean stay of 10 days → 5 / 10 = 0.5. V2: FR25 at 3 500, 2 000 → 0.5714: 正常; no regional
      // figure, the alliance's level-3 FR25 discharges stayed 4 and 6 days → 5 (the level-2 one
      // and the ungrouped one do not count) → 1. V3: not grouped, no standard: 无法预估. V4: 900 of
      // 1 000 → 0.9: 接近标准. V5: grouped, but its payer pays by DIP (no DRG standard): 无法预估,
      // 医保方按DIP付费. V6: grouped at a DRG payer whose table lacks the group: 预估病组不在支付表中.
      name: 'estimates charges against the expected group’s standard, with the warning class from the seed',
      given: {
        int_inpatient_stays__open: {
          rows: [
            {
              ...stay,
              visit_id: 'V1',
              expected_drg_code: 'ES31',
              expected_drg_name: '呼吸系统感染',
              drg_weight: 1.7,
              payment_standard: 17000,
              charges_to_date: 18700,
            },
            {
              ...stay,
              visit_id: 'V2',
              expected_drg_code: 'FR25',
              expected_drg_name: '心绞痛',
              drg_weight: 0.35,
              payment_standard: 3500,
              charges_to_date: 2000,
            },
            {
              ...stay,
              visit_id: 'V3',
              expected_drg_code: null,
              expected_drg_name: null,
              group_status: '无法入组',
              drg_weight: null,
              payment_standard: null,
              charges_to_date: 500,
            },
            {
              ...stay,
              visit_id: 'V4',
              expected_drg_code: 'XS15',
              expected_drg_name: '眩晕',
              drg_weight: 0.1,
              payment_standard: 1000,
              charges_to_date: 900,
            },
            {
              ...stay,
              visit_id: 'V5',
              payer_payment_method: 'DIP',
              expected_drg_code: 'ES33',
              expected_drg_name: null,
              drg_weight: null,
              payment_standard: null,
              charges_to_date: 800,
            },
            {
              ...stay,
              visit_id: 'V6',
              principal_procedure_code: '79.3501',
              procedure_count: 1,
              expected_drg_code: 'IR29',
              expected_drg_name: null,
              drg_weight: null,
              payment_standard: null,
              charges_to_date: 700,
            },
          ],
          types: {
            principal_procedure_code: 'text',
            payer_payment_method: 'text',
            snapshot_date: 'date',
            admitted_at: 'timestamp',
            snapshot_at: 'timestamp',
            payment_standard: 'numeric',
            charges_to_date: 'numeric',
            drg_weight: 'numeric',
            expected_drg_code: 'text',
            expected_drg_name: 'text',
          },
        },
        hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
        stg_insurance__regional_reference: [
          {
            publisher_code: 'P3209',
            year: 2025,
            drg_code: 'ES31',
            hospital_level: 3,
            mean_length_of_stay: 10,
          },
        ],
        fct_inpatient_cases: [
          { drg_code: 'FR25', hospital_level: 3, is_grouped: true, length_of_stay_days: 4 },
          { drg_code: 'FR25', hospital_level: 3, is_grouped: true, length_of_stay_days: 6 },
          { drg_code: 'FR25', hospital_level: 2, is_grouped: true, length_of_stay_days: 10 },
          { drg_code: 'FR25', hospital_level: 3, is_grouped: false, length_of_stay_days: 30 },
        ],
        drg_in_stay_warnings: {
          rows: [
            { warning_code: 'over', warning_label: '超支风险', min_ratio: 1, max_ratio: null },
            { warning_code: 'near', warning_label: '接近标准', min_ratio: 0.8, max_ratio: 1 },
            { warning_code: 'normal', warning_label: '正常', min_ratio: null, max_ratio: 0.8 },
            { warning_code: 'unpriced', warning_label: '无法预估', min_ratio: null, max_ratio: null },
          ],
          types: { min_ratio: 'numeric', max_ratio: 'numeric' },
        },
        drg_in_stay_unpriced_reasons: [
          { reason_code: 'not_grouped', reason_label: '预分组未入组' },
          { reason_code: 'dip_payer', reason_label: '医保方按DIP付费' },
          { reason_code: 'group_not_in_table', reason_label: '预估病组不在支付表中' },
        ],
      },
      expect: [
        {
          visit_id: 'V1',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: 1.1,
          remaining_to_standard: -1700,
          reference_mean_los_days: 10,
          reference_los_basis: 'regional',
          los_to_reference_ratio: 0.5,
          warning_code: 'over',
          warning_label: '超支风险',
          unpriced_reason_code: null,
          unpriced_reason: null,
        },
        {
          visit_id: 'V2',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: 0.5714,
          remaining_to_standard: 1500,
          reference_mean_los_days: 5,
          reference_los_basis: 'alliance',
          los_to_reference_ratio: 1,
          warning_code: 'normal',
          warning_label: '正常',
          unpriced_reason_code: null,
          unpriced_reason: null,
        },
        {
          visit_id: 'V3',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: null,
          remaining_to_standard: null,
          reference_mean_los_days: null,
          reference_los_basis: null,
          los_to_reference_ratio: null,
          warning_code: 'unpriced',
          warning_label: '无法预估',
          unpriced_reason_code: 'not_grouped',
          unpriced_reason: '预分组未入组',
        },
        {
          visit_id: 'V4',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: 0.9,
          remaining_to_standard: 100,
          reference_mean_los_days: null,
          reference_los_basis: null,
          los_to_reference_ratio: null,
          warning_code: 'near',
          warning_label: '接近标准',
          unpriced_reason_code: null,
          unpriced_reason: null,
        },
        {
          visit_id: 'V5',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: null,
          remaining_to_standard: null,
          reference_mean_los_days: null,
          reference_los_basis: null,
          los_to_reference_ratio: null,
          warning_code: 'unpriced',
          warning_label: '无法预估',
          unpriced_reason_code: 'dip_payer',
          unpriced_reason: '医保方按DIP付费',
        },
        {
          visit_id: 'V6',
          hospital_name: '一院',
          dept_name: '内科',
          charge_to_standard_ratio: null,
          remaining_to_standard: null,
          reference_mean_los_days: null,
          reference_los_basis: null,
          los_to_reference_ratio: null,
          warning_code: 'unpriced',
          warning_label: '无法预估',
          unpriced_reason_code: 'group_not_in_table',
          unpriced_reason: '预估病组不在支付表中',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with stays as (
      select * from ${ref('int_inpatient_stays__open')}
    ),

    hospitals as (
      select * from ${ref('hospitals')}
    ),

    departments as (
      select * from ${ref('standard_departments')}
    ),

    reference as (
      select * from ${ref('stg_insurance__regional_reference')}
    ),

    discharges as (
      select * from ${ref('fct_inpatient_cases')}
    ),

    warnings as (
      select * from ${ref('drg_in_stay_warnings')}
    ),

    unpriced_reasons as (
      select * from ${ref('drg_in_stay_unpriced_reasons')}
    ),

    -- the alliance's own history where the region publishes no mean stay: grouped discharges
    alliance_los as (
      select drg_code, hospital_level, avg(length_of_stay_days) as mean_los
      from discharges
      where is_grouped and drg_code is not null
      group by 1, 2
    ),

    estimated as (
      select
        s.*,
        round(s.charges_to_date / nullif(s.payment_standard, 0), 4)::numeric(12, 4) as charge_to_standard_ratio,
        rr.mean_length_of_stay as regional_mean_los,
        al.mean_los as alliance_mean_los,
        -- why a stay has no ratio: the first that holds, from the grouping to the payer's table
        case
          when nullif(s.payment_standard, 0) is not null then null
          when s.group_status is null then 'not_pregrouped'
          when s.group_status <> '分组成功' then 'not_grouped'
          when s.payer_payment_method = 'DIP' then 'dip_payer'
          when s.payer_payment_method is null then 'no_drg_table'
          else 'group_not_in_table'
        end as unpriced_reason_code
      from stays s
      left join reference rr
        on rr.publisher_code = s.publisher_code and rr.year = s.year and rr.drg_code = s.expected_drg_code
        and rr.hospital_level = s.hospital_level
      left join alliance_los al on al.drg_code = s.expected_drg_code and al.hospital_level = s.hospital_level
    ),

    final as (
      select
        -- ids
        e.hospital_code,
        e.visit_id,
        h.hospital_name,
        e.patient_key,
        e.insurance_type,
        e.dept_code,
        d.std_dept_name as dept_name,
        -- dates
        e.snapshot_date,
        e.admitted_at,
        e.days_in_bed,
        -- expected group
        e.principal_diagnosis_code,
        e.diagnosis_count,
        e.principal_procedure_code,
        e.procedure_count,
        e.expected_drg_code,
        e.expected_drg_name,
        e.expected_mdc_code,
        e.expected_adrg_code,
        e.group_status,
        e.group_reasons,
        e.drg_weight,
        -- amounts
        e.payment_standard,
        e.charges_to_date,
        e.charge_line_count,
        e.charge_to_standard_ratio,
        (e.payment_standard - e.charges_to_date)::numeric(18, 2) as remaining_to_standard,
        -- stay length
        round(coalesce(e.regional_mean_los, e.alliance_mean_los), 2)::numeric(8, 2) as reference_mean_los_days,
        case when e.regional_mean_los is not null then 'regional' when e.alliance_mean_los is not null then 'alliance' end
          as reference_los_basis,
        round(e.days_in_bed::numeric / nullif(coalesce(e.regional_mean_los, e.alliance_mean_los), 0), 4)::numeric(12, 4)
          as los_to_reference_ratio,
        -- warning
        w.warning_code,
        w.warning_label,
        e.unpriced_reason_code,
        ur.reason_label as unpriced_reason
      from estimated e
      left join hospitals h on h.hospital_code = e.hospital_code
      left join unpriced_reasons ur on ur.reason_code = e.unpriced_reason_code
      left join departments d on d.std_dept_code = e.dept_code
      left join lateral (
        select w.warning_code, w.warning_label
        from warnings w
        where case
          when e.charge_to_standard_ratio is null then w.min_ratio is null and w.max_ratio is null
          -- a band open below (no min_ratio) takes every lower ratio, a net refund's negative one too
          else (w.min_ratio is not null or w.max_ratio is not null)
            and (w.min_ratio is null or e.charge_to_standard_ratio >= w.min_ratio)
            and (w.max_ratio is null or e.charge_to_standard_ratio < w.max_ratio)
        end
        order by w.min_ratio desc nulls last
        limit 1
      ) w on true
    )

    select * from final`,
});
