import type { SeedSchema } from '../../core/contract/seed-schema.ts';

/**
 * Mortality risk classes of DRG groups: z = (ln m_g − mean) / SD of ln m over the region's groups
 * with deaths; a group falls in the class with z_from ≤ z < z_below. Groups without a death in the
 * region fall in the class whose z_from is empty (the lowest).
 */
export const schema: SeedSchema = {
  description: 'DRG 病组死亡风险分级：按标准化病死率 z 值的分段与名称',
  key: 'risk_class',
  columns: [
    { name: 'risk_class', type: 'integer', required: true, description: '风险等级（1 最低）' },
    { name: 'risk_class_name', type: 'text', required: true, description: '名称，如 低风险' },
    { name: 'z_from', type: 'numeric', required: false, description: 'z 值下限（含）；空为负无穷' },
    { name: 'z_below', type: 'numeric', required: false, description: 'z 值上限（不含）；空为正无穷' },
  ],
};
