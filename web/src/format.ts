/**
 * Numbers the Chinese way: 万 and 亿 for large amounts in cards and charts, yuan to the cent in tables,
 * percentages with one decimal. Missing values show as "—", never as 0.
 */
const missing = '—';

function isMissing(value: unknown): value is null | undefined | '' {
  return value === null || value === undefined || value === '' || Number.isNaN(Number(value));
}

/** No value at all (text may be anything else, numbers or not). */
function isBlank(value: unknown): value is null | undefined | '' {
  return value === null || value === undefined || value === '';
}

/** 1234567 → "123.46万"; 3.2e8 → "3.20亿"; below 1万 as is with up to two decimals. */
export function compact(value: unknown, unit = ''): string {
  if (isMissing(value)) return missing;
  const n = Number(value);
  const abs = Math.abs(n);
  if (abs >= 1e8) return `${(n / 1e8).toFixed(2)}亿${unit}`;
  if (abs >= 1e4) return `${(n / 1e4).toFixed(2)}万${unit}`;
  return `${Number.isInteger(n) ? n : n.toFixed(2)}${unit}`;
}

// Made once: `toLocaleString` with a locale makes a new Intl.NumberFormat on every call (for the
// same text), about 100 ms of main-thread time per load of the DRG page's few thousand table cells.
const yuanFormat = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const countFormat = new Intl.NumberFormat('zh-CN');

/** Yuan to the cent with thousands separators: 1234567.8 → "1,234,567.80". */
export function yuan(value: unknown): string {
  if (isMissing(value)) return missing;
  return yuanFormat.format(Number(value));
}

/** A ratio (0.3125) as a percentage: "31.3%". */
export function percent(value: unknown, digits = 1): string {
  if (isMissing(value)) return missing;
  return `${(Number(value) * 100).toFixed(digits)}%`;
}

/** A whole count with separators: "12,345". */
export function count(value: unknown): string {
  if (isMissing(value)) return missing;
  return countFormat.format(Math.round(Number(value)));
}

/** A plain decimal (CMI, indices, days): "1.2346" with `digits` decimals. */
export function decimal(value: unknown, digits = 2): string {
  if (isMissing(value)) return missing;
  return Number(value).toFixed(digits);
}

export type Formatter = (value: unknown) => string;

/** The formats a column or card can ask for by name. */
export const formats = {
  compact: (v: unknown) => compact(v),
  yuan,
  percent: (v: unknown) => percent(v),
  /** Small rates (low-risk mortality): "0.05%". */
  percent2: (v: unknown) => percent(v, 2),
  count,
  decimal: (v: unknown) => decimal(v),
  decimal4: (v: unknown) => decimal(v, 4),
  text: (v: unknown) => (isBlank(v) ? missing : String(v)),
  month: (v: unknown) => month(v),
} satisfies Record<string, Formatter>;

export type FormatName = keyof typeof formats;

/** "2025-03-01T00:00:00.000" → "2025-03"; a timestamp → "2025-03-04 12:30". */
export function month(value: unknown): string {
  return isBlank(value) ? missing : String(value).slice(0, 7);
}

export function dateTime(value: unknown): string {
  if (isBlank(value)) return missing;
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString('zh-CN', { hour12: false });
}
