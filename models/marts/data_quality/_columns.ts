import type { ColumnDefinition } from '../../../core/engine/model-definition.ts';

/**
 * Columns the data-quality marts share, declared once. Not a model: a file under `models/` whose
 * name starts with `_` is a module that models import.
 */
export const dataQualityColumns = {
  batch_id: { title: '批次编号', description: '交付批次的唯一编号。', tests: ['not_null'] },
  source: {
    title: '数据来源',
    description: '来源系统与交付类型，如 his.charge_lines。',
    tests: ['not_null'],
  },
  source_system: { title: '来源系统', description: '来源系统，如 his、emr。', tests: ['not_null'] },
  hospital_code: { title: '医院编码', description: '交付该批次的成员医院编码。', tests: ['not_null'] },
  rule_id: { title: '规则编号', description: '发现该异常的清洗规则。', tests: ['not_null'] },
  severity: {
    title: '严重程度',
    description: 'blocking 为阻断（未通过的行被隔离），warning 为警告（未通过的行仍入库）。',
    tests: [{ accepted_values: ['blocking', 'warning'] }],
  },
  period_month: {
    title: '数据月份',
    description: '月度交付的数据月份（当月第一天）；快照与增量抽取为空。',
  },
} satisfies Record<string, ColumnDefinition>;
