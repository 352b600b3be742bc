import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Which driver each sending unit allocates by. The most specific rule wins: a hospital's own rule
 * before the alliance's, and within each a local department before a standard department before a
 * class. A rule names exactly one of the three senders.
 */
export const schema: SeedSchema = {
  description: '成本分摊规则：分摊方（科室/标准科室/类别，可按医院）→ 分摊动因与备用动因',
  key: 'rule_id',
  columns: [
    { name: 'rule_id', type: 'text', required: true },
    { name: 'hospital_code', type: 'text', description: '空为全联盟适用' },
    { name: 'sender_dept_code', type: 'text', description: '院内科室编码（须同时填医院）' },
    { name: 'sender_std_dept_code', type: 'text', description: '标准科室编码' },
    { name: 'sender_class', type: 'text', description: '核算单元类别' },
    { name: 'driver_code', type: 'text', required: true },
    {
      name: 'fallback_driver_code',
      type: 'text',
      description: '当月主动因在受益科室上合计为零时改用的动因',
    },
    { name: 'note', type: 'text' },
  ],
};
