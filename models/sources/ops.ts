import { defineSources } from '../../core/engine/source-definition.ts';

/** The warehouse's own load ledger: models read it to follow replaced deliveries. */
export default defineSources({
  system: 'ops',
  description: '数据仓库运行台账：批次、对账。',
  schema: 'ops',
  tables: {
    batches: { description: '每次交付一个批次：来源、医院、期间、状态（loaded / replaced）与对账数字' },
  },
});
