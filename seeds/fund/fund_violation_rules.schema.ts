import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The fund-violation screening rules of fct_fund_violation_flags: which screen (`rule_code`, one
 * of the seven the mart knows), its Chinese name, its parameters, severity and the department that
 * answers for it. A 医保办 user edits the parameters here without code; a parameter a rule does
 * not use stays empty. A flag is a lead for review, never a verdict. The 高套编码 screen also reads
 * fund_cc_supporting_items (what treats each CC/MCC).
 */
export const schema: SeedSchema = {
  description: '医保基金违规筛查规则：规则编号、筛查类型、中文名称、参数、严重程度与责任部门',
  key: 'rule_id',
  columns: [
    {
      name: 'rule_id',
      type: 'text',
      required: true,
      description: '规则编号（进入疑点键，改动后既往复核结论不再对应）',
    },
    {
      name: 'rule_code',
      type: 'text',
      required: true,
      description:
        '筛查类型：split_admission 分解住院 / upcoding 高套编码 / low_standard_admission 低标入院 / duplicate_charge 重复收费 / over_priced_charge 超标准收费 / high_outlier 高倍率 / low_outlier 低倍率',
    },
    { name: 'rule_name', type: 'text', required: true, description: '规则名称（中文，复核与报告中显示）' },
    {
      name: 'window_days',
      type: 'integer',
      description: '分解住院：出院后多少天内再入院（入院日 − 前次出院日 ≤ 此值）',
    },
    {
      name: 'max_length_of_stay_days',
      type: 'integer',
      description: '低标入院：住院天数不超过此值',
    },
    {
      name: 'max_charge_ratio',
      type: 'numeric',
      description:
        '可选，空为不限：低标入院另需医疗费总额 < 此值 × 支付标准；高套编码另需医疗费总额 < 此值 × 同级参考次均费用',
    },
    {
      name: 'max_stay_ratio',
      type: 'numeric',
      description: '可选，空为不限：高套编码另需住院天数 < 此值 × 同级参考平均住院日',
    },
    {
      name: 'price_tolerance',
      type: 'numeric',
      description: '超标准收费：单价 > 收费目录价格 × (1 + 此值)；0 即高于目录价',
    },
    {
      name: 'admission_conditions',
      type: 'text',
      description:
        '高套编码：只筛入院病情在此列（以 | 分隔）的 CC/MCC，4 = 无（住院期间发生）；空为不限入院病情',
    },
    {
      name: 'drg_codes',
      type: 'text',
      description: '低标入院：可在门诊治疗的病组，以 | 分隔',
    },
    {
      name: 'treatment_categories',
      type: 'text',
      description:
        '低标入院：算作治疗的医保收费项目类别，以 | 分隔（05 治疗费、06 手术费）；住院期间无此类收费明细即未经治疗；空为不看收费明细',
    },
    { name: 'severity', type: 'text', required: true, description: '严重程度：high 高 / medium 中 / low 低' },
    { name: 'responsible_department', type: 'text', required: true, description: '责任部门' },
  ],
};
