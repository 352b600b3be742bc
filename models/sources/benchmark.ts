import { defineSources } from '../../core/engine/source-definition.ts';

/**
 * Published benchmark tables (pipelines/sources/benchmark/): every declared table of a kind loads
 * into the kind's one raw table, `published_table` naming the declaration. Every raw table also
 * has batch_id, source_file, source_line and hospital_code (the publisher code, set by ingestion).
 */
export default defineSources({
  system: 'benchmark',
  description:
    '外部对标表：区域医保、其他医联体或国家/外国发布的按机构 × 病组 × 期间的例数、次均费用与支付，以及病组权重表。',
  loadedAtField: 'ops.batches.loaded_at (via batch_id)',
  tables: {
    provider_groups: {
      description:
        '外部发布：机构 × 病组 × 期间的例数、次均费用/成本、平均住院日与支付（如 CMS IPPS 医院汇总）',
    },
    group_weights: { description: '外部发布：病组相对权重与平均住院日（如 CMS MS-DRG 表 5）' },
  },
});
