import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The fund-supervision alert rules evaluated on fct_fund_indicators after every run: which
 * indicator, at which level (the whole hospital or each department), compared how with which
 * threshold, for how many consecutive months before an alert opens, and who answers for it. A
 * 医保办 user edits thresholds, persistence and severity here without code; fct_fund_alerts lists
 * the indicators a rule may use, and a rule naming another fails its build, naming the indicator.
 */
export const schema: SeedSchema = {
  description: '医保基金监管预警规则：指标、范围、比较方式、阈值、持续月数、严重程度与责任部门',
  key: 'rule_id',
  columns: [
    { name: 'rule_id', type: 'text', required: true, description: '规则编号' },
    { name: 'rule_name', type: 'text', required: true, description: '规则名称（中文，预警与报告中显示）' },
    {
      name: 'indicator',
      type: 'text',
      required: true,
      description: 'fct_fund_indicators 的指标列，如 drug_share、material_share、avg_length_of_stay_days',
    },
    { name: 'scope', type: 'text', required: true, description: 'hospital 全院 / department 各科室' },
    { name: 'comparator', type: 'text', required: true, description: '> 高于阈值预警 / < 低于阈值预警' },
    {
      name: 'threshold',
      type: 'numeric',
      required: true,
      description: '阈值（比率以小数表示，0.25 即 25%）',
    },
    {
      name: 'persistence_months',
      type: 'integer',
      required: true,
      description: '连续几个月满足条件才开启预警（1 即当月）',
    },
    { name: 'severity', type: 'text', required: true, description: '严重程度：high 高 / medium 中 / low 低' },
    { name: 'responsible_department', type: 'text', required: true, description: '责任部门（通知对象）' },
  ],
};
