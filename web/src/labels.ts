/**
 * Chinese names for the codes the marts keep in English (statuses, severities, benchmark measures),
 * as the models' column descriptions define them. Shown in tables and pickers; a code without a
 * name here is shown as it is.
 */
export const alertStatusLabels: Record<string, string> = { open: '预警中', closed: '已解除' };

export const severityLabels: Record<string, string> = {
  high: '高',
  medium: '中',
  low: '低',
  blocking: '阻断',
  warning: '警告',
};

export const alertScopeLabels: Record<string, string> = {
  hospital: '全院',
  department: '科室',
  group: '病组',
  drug: '药品',
};

export const reviewStatusLabels: Record<string, string> = {
  pending: '待复核',
  confirmed: '确认违规',
  dismissed: '已排除',
};

export const freshnessStatusLabels: Record<string, string> = {
  pass: '及时',
  warn: '警告',
  error: '超期或未交付',
};

export const runStatusLabels: Record<string, string> = {
  success: '成功',
  error: '失败',
  fail: '未通过',
  skipped: '跳过',
  warn: '警告',
  pass: '通过',
  published: '已发布',
  blocked: '被阻断',
};

/** The peer benchmark's measures (models/intermediate/benchmark/_peer_measures.ts): title, format, direction. */
export const peerMeasures = [
  { code: 'cost_per_case', title: '例均成本', format: 'yuan', better: 'lower' },
  { code: 'charge_per_case', title: '例均费用', format: 'yuan', better: 'lower' },
  { code: 'length_of_stay', title: '平均住院日', format: 'decimal', better: 'lower' },
  { code: 'mortality', title: '病死率', format: 'percent', better: 'lower' },
  { code: 'cost_per_weight', title: 'CMI 校正成本', format: 'yuan', better: 'lower' },
] as const;

export type PeerMeasureCode = (typeof peerMeasures)[number]['code'];

/**
 * What the peer pools are cut by (对标维度), as the benchmark marts declare it
 * (models/intermediate/benchmark/_peer_pools.ts): the codes the views filter on and the labels.
 */
export const benchmarkDimensions = [
  { code: 'drg', title: '病组' },
  { code: 'disease', title: '病种' },
  { code: 'department', title: '科室' },
] as const;

export type BenchmarkDimensionCode = (typeof benchmarkDimensions)[number]['code'];

/** `labels[code]` or the code itself. */
export function labelOf(labels: Record<string, string>, code: unknown): string {
  if (code === null || code === undefined || code === '') return '—';
  return labels[String(code)] ?? String(code);
}
