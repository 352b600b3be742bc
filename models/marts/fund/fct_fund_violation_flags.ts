import { sql } from 'kysely';
import { money } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';

/** Columns of the screen carried through as they are (their descriptions are the screen's). */
const evidenceColumns = [
  'visit_key',
  'patient_key',
  'dept_code',
  'flag_month',
  'drg_code',
  'length_of_stay_days',
  'total_charges',
  'payment_standard',
  'main_diagnosis_code',
  'other_diagnoses',
  'related_visit_id',
  'related_visit_key',
  'related_discharged_at',
  'gap_days',
  'related_drg_code',
  'related_main_diagnosis_code',
  'item_code',
  'item_name',
  'charged_at',
  'line_count',
  'quantity',
  'unit_price',
  'catalogue_price',
  'line_ids',
  'amount_at_issue',
  'observed_value',
  'threshold_value',
  'evidence',
] as const;

/** A screened row of the unit test: every column the mart reads, empty unless given. */
const screenedRow: Record<string, unknown> = {
  ...Object.fromEntries(evidenceColumns.map((c) => [c, null])),
  visit_type: 'inpatient',
  dept_code: 'A03',
  flag_month: '2024-01-01',
};

export default defineModel({
  name: 'fct_fund_violation_flags',
  materialized: 'table',
  description: [
    '医保基金违规疑点：每个就诊 × 规则一行（分解住院、高套编码、低标入院、重复收费、超标准收费、高/低倍率），附证据、规则名称、严重程度、责任部门与复核状态。',
    '筛查方法与证据见 int_fund_violations__screened，规则参数见种子 fund_violation_rules。疑点是复核线索，不是结论。',
    '疑点键 flag_key = 规则编号:医院编码:就诊号，重建后不变；复核结论（confirmed 确认 / dismissed 排除、说明、复核人、时间）存于 ops.fund_violation_reviews（hdw violations review 写入），每次构建按疑点键关联，未复核为 pending。',
    '患者仅以加盐哈希键出现。',
  ].join(''),
  grain: 'One row per hospital, visit and screening rule.',
  primaryKey: 'flag_key',
  columns: {
    // ids
    flag_key: {
      title: '疑点键',
      description: '规则编号:医院编码:就诊号；复核结论按此键保存，全量重建后不变。',
      tests: ['not_null'],
    },
    rule_id: {
      title: '规则编号',
      description: '种子 fund_violation_rules 的规则编号。',
      tests: ['not_null', { relationships: { to: 'fund_violation_rules', field: 'rule_id' } }],
    },
    rule_code: {
      title: '筛查类型',
      description:
        'split_admission / upcoding / low_standard_admission / duplicate_charge / over_priced_charge / high_outlier / low_outlier。',
      tests: [
        {
          accepted_values: [
            'split_admission',
            'upcoding',
            'low_standard_admission',
            'duplicate_charge',
            'over_priced_charge',
            'high_outlier',
            'low_outlier',
          ],
        },
      ],
    },
    rule_name: { title: '规则名称', description: '规则的中文名称，如 分解住院。' },
    severity: { title: '严重程度', description: 'high 高 / medium 中 / low 低。' },
    responsible_department: { title: '责任部门', description: '负责核实与整改的部门。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    visit_id: { title: '就诊号', description: '住院号或门诊号。', tests: ['not_null'] },
    visit_type: { title: '就诊类型', description: 'inpatient 住院 / outpatient 门诊。' },
    visit_key: {
      title: '就诊键',
      description: '医院编码与就诊号的加盐 SHA-256：只见哈希键的用户以此区分病例。',
    },
    patient_key: {
      title: '患者键',
      description: '患者标识的加盐 SHA-256 哈希（盐为部署密钥 ops.key_salt）（医院编码与患者ID）。',
    },
    dept_code: { title: '科室编码', description: '出院科室（门诊为就诊科室）的标准科室编码。' },
    dept_name: { title: '科室', description: '标准科室名称。' },
    // dates
    flag_month: {
      title: '疑点月份',
      description: '住院为出院月份，否则为疑点明细的收费月份（当月第一天）。',
      type: 'date',
      tests: ['not_null'],
    },
    // the stay
    drg_code: { title: 'DRG 编码', description: '病组编码。' },
    length_of_stay_days: { title: '住院天数', description: '住院天数。' },
    total_charges: money('医疗费总额', '医疗费总额（元）。'),
    payment_standard: money('支付标准', '支付标准（元）。'),
    main_diagnosis_code: { title: '主诊断', description: '主诊断编码。' },
    other_diagnoses: { title: '其他诊断', description: '其他诊断编码与入院病情。' },
    // evidence
    related_visit_id: { title: '前次住院号', description: '分解住院：前次住院号。' },
    related_visit_key: { title: '前次就诊键', description: '分解住院：前次住院的就诊键（加盐 SHA-256）。' },
    related_discharged_at: { title: '前次出院时间', description: '分解住院：前次出院时间。' },
    gap_days: { title: '间隔天数', description: '分解住院：前次出院至本次入院的天数。', type: 'integer' },
    related_drg_code: { title: '前次病组', description: '分解住院：前次住院病组。' },
    related_main_diagnosis_code: { title: '前次主诊断', description: '分解住院：前次住院主诊断。' },
    item_code: { title: '项目编码', description: '收费疑点：金额最大的一项的项目编码。' },
    item_name: { title: '项目名称', description: '收费疑点：项目名称。' },
    charged_at: { title: '收费时间', description: '收费疑点：该项目的收费时间。' },
    line_count: { title: '明细行数', description: '收费疑点：涉及的收费明细行数。', type: 'integer' },
    quantity: { title: '数量', description: '收费疑点：该项目涉及明细的数量合计。', type: 'numeric(18, 4)' },
    unit_price: { title: '收费单价', description: '收费疑点：收费单价（元）。', type: 'numeric(18, 4)' },
    catalogue_price: {
      title: '目录价',
      description: '超标准收费：收费目录单价（元）。',
      type: 'numeric(18, 4)',
    },
    line_ids: { title: '明细流水号', description: '收费疑点：涉及的明细流水号。' },
    amount_at_issue: money('疑点金额', '超收或多收金额（元）；病例类规则为空。'),
    observed_value: {
      title: '判定值',
      description: '规则的判定值（见 int_fund_violations__screened）。',
      type: 'numeric(18, 4)',
    },
    threshold_value: {
      title: '界值',
      description: '判定值所比较的界值（种子参数或倍率界值）。',
      type: 'numeric(18, 4)',
    },
    evidence: { title: '证据', description: '证据（中文一句话，供复核）。', tests: ['not_null'] },
    // review
    review_status: {
      title: '复核状态',
      description: 'pending 待复核 / confirmed 确认违规 / dismissed 排除（hdw violations review）。',
      tests: ['not_null', { accepted_values: ['pending', 'confirmed', 'dismissed'] }],
    },
    review_status_name: { title: '复核状态名称', description: '待复核 / 确认违规 / 已排除。' },
    review_note: { title: '复核说明', description: '复核人填写的说明。' },
    reviewed_by: { title: '复核人', description: '复核人（数据库登录名）。' },
    reviewed_at: { title: '复核时间', description: '复核时间。' },
  },
  unitTests: [
    {
      // The key joins the stored review; a flag nobody reviewed is pending.
      name: 'labels the flag with its rule and attaches the stored review by key',
      given: {
        int_fund_violations__screened: [
          {
            ...screenedRow,
            rule_id: 'FV04',
            hospital_code: 'H1',
            visit_id: 'V1',
            evidence: '项目 I1 收费 2 次',
          },
          { ...screenedRow, rule_id: 'FV01', hospital_code: 'H1', visit_id: 'V2', evidence: '前次住院 V0' },
        ],
        fund_violation_rules: [
          {
            rule_id: 'FV04',
            rule_code: 'duplicate_charge',
            rule_name: '重复收费',
            severity: 'high',
            responsible_department: '物价科',
          },
          {
            rule_id: 'FV01',
            rule_code: 'split_admission',
            rule_name: '分解住院',
            severity: 'high',
            responsible_department: '医保办',
          },
        ],
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
        standard_departments: [{ std_dept_code: 'A03', std_dept_name: '内科' }],
        stg_ops__fund_violation_reviews: [
          {
            flag_key: 'FV04:H1:V1',
            review_status: 'confirmed',
            review_note: '已退费',
            reviewed_by: 'bob',
            reviewed_at: '2026-12-01 10:00',
          },
        ],
      },
      expect: [
        {
          flag_key: 'FV04:H1:V1',
          rule_name: '重复收费',
          responsible_department: '物价科',
          review_status: 'confirmed',
          review_status_name: '确认违规',
          review_note: '已退费',
        },
        {
          flag_key: 'FV01:H1:V2',
          rule_name: '分解住院',
          responsible_department: '医保办',
          review_status: 'pending',
          review_status_name: '待复核',
          review_note: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with screened as (
      select * from ${ref('int_fund_violations__screened')}
    ),

    rules as (
      select * from ${ref('fund_violation_rules')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    standard_departments as (
      select * from ${ref('standard_departments')}
    ),

    reviews as (
      select * from ${ref('stg_ops__fund_violation_reviews')}
    ),

    final as (
      select
        -- ids
        concat_ws(':', f.rule_id, f.hospital_code, f.visit_id) as flag_key,
        f.rule_id,
        r.rule_code,
        r.rule_name,
        r.severity,
        r.responsible_department,
        f.hospital_code,
        h.hospital_name,
        f.visit_id,
        f.visit_type,
        sd.std_dept_name as dept_name,
        -- keys, dates, the stay and the evidence
        ${sql.join(evidenceColumns.map((c) => sql`f.${sql.ref(c)}`))},
        -- review
        coalesce(v.review_status, 'pending') as review_status,
        case coalesce(v.review_status, 'pending')
          when 'confirmed' then '确认违规' when 'dismissed' then '已排除' else '待复核'
        end as review_status_name,
        v.review_note,
        v.reviewed_by,
        v.reviewed_at
      from screened f
      join rules r on r.rule_id = f.rule_id
      left join hospitals h on h.hospital_code = f.hospital_code
      left join standard_departments sd on sd.std_dept_code = f.dept_code
      left join reviews v on v.flag_key = concat_ws(':', f.rule_id, f.hospital_code, f.visit_id)
    )

    select * from final`,
});
