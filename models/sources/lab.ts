import { defineSources } from '../../core/engine/source-definition.ts';

/** Every raw table also has batch_id, source_file, source_line and hospital_code (set by ingestion). */
export default defineSources({
  system: 'lab',
  description: 'LIS/PACS 检验检查系统：按开单、执行科室的工作量，按月交付。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  freshness: { warnAfterHours: 24 * 35, errorAfterHours: 24 * 62 },
  tables: {
    workload: { description: 'LIS/PACS 检查检验工作量（按开单、执行科室，按月）' },
  },
});
