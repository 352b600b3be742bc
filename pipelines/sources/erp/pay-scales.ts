import { nonNegative } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** ERP/HRP pay scales: monthly pay per head and on-cost rate by staff class and year. */
export const payScales: SourceDefinition = {
  system: 'erp',
  entity: 'pay_scales',
  description: 'ERP/HRP 人员类别薪酬标准（按年）',
  filePattern: /^pay_scales\.csv$/,
  key: 'staff_class',
  uniqueKey: ['year', 'staff_class'],
  columns: [
    { name: 'year', type: 'integer', required: true, aliases: ['年度'] },
    { name: 'staff_class', type: 'text', required: true, aliases: ['人员类别编码'] },
    { name: 'staff_class_name', type: 'text', aliases: ['人员类别'] },
    { name: 'monthly_pay', type: 'numeric', required: true, aliases: ['月人均薪酬'] },
    { name: 'oncost_rate', type: 'numeric', aliases: ['社保公积金计提比例'] },
  ],
  rules: [nonNegative(['monthly_pay', 'oncost_rate'])],
};
