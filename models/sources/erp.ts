import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'erp',
  description: 'ERP/HRP 运营管理系统：科室成本明细账、人员数、面积与床位。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  // The ledger closes after the month: it arrives later than the clinical systems' deliveries.
  freshness: { warnAfterHours: 24 * 45, errorAfterHours: 24 * 75 },
  tables: {
    cost_ledger: { description: 'ERP/HRP 科室成本明细账（按月）' },
    headcount: { description: 'ERP/HRP 科室人员数（按月）' },
    floor_area: { description: 'ERP/HRP 科室面积与开放床位' },
  },
});
