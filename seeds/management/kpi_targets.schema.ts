import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The targets of the management cockpit's key indicators (院长驾驶舱), per indicator and year, for
 * the whole alliance (`*`, the default of every member hospital) or for one hospital (overrides the
 * default). A 医保办 or finance user edits targets here without code; dim_kpi_targets resolves
 * each hospital's target and the cockpit compares each indicator with it in the stated direction.
 */
export const schema: SeedSchema = {
  description: '院长驾驶舱关键指标目标值：指标、医院（* 为全医联体默认）、年度、目标值、方向与名称',
  key: 'indicator, hospital_code, year',
  columns: [
    {
      name: 'indicator',
      type: 'text',
      required: true,
      description:
        '指标：cmi、avg_inpatient_charge 住院次均费用、avg_inpatient_charge_growth 其同比增幅、avg_outpatient_charge 门诊次均费用、avg_outpatient_charge_growth 其同比增幅、drug_share 药占比、material_share 耗占比、avg_length_of_stay_days 平均住院日、fund_balance_rate 基金结余率、low_risk_mortality 低风险组死亡率',
    },
    {
      name: 'hospital_code',
      type: 'text',
      required: true,
      description: '医院编码；* 为医联体默认（各医院未单独设定时取此值，也是全医联体的目标）',
    },
    { name: 'year', type: 'integer', required: true, description: '年度' },
    {
      name: 'target',
      type: 'numeric',
      required: true,
      description: '目标值（比率以小数表示，0.30 即 30%；费用以元计；住院日以天计）',
    },
    { name: 'better', type: 'text', required: true, description: '方向：lower 越低越好 / higher 越高越好' },
    { name: 'label', type: 'text', required: true, description: '指标名称（中文，驾驶舱中显示）' },
  ],
};
