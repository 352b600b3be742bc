import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'erp',
  description:
    'ERP/HRP 运营管理系统：科室成本明细账、人员数、面积与床位、薪酬标准、固定资产、采购、分摊动因与门诊住院划分。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  // The ledger closes after the month: it arrives later than the clinical systems' deliveries.
  freshness: { warnAfterHours: 24 * 45, errorAfterHours: 24 * 75 },
  tables: {
    cost_ledger: { description: 'ERP/HRP 科室成本明细账（按月）' },
    headcount: { description: 'ERP/HRP 科室人员数（按月）' },
    floor_area: { description: 'ERP/HRP 科室面积与开放床位' },
    pay_scales: { description: 'ERP/HRP 人员类别薪酬标准（按年）' },
    fixed_assets: { description: 'ERP/HRP 固定资产与无形资产卡片（原值、折旧月数、月折旧额）' },
    purchases: { description: 'ERP/HRP 药品、试剂、胶片与卫生材料采购入库（按月，按物资）' },
    allocation_drivers: { description: '成本分摊动因（按服务科室、受益科室，按月）' },
    service_split: { description: '门诊、住院共用科室的成本划分比例（按月）' },
  },
});
