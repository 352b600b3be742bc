import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** The hospital's own grouper result (院内预分组) for every discharged stay, self-pay stays included. */
export const drgGroupings: SourceDefinition = {
  system: 'emr',
  entity: 'drg_groupings',
  description: '院内 DRG 预分组结果（全部出院病例，含自费）',
  filePattern: /^drg_groupings_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.inpatient_visits'],
  key: 'visit_id',
  uniqueKey: ['visit_id'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'medcasno', type: 'text', aliases: ['病案号'] },
    { name: 'insurance_type', type: 'text', aliases: ['险种'] },
    { name: 'drg_code', type: 'text', aliases: ['DRG编码'] },
    { name: 'drg_name', type: 'text', aliases: ['DRG名称'] },
    { name: 'drg_rw', type: 'numeric', aliases: ['DRG权重'] },
    { name: 'grouper_version', type: 'text', aliases: ['分组器版本'] },
  ],
  rules: [],
};
