import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * The data-quality rule catalogue as configuration (after OHDSI's DQD): a steward changes a rule's
 * severity, the share of failing rows above which a whole batch is flagged, or its parameter (the
 * unit-price tolerance) here and runs `hdw seed`; ingestion reads it at every batch.
 */
export const schema: SeedSchema = {
  description: '数据质量规则目录：严重级别、批次告警阈值、参数',
  key: 'rule_id',
  columns: [
    { name: 'rule_id', type: 'text', required: true },
    { name: 'category', type: 'text', required: true },
    { name: 'severity', type: 'text', required: true, description: 'blocking 隔离；warning 入库并记录' },
    { name: 'batch_threshold', type: 'numeric', required: true, description: '失败行占比超过该值时整批标记' },
    { name: 'parameter', type: 'numeric', description: '规则参数，如单价偏离容差 0.2' },
    { name: 'description', type: 'text', required: true },
  ],
};
