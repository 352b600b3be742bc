import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'insurance',
  description:
    '医保结算清单（结算信息、诊断、手术操作、收费项目类别与基金支付，按出院月交付）及医保局发布的 DRG/DIP 支付政策与区域参考值（按年）。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  freshness: { warnAfterHours: 24 * 35, errorAfterHours: 24 * 62 },
  tables: {
    settlements: {
      description: '医保结算清单：结算信息（含付费方 DRG 分组结果、拒付与扣款）',
      columns: {
        psn_no: { description: '人员编号', pii: true },
        medcasno: { description: '病案号', pii: true },
        brdy: { description: '出生日期', pii: true },
      },
    },
    settlement_diagnoses: { description: '医保结算清单：诊断' },
    settlement_procedures: { description: '医保结算清单：手术操作' },
    settlement_charge_categories: { description: '医保结算清单：收费项目类别（甲类、乙类、全自费）' },
    fund_payments: { description: '医保结算清单：基金支付' },
    // Published by a 医保局 for its region (publisher code in hospital_code, e.g. P320900), one file a year.
    drg_groups: { description: '医保局发布：DRG 病组权重、基准点数与高低倍率界值（按年）' },
    drg_base_rates: { description: '医保局发布：DRG 费率（按险种、医院等级）、级别系数与点值（按年）' },
    regional_reference: { description: '医保局发布：区域 DRG 病组参考值（按医院等级）' },
    dip_catalogue: { description: '医保局发布：DIP 病种目录与分值（按年）' },
    dip_budget: { description: '医保局发布：DIP 年度预算、总分值与点值' },
  },
});
