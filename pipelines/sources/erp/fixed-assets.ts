import { departmentCodes, nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** ERP/HRP fixed-asset register: buildings, equipment and software with their monthly depreciation. */
export const fixedAssets: SourceDefinition = {
  system: 'erp',
  entity: 'fixed_assets',
  description: 'ERP/HRP 固定资产与无形资产卡片（原值、折旧月数、月折旧额）',
  filePattern: /^fixed_assets\.csv$/,
  after: ['his.departments'],
  key: 'asset_id',
  uniqueKey: ['asset_id'],
  columns: [
    { name: 'asset_id', type: 'text', required: true, aliases: ['资产编号'] },
    { name: 'dept_code', type: 'text', required: true, aliases: ['使用科室'] },
    { name: 'asset_class', type: 'text', required: true, aliases: ['资产类别'] },
    { name: 'asset_name', type: 'text', aliases: ['资产名称'] },
    { name: 'original_value', type: 'numeric', required: true, aliases: ['原值'] },
    { name: 'useful_life_months', type: 'integer', aliases: ['折旧月数'] },
    { name: 'in_service_date', type: 'date', aliases: ['启用日期'] },
    { name: 'monthly_depreciation', type: 'numeric', required: true, aliases: ['月折旧额'] },
  ],
  rules: [
    nonNegative(['original_value', 'monthly_depreciation']),
    ...departmentCodes([{ column: 'dept_code', label: '使用科室' }]),
  ],
};
