import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { caseRulesJoin, exclusionReason } from '../../intermediate/drg/_payment_policy_lookup.ts';

/** An expected case of the unit test without a doctor, ICU time or main procedure. */
const withoutClinicalRecord = {
  doctor_group_key: null,
  icu_hours: null,
  has_icu_stay: false,
  main_procedure_level: null,
  main_procedure_level_source: null,
  is_surgical: false,
  is_level_3_4_surgery: false,
};

export default defineModel({
  name: 'fct_inpatient_cases',
  materialized: 'table',
  // 157k rows of some 90 columns (full demo): the build's analyze with the default 30,000-row sample
  // took 1.0–1.8 s, with 3,000 rows (target 10) 0.08 s; its readers (group performance, simulation,
  // fund and benchmark marts) join it by hospital and visit or sum it by a few codes: their plans were
  // compared with EXPLAIN under both, and only fct_fund_refusals_by_reason's aggregate changed (hashed).
  plannerSettings: { default_statistics_target: '10' },
  description: [
    '住院病例事实：每次出院一行（含自费病例）。病组、权重与支付标准取自 int_inpatient_cases__grouped（医保方结果优先，否则病案首页院内分组，并注明来源）。',
    '排除病例（住院天数超过、医疗费总额低于 drg_case_rules 的界值）不参与入组率分母、CMI 与倍率判断；入组 = 未排除且有病组。',
    '倍率：医疗费总额 / 支付标准，高于高倍率界值为 high（高倍率），低于低倍率界值为 low（低倍率），其余 normal；界值取支付政策 int_payment_policy__drg_standards 的病组界值（医保局发布的为 published，未发布时该模型按病组 RW 分段取种子 drg_outlier_bands，为 policy_bands），',
    '病组不在医保局病组表中或 DIP 病例时按本病例权重分段（DIP 以分值 / dip_score_per_weight 为权重）取 drg_outlier_bands（case_bands），来源见 outlier_threshold_source。',
    '医疗组：病案首页主治医师代码与医院编码的加盐 SHA-256（doctor_group_key），与出院科室并列；姓名与原始代码不进入集市。重症监护与呼吸机时长取医保结算清单（精确到分钟），无结算清单或其未填报时取病案首页（整小时），来源见 icu_ventilation_source。',
    '手术：病案首页主手术（int_inpatient_cases__main_procedures：主手术标志，多条时取序号最小者）存在即为手术病例；手术级别取首页填报的手术级别，首页未填报时取手术操作字典（种子 procedures 的 oprn_level，即 dim_procedures），来源见 main_procedure_level_source；三级或四级为三四级手术。',
    '结余/超支：医保视角 = 支付标准 − 医疗费总额；医院视角 = 支付标准 − 病例成本。',
    '消耗指数的病例分量：医疗费 / 同级参考次均费用、住院天数 / 同级参考平均住院日；参考值取医保局区域参考值（regional），缺失时取医联体同年同病组同级别入组病例均值（alliance，int_drg_groups__alliance_reference）。',
    'DIP 预估支付 = 分值 × 点值（医保局年度预算文件的点值）× 级别系数。患者标识仅以哈希键出现。',
    '院内预分组（own_*）：流水线预分组阶段按配置的分组规则（默认国家 CHS-DRG 1.1）对病案首页（无首页时为结算清单）的分组，权重与支付标准按医保方病组同一支付政策查找；预计结余 = 院内病组支付标准 − 医疗费总额；groups_agree 为院内预分组与医保方 DRG 结算病组是否一致（任一方缺失为空）。',
  ].join(''),
  grain: 'One row per inpatient discharge (hospital, visit id).',
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
    hospital_level: { title: '医院等级', description: "医院等级，'3' 三级，'2' 二级，'1' 一级。" },
    publisher_code: { title: '医保局编码', description: '支付政策发布方（医保局）编码。' },
    patient_key: {
      title: '患者键',
      description: '患者标识的加盐 SHA-256 哈希（盐为部署密钥 ops.key_salt）（医院编码与患者ID）。',
    },
    insured_person_key: {
      title: '参保人键',
      description: '医保人员编号的加盐 SHA-256 哈希（盐为部署密钥 ops.key_salt）。',
    },
    insurance_type: { title: '险种', description: '险种：310 职工，390 居民，999 自费。' },
    dept_code: { title: '出院科室编码', description: '出院科室的标准科室编码。' },
    dept_name: { title: '出院科室', description: '出院科室的标准科室名称。' },
    principal_diagnosis_code: {
      title: '主要诊断编码',
      description:
        '主要诊断（病种）：取 int_inpatient_cases__diagnosed，病案首页主诊断，首页缺失时取医保结算清单西医主诊断（与病种成本同一口径）；两处都没有时为空。',
    },
    principal_diagnosis_name: { title: '主要诊断名称', description: '主要诊断名称（统一字典，字典没有时取填报名称）。' },
    doctor_group_key: {
      title: '医疗组键',
      description:
        '医疗组（主治医师）标识：医院编码与病案首页主治医师代码的加盐 SHA-256；首页无主治医师时为空。',
    },
    doctor_group_label: {
      title: '医疗组',
      description: '医疗组的显示名：出院科室名称 + 医疗组键前 6 位（不含医师姓名或代码）。',
    },
    // dates
    discharged_at: { title: '出院时间', description: '出院时间。' },
    discharge_month: {
      title: '出院月份',
      description: '出院月份（当月第一天）。',
      type: 'date',
      tests: ['not_null'],
    },
    year: { title: '出院年度', description: '出院年度。', type: 'integer' },
    length_of_stay_days: { title: '住院天数', description: '实际住院天数。' },
    is_death: { title: '是否死亡', description: '离院方式为死亡。', type: 'boolean' },
    // ICU, ventilation and surgery
    icu_hours: {
      title: '重症监护时长',
      description: '重症监护合计时长（小时）：结算清单填报的优先，否则取病案首页（整小时）；均未填报为空。',
      format: 'number',
    },
    ventilation_hours: {
      title: '呼吸机使用时长',
      description: '呼吸机使用时长（小时）：与重症监护时长同源。',
      format: 'number',
    },
    icu_ventilation_source: {
      title: '重症监护时长来源',
      description: 'settlement 医保结算清单 / front_page 病案首页；均未填报为空。',
      tests: [{ accepted_values: ['settlement', 'front_page'] }],
    },
    has_icu_stay: { title: '是否入住重症监护', description: '重症监护时长大于 0。', type: 'boolean' },
    main_procedure_code: {
      title: '主手术编码',
      description: '病案首页主手术操作编码（ICD-9-CM-3 医保版 2.0）。',
    },
    main_procedure_level: {
      title: '主手术级别',
      description: '主手术级别 1–4（首页填报，否则取手术操作字典）。',
    },
    main_procedure_level_source: {
      title: '手术级别来源',
      description: 'front_page 病案首页手术级别 / seed 手术操作字典（种子 procedures）。',
      tests: [{ accepted_values: ['front_page', 'seed'] }],
    },
    is_surgical: { title: '是否手术病例', description: '病案首页有主手术。', type: 'boolean' },
    is_level_3_4_surgery: {
      title: '是否三四级手术',
      description: '主手术级别为三级或四级。',
      type: 'boolean',
    },
    // group
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码，空为未入组。' },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    mdc_code: { title: 'MDC', description: '主要诊断大类（病组编码首字母）。' },
    group_source: {
      title: '病组来源',
      description: 'settlement 医保结算结果 / front_page 病案首页院内分组 / none 未入组。',
      tests: [{ accepted_values: ['settlement', 'front_page', 'none'] }],
    },
    drg_weight: { title: '权重', description: '相对权重 RW。' },
    payment_method: { title: '支付方式', description: '医保支付方式：DRG / DIP；自费病例为空。' },
    dip_code: { title: 'DIP 病种', description: 'DIP 病种编码。' },
    dip_score: { title: 'DIP 分值', description: 'DIP 病种分值。' },
    // the hospital's own group (pre-group)
    own_drg_code: {
      title: '院内预分组 DRG',
      description: '流水线预分组（按配置的分组规则对病案首页，无首页时对结算清单分组）的 DRG 编码；未分组成功为空。',
    },
    own_drg_name: { title: '院内预分组 DRG 名称', description: '院内预分组 DRG 的名称（取自医保方支付政策）。' },
    own_drg_weight: {
      title: '院内预分组权重',
      description: '院内预分组 DRG 的相对权重 RW（医保方支付政策；病组不在医保方病组表中为空）。',
    },
    own_payment_standard: {
      title: '院内预分组支付标准',
      description: '院内预分组 DRG 的支付标准（元），与医保方病组同一支付政策（发布方、年度、医院等级、险种）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    own_predicted_margin: {
      title: '预计结余',
      description: '院内预分组支付标准 − 医疗费总额（元），正为预计结余、负为预计超支。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    own_group_status: {
      title: '预分组状态',
      description: '分组成功 / 无法入组 / 信息校验不通过 / 歧义病案；无预分组（既无首页也无结算清单）为空。',
      tests: [{ accepted_values: ['分组成功', '无法入组', '信息校验不通过', '歧义病案'] }],
    },
    groups_agree: {
      title: '分组是否一致',
      description: '院内预分组与医保方 DRG 结算病组是否一致；无预分组或医保方未按 DRG 返回病组时为空。',
      type: 'boolean',
    },
    // status
    is_excluded: {
      title: '是否排除',
      description: '按医保局病例规则排除（不计入组率分母）。',
      type: 'boolean',
    },
    exclusion_reason: {
      title: '排除原因',
      description:
        '排除原因，如 住院天数超过 60 天、医疗费总额低于 5 元。住院天数或医疗费总额无从得知（结算清单、首页与 HIS 住院记录均被隔离）的病例不因此排除。',
    },
    is_grouped: { title: '是否入组', description: '未排除且有 DRG 病组。', type: 'boolean' },
    outlier_class: {
      title: '倍率类型',
      description: 'high 高倍率 / low 低倍率 / normal 正常倍率；无支付标准、排除病例或医疗费总额未知时为空。',
      tests: [{ accepted_values: ['high', 'low', 'normal'] }],
    },
    outlier_class_name: { title: '倍率类型名称', description: '高倍率 / 低倍率 / 正常倍率。' },
    charge_to_standard_ratio: { title: '费用倍率', description: '医疗费总额 / 支付标准。' },
    low_outlier_ratio: { title: '低倍率界值', description: '所用低倍率界值（× 支付标准）。' },
    high_outlier_ratio: { title: '高倍率界值', description: '所用高倍率界值（× 支付标准）。' },
    outlier_threshold_source: {
      title: '界值来源',
      description:
        'published 医保局病组表发布 / policy_bands 病组表未发布、按病组 RW 分段（种子 drg_outlier_bands）/ case_bands 病组不在病组表或 DIP 病例，按本病例权重分段（同一种子）。',
      tests: [{ accepted_values: ['published', 'policy_bands', 'case_bands'] }],
    },
    risk_class: {
      title: '死亡风险等级',
      description: '病组死亡风险等级（1 最低），见 int_drg_groups__risk_classes。',
    },
    risk_class_name: { title: '死亡风险等级名称', description: '低风险 / 中低风险 / 中高风险 / 高风险。' },
    // amounts
    payment_standard: {
      title: '支付标准',
      description: '支付标准（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    payment_standard_source: {
      title: '支付标准来源',
      description: 'settlement 医保结算 / policy 按政策计算。',
    },
    base_rate: { title: '费率', description: '支付标准所用费率（元/权重；DIP 为预算点值）。' },
    level_coefficient: { title: '级别系数', description: '支付标准所用级别系数。' },
    total_charges: {
      title: '医疗费总额',
      description: '医疗费总额（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    fund_paid_amount: {
      title: '基金支付',
      description: '基金支付（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    self_paid_amount: {
      title: '个人负担',
      description: '个人自付与自费（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    case_cost: {
      title: '病例成本',
      description: '病例成本（元，来自成本核算集市 fct_case_costs；无成本的病例为空）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    margin_payer_view: {
      title: '结余（医保视角）',
      description: '支付标准 − 医疗费总额（元），正为结余、负为超支。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    margin_hospital_view: {
      title: '结余（医院视角）',
      description: '支付标准 − 病例成本（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    dip_point_value: { title: 'DIP 点值', description: '医保局年度预算文件的点值（元/分）。' },
    dip_estimated_payment: {
      title: 'DIP 预估支付',
      description: '分值 × 点值 × 级别系数（元）。',
      format: 'currency',
      type: 'numeric(18, 2)',
    },
    // consumption index parts
    reference_basis: {
      title: '参考值来源',
      description: 'regional 区域同级参考值 / alliance 医联体同级均值。',
      tests: [{ accepted_values: ['regional', 'alliance'] }],
    },
    reference_mean_charge: { title: '同级参考次均费用', description: '同级参考次均费用（元）。' },
    reference_mean_los_days: { title: '同级参考平均住院日', description: '同级参考平均住院日。' },
    charge_index_part: {
      title: '费用比',
      description: '医疗费 / 同级参考次均费用（费用消耗指数的病例分量）。',
    },
    los_index_part: {
      title: '时间比',
      description: '住院天数 / 同级参考平均住院日（时间消耗指数的病例分量）。',
    },
  },
  unitTests: [
    {
      // Consumption-index parts, worked by hand. Region's level-3 reference: A 2 000 yuan / 4 days,
      // B 4 000 yuan / 6 days. A1: 1 000 / 2 000 = 0.5, 2 / 4 = 0.5; A2: 3 000 / 2 000 = 1.5,
      // 6 / 4 = 1.5; B1: 6 000 / 4 000 = 1.5, 3 / 6 = 0.5. C1 stays 70 days (> 60): excluded, no part.
      // Outliers: A publishes 0.4× / 2×: A1 1 000 / 2 000 = 0.5× and A2 1.5× are normal; B publishes
      // none, so the payment policy gives it the seed band for its RW (weight ≤ 1: 0.4× / 3×,
      // policy_bands): B1 6 000 / 1 900 = 3.16× is high. (case_bands, a stay's own band where the
      // policy has no ratio, is what the demo's DIP stays get, checked in drg-marts.test.ts.)
      name: 'computes exclusions, outlier classes and consumption-index parts',
      given: {
        int_inpatient_cases__grouped: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'A1',
              publisher_code: 'P1',
              hospital_level: '3',
              patient_key: 'kA1',
              insured_person_key: 'pA1',
              insurance_type: '310',
              dept_code: 'A03',
              discharged_at: '2025-03-10 10:00',
              discharge_month: '2025-03-01',
              year: 2025,
              length_of_stay_days: 2,
              is_death: false,
              drg_code: 'A',
              drg_name: 'A',
              group_source: 'settlement',
              drg_weight: 1,
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              payment_standard: 2000,
              payment_standard_source: 'settlement',
              base_rate: 2000,
              level_coefficient: 1,
              total_charges: 1000,
              fund_paid_amount: 0,
              self_paid_amount: 0,
              attending_doctor_key: 'doc1',
              // the hospital's own group B (1 900 yuan) against the payer's A
              own_drg_code: 'B',
              own_drg_name: 'B',
              own_drg_weight: 1,
              own_payment_standard: 1900,
              own_group_status: '分组成功',
              groups_agree: false,
              icu_hours: 30.5,
              ventilation_hours: 12.25,
              icu_ventilation_source: 'settlement',
            },
            {
              hospital_code: 'H1',
              visit_id: 'A2',
              publisher_code: 'P1',
              hospital_level: '3',
              patient_key: 'kA2',
              insured_person_key: 'pA2',
              insurance_type: '310',
              dept_code: 'A03',
              discharged_at: '2025-03-10 10:00',
              discharge_month: '2025-03-01',
              year: 2025,
              length_of_stay_days: 6,
              is_death: false,
              drg_code: 'A',
              drg_name: 'A',
              group_source: 'settlement',
              drg_weight: 1,
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              payment_standard: 2000,
              payment_standard_source: 'settlement',
              base_rate: 2000,
              level_coefficient: 1,
              total_charges: 3000,
              fund_paid_amount: 0,
              self_paid_amount: 0,
            },
            {
              hospital_code: 'H1',
              visit_id: 'B1',
              publisher_code: 'P1',
              hospital_level: '3',
              patient_key: 'kB1',
              insured_person_key: 'pB1',
              insurance_type: '310',
              dept_code: 'A03',
              discharged_at: '2025-03-10 10:00',
              discharge_month: '2025-03-01',
              year: 2025,
              length_of_stay_days: 3,
              is_death: false,
              drg_code: 'B',
              drg_name: 'B',
              group_source: 'settlement',
              drg_weight: 1,
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              payment_standard: 1900,
              payment_standard_source: 'settlement',
              base_rate: 2000,
              level_coefficient: 1,
              total_charges: 6000,
              fund_paid_amount: 0,
              self_paid_amount: 0,
            },
            {
              hospital_code: 'H1',
              visit_id: 'C1',
              publisher_code: 'P1',
              hospital_level: '3',
              patient_key: 'kC1',
              insured_person_key: 'pC1',
              insurance_type: '310',
              dept_code: 'A03',
              discharged_at: '2025-03-10 10:00',
              discharge_month: '2025-03-01',
              year: 2025,
              length_of_stay_days: 70,
              is_death: false,
              drg_code: 'A',
              drg_name: 'A',
              group_source: 'settlement',
              drg_weight: 1,
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              payment_standard: 2000,
              payment_standard_source: 'settlement',
              base_rate: 2000,
              level_coefficient: 1,
              total_charges: 2000,
              fund_paid_amount: 0,
              self_paid_amount: 0,
            },
          ],
          types: {
            discharged_at: 'timestamp',
            discharge_month: 'date',
            is_death: 'boolean',
            dip_score: 'numeric',
          },
        },
        hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
        drg_case_rules: [
          {
            publisher_code: '*',
            max_length_of_stay_days: 60,
            min_total_charges: 5,
            dip_score_per_weight: 100,
          },
        ],
        drg_outlier_bands: {
          rows: [
            {
              band_code: 'D1',
              publisher_code: '*',
              rw_above: 0,
              rw_up_to: 1,
              low_outlier_ratio: 0.4,
              high_outlier_ratio: 3,
            },
            {
              band_code: 'D2',
              publisher_code: '*',
              rw_above: 1,
              rw_up_to: null,
              low_outlier_ratio: 0.4,
              high_outlier_ratio: 2,
            },
          ],
        },
        int_payment_policy__drg_standards: [
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'A',
            low_outlier_ratio: 0.4,
            high_outlier_ratio: 2,
            outlier_basis: 'published',
          },
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'B',
            low_outlier_ratio: 0.4,
            high_outlier_ratio: 3,
            outlier_basis: 'band',
          },
        ],
        int_inpatient_cases__main_procedures: [
          { hospital_code: 'H1', visit_id: 'A1', procedure_code: 'P3', procedure_level: 3, procedure_level_source: 'seed' },
          { hospital_code: 'H1', visit_id: 'A2', procedure_code: 'P2', procedure_level: 2, procedure_level_source: 'front_page' },
        ],
        // every group here has a regional reference, which comes before the alliance's own mean
        int_drg_groups__alliance_reference: [
          { year: 2025, drg_code: 'A', hospital_level: '3', mean_charge: 9999, mean_los: 99 },
        ],
        stg_insurance__regional_reference: [
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'A',
            hospital_level: '3',
            mean_charge: 2000,
            mean_length_of_stay: 4,
          },
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'B',
            hospital_level: '3',
            mean_charge: 4000,
            mean_length_of_stay: 6,
          },
        ],
        int_drg_groups__risk_classes: [
          { publisher_code: 'P1', year: 2025, drg_code: 'A', risk_class: 1, risk_class_name: '低风险' },
        ],
        stg_insurance__dip_budget: [{ publisher_code: 'P9', year: 2025, point_value: 80 }],
        // A1 cost 900 against its 2 000 standard: 1 100 surplus in the hospital's view.
        fct_case_costs: [{ hospital_code: 'H1', visit_id: 'A1', case_cost: 900 }],
        int_inpatient_cases__diagnosed: [
          { hospital_code: 'H1', visit_id: 'A1', principal_diagnosis_code: 'K80.100', principal_diagnosis_name: '胆囊结石伴急性胆囊炎' },
        ],
      },
      expect: [
        {
          visit_id: 'A1',
          principal_diagnosis_code: 'K80.100',
          is_excluded: false,
          is_grouped: true,
          outlier_class: 'normal',
          outlier_threshold_source: 'published',
          charge_index_part: 0.5,
          los_index_part: 0.5,
          reference_basis: 'regional',
          margin_hospital_view: 1100,
          margin_payer_view: 1000,
          own_drg_code: 'B',
          own_payment_standard: 1900,
          own_predicted_margin: 900,
          groups_agree: false,
          doctor_group_key: 'doc1',
          icu_hours: 30.5,
          has_icu_stay: true,
          main_procedure_level: 3,
          main_procedure_level_source: 'seed',
          is_surgical: true,
          is_level_3_4_surgery: true,
        },
        {
          visit_id: 'A2',
          is_excluded: false,
          is_grouped: true,
          outlier_class: 'normal',
          outlier_threshold_source: 'published',
          charge_index_part: 1.5,
          los_index_part: 1.5,
          reference_basis: 'regional',
          margin_hospital_view: null,
          margin_payer_view: -1000,
          own_drg_code: null,
          own_predicted_margin: null,
          groups_agree: null,
          doctor_group_key: null,
          icu_hours: null,
          has_icu_stay: false,
          main_procedure_level: 2,
          main_procedure_level_source: 'front_page',
          is_surgical: true,
          is_level_3_4_surgery: false,
        },
        {
          visit_id: 'B1',
          is_excluded: false,
          is_grouped: true,
          outlier_class: 'high',
          outlier_threshold_source: 'policy_bands',
          charge_index_part: 1.5,
          los_index_part: 0.5,
          reference_basis: 'regional',
          margin_hospital_view: null,
          margin_payer_view: -4100,
          ...withoutClinicalRecord,
        },
        {
          visit_id: 'C1',
          is_excluded: true,
          is_grouped: false,
          outlier_class: null,
          outlier_threshold_source: 'published',
          charge_index_part: null,
          los_index_part: null,
          reference_basis: null,
          margin_hospital_view: null,
          margin_payer_view: 0,
          ...withoutClinicalRecord,
        },
      ],
    },
  ],
  tests: [
    {
      name: 'grouped_cases_have_weight',
      expression: 'not is_grouped or drg_weight is not null',
      severity: 'error',
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('int_inpatient_cases__grouped')}
    ),

    hospitals as (
      select * from ${ref('hospitals')}
    ),

    departments as (
      select * from ${ref('standard_departments')}
    ),

    rules as (
      select * from ${ref('drg_case_rules')}
    ),

    bands as (
      select * from ${ref('drg_outlier_bands')}
    ),

    -- outlier thresholds per group as the payment policy states them, with where they came from
    policies as (
      select * from ${ref('int_payment_policy__drg_standards')}
    ),

    -- the main procedure of each stay and its level
    main_procedures as (
      select * from ${ref('int_inpatient_cases__main_procedures')}
    ),

    reference as (
      select * from ${ref('stg_insurance__regional_reference')}
    ),

    risk as (
      select * from ${ref('int_drg_groups__risk_classes')}
    ),

    dip_budget as (
      select * from ${ref('stg_insurance__dip_budget')}
    ),

    -- the hospital's cost of each stay (cost accounting marts)
    case_costs as (
      select hospital_code, visit_id, case_cost from ${ref('fct_case_costs')}
    ),

    -- the principal diagnosis (病种), chosen as the case cost mart chooses it
    principal_diagnoses as (
      select * from ${ref('int_inpatient_cases__diagnosed')}
    ),

    published_ratios as (
      select
        publisher_code,
        year,
        drg_code,
        max(low_outlier_ratio) as low_outlier_ratio,
        max(high_outlier_ratio) as high_outlier_ratio,
        -- 'published' sorts after 'band': a group any row of which is published counts as published
        max(outlier_basis) as outlier_basis
      from policies
      where low_outlier_ratio is not null or high_outlier_ratio is not null
      group by 1, 2, 3
    ),

    with_rules as (
      select
        c.*,
        r.max_length_of_stay_days,
        r.min_total_charges,
        case when c.payment_method = 'DIP' then c.dip_score / nullif(r.dip_score_per_weight, 0) else c.drg_weight end
          as band_weight,
        ${exclusionReason('c')} as exclusion_reason
      from cases c
      ${caseRulesJoin('c')}
    ),

    flagged as (
      select
        w.*,
        w.exclusion_reason is not null as is_excluded,
        w.exclusion_reason is null and w.drg_code is not null as is_grouped
      from with_rules w
    ),

    -- the alliance's same-level mean, where the payer published no regional reference
    alliance_reference as (
      select * from ${ref('int_drg_groups__alliance_reference')}
    ),

    thresholds as (
      select
        f.*,
        coalesce(p.low_outlier_ratio, b.low_outlier_ratio) as low_outlier_ratio,
        coalesce(p.high_outlier_ratio, b.high_outlier_ratio) as high_outlier_ratio,
        case
          when p.drg_code is not null then case p.outlier_basis when 'published' then 'published' else 'policy_bands' end
          when b.publisher_code is not null then 'case_bands'
        end as outlier_threshold_source
      from flagged f
      left join published_ratios p
        on f.payment_method is distinct from 'DIP'
        and p.publisher_code = f.publisher_code and p.year = f.year and p.drg_code = f.drg_code
      left join lateral (
        select * from bands b
        where b.publisher_code in (f.publisher_code, '*')
          and f.band_weight > b.rw_above
          and (b.rw_up_to is null or f.band_weight <= b.rw_up_to)
        order by (b.publisher_code = '*')
        limit 1
      ) b on true
    ),

    final as (
      select
        -- ids
        t.hospital_code,
        t.visit_id,
        h.hospital_name,
        t.hospital_level,
        t.publisher_code,
        t.patient_key,
        t.insured_person_key,
        t.insurance_type,
        t.dept_code,
        d.std_dept_name as dept_name,
        pd.principal_diagnosis_code,
        pd.principal_diagnosis_name,
        t.attending_doctor_key as doctor_group_key,
        case when t.attending_doctor_key is not null
          then coalesce(d.std_dept_name, t.dept_code, '') || ' 医疗组 ' || upper(left(t.attending_doctor_key, 6))
        end as doctor_group_label,
        -- dates
        t.discharged_at,
        t.discharge_month,
        t.year,
        t.length_of_stay_days,
        t.is_death,
        -- ICU, ventilation and surgery
        t.icu_hours,
        t.ventilation_hours,
        t.icu_ventilation_source,
        coalesce(t.icu_hours > 0, false) as has_icu_stay,
        mp.procedure_code as main_procedure_code,
        mp.procedure_level as main_procedure_level,
        mp.procedure_level_source as main_procedure_level_source,
        mp.procedure_code is not null as is_surgical,
        coalesce(mp.procedure_level in (3, 4), false) as is_level_3_4_surgery,
        -- group
        t.drg_code,
        t.drg_name,
        left(t.drg_code, 1) as mdc_code,
        t.group_source,
        t.drg_weight,
        t.payment_method,
        t.dip_code,
        t.dip_score,
        -- the hospital's own group (pre-group)
        t.own_drg_code,
        t.own_drg_name,
        t.own_drg_weight,
        t.own_payment_standard,
        (t.own_payment_standard - t.total_charges)::numeric(18, 2) as own_predicted_margin,
        t.own_group_status,
        t.groups_agree,
        -- status
        t.is_excluded,
        t.exclusion_reason,
        t.is_grouped,
        o.outlier_class,
        case o.outlier_class when 'high' then '高倍率' when 'low' then '低倍率' when 'normal' then '正常倍率' end
          as outlier_class_name,
        round(t.total_charges / nullif(t.payment_standard, 0), 4) as charge_to_standard_ratio,
        t.low_outlier_ratio,
        t.high_outlier_ratio,
        t.outlier_threshold_source,
        k.risk_class,
        k.risk_class_name,
        -- amounts
        t.payment_standard,
        t.payment_standard_source,
        t.base_rate,
        t.level_coefficient,
        t.total_charges,
        t.fund_paid_amount,
        t.self_paid_amount,
        cc.case_cost::numeric(18, 2) as case_cost,
        (t.payment_standard - t.total_charges)::numeric(18, 2) as margin_payer_view,
        (t.payment_standard - cc.case_cost)::numeric(18, 2) as margin_hospital_view,
        b.point_value as dip_point_value,
        round(t.dip_score * b.point_value * coalesce(t.level_coefficient, 1), 2)::numeric(18, 2) as dip_estimated_payment,
        -- consumption index parts
        case when t.is_grouped then case when rr.mean_charge is not null then 'regional' when ar.mean_charge is not null then 'alliance' end end
          as reference_basis,
        case when t.is_grouped then round(coalesce(rr.mean_charge, ar.mean_charge), 2) end as reference_mean_charge,
        case when t.is_grouped then round(coalesce(rr.mean_los, ar.mean_los), 4) end as reference_mean_los_days,
        case when t.is_grouped then t.total_charges / nullif(coalesce(rr.mean_charge, ar.mean_charge), 0) end
          as charge_index_part,
        case when t.is_grouped then t.length_of_stay_days / nullif(coalesce(rr.mean_los, ar.mean_los), 0) end
          as los_index_part
      from thresholds t
      cross join lateral (
        select case
          when t.is_excluded or not coalesce(t.payment_standard > 0, false) or (t.payment_method is distinct from 'DIP' and not t.is_grouped) then null
          -- a stay whose total is known from no source (its settlement, front page and HIS stay all quarantined) is not judged
          when t.total_charges is null then null
          when t.total_charges > t.high_outlier_ratio * t.payment_standard then 'high'
          when t.total_charges < t.low_outlier_ratio * t.payment_standard then 'low'
          else 'normal'
        end as outlier_class
      ) o
      left join hospitals h on h.hospital_code = t.hospital_code
      left join departments d on d.std_dept_code = t.dept_code
      left join risk k on k.publisher_code = t.publisher_code and k.year = t.year and k.drg_code = t.drg_code
      left join dip_budget b on b.publisher_code = t.publisher_code and b.year = t.year and t.payment_method = 'DIP'
      left join case_costs cc on cc.hospital_code = t.hospital_code and cc.visit_id = t.visit_id
      left join principal_diagnoses pd on pd.hospital_code = t.hospital_code and pd.visit_id = t.visit_id
      left join main_procedures mp on mp.hospital_code = t.hospital_code and mp.visit_id = t.visit_id
      left join (
        select publisher_code, year, drg_code, hospital_level, mean_charge, mean_length_of_stay as mean_los from reference
      ) rr
        on rr.publisher_code = t.publisher_code and rr.year = t.year and rr.drg_code = t.drg_code and rr.hospital_level = t.hospital_level
      left join alliance_reference ar
        on ar.year = t.year and ar.drg_code = t.drg_code and ar.hospital_level = t.hospital_level
    )

    select * from final`,
});
