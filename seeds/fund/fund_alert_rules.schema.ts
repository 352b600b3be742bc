import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The fund-supervision alert rules evaluated after every run: which indicator, at which level (the
 * whole hospital, each department, each DRG group or each drug), by month or by week, compared how
 * with which threshold — absolute, or relative to the payment standard, to the region or to the
 * indicator's own history — for how many consecutive periods before an alert opens, and who answers
 * for it. A 医保办 user edits thresholds, persistence and severity here without code;
 * int_fund_alert_observations lists the indicator, scope, period and basis combinations a rule may
 * use, and a rule naming another fails the build of fct_fund_alerts, naming the combination.
 */
export const schema: SeedSchema = {
  description:
    '医保基金监管预警规则：指标、范围、期间、阈值基准、比较方式、阈值、持续期数、严重程度与责任部门',
  key: 'rule_id',
  columns: [
    { name: 'rule_id', type: 'text', required: true, description: '规则编号' },
    {
      name: 'rule_name',
      type: 'text',
      required: true,
      description: '规则名称（中文，预警、通知与报告中显示）',
    },
    {
      name: 'indicator',
      type: 'text',
      required: true,
      description:
        '指标：fct_fund_indicators 的指标列（如 drug_share、material_share、avg_length_of_stay_days、avg_inpatient_charge_yoy_growth），或 avg_case_cost 病组次均成本、purchase_unit_price 药品采购单价、low_risk_mortality 低风险组死亡率',
    },
    {
      name: 'scope',
      type: 'text',
      required: true,
      description: 'hospital 全院 / department 各科室 / group 各 DRG 病组 / drug 各药品',
    },
    {
      name: 'period',
      type: 'text',
      required: true,
      description: 'month 按月 / week 按周（周一至周日，按出院日期）',
    },
    {
      name: 'basis',
      type: 'text',
      required: true,
      description:
        '阈值基准：absolute 指标值本身；payment_standard 相对支付标准（指标 / 支付标准 − 1）；region 相对区域（指标 − 区域同期值）；own_history 相对自身历史（指标 / 前 history_periods 期均值 − 1）',
    },
    {
      name: 'comparator',
      type: 'text',
      required: true,
      description: '> 高于阈值预警 / < 低于阈值预警 / <> 偏离超过阈值（绝对值）预警',
    },
    {
      name: 'threshold',
      type: 'numeric',
      required: true,
      description: '阈值（比率以小数表示，0.25 即 25%；相对基准时为偏离幅度，0.10 即高出 10%）',
    },
    {
      name: 'history_periods',
      type: 'integer',
      description: '自身历史基准取前几期的均值（basis = own_history 时必填）',
    },
    {
      name: 'min_cases',
      type: 'integer',
      description:
        '最少例数：指标所依据的病例数（病组周的成本比较例数、低风险组病例数）不足时该期不评估（留空为不限）',
    },
    {
      name: 'persistence',
      type: 'integer',
      required: true,
      description: '连续几期（月或周，按 period）满足条件才开启预警（1 即当期）',
    },
    { name: 'severity', type: 'text', required: true, description: '严重程度：high 高 / medium 中 / low 低' },
    { name: 'responsible_department', type: 'text', required: true, description: '责任部门（通知对象）' },
  ],
};
