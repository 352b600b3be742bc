import {
  copyText,
  DEFAULT_TIME_ZONE,
  parseValue,
  type ColumnSpec,
  type ParseOptions,
} from '../../core/contract/columns.ts';
import { HdwError } from '../../core/errors.ts';
import type { CsvRecord } from './csv-records.ts';
import type { SourceDefinition } from './source-definition.ts';

/** The delivery cannot be read as its source at all (e.g. a required column is missing). */
export class DeliveryError extends HdwError {
  constructor(message: string, code = 'E_DELIVERY') {
    super(code, message);
  }
}

/** Conformance checks made while reading a row, before any SQL rule. */
export const parseRules = {
  required_field_missing: { category: 'completeness', severity: 'blocking', description: '必填字段为空' },
  invalid_value: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '字段值格式错误（日期、数字、NUL 字符等）',
  },
  column_count_mismatch: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '字段个数与表头不符',
  },
  unbalanced_quotes: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '引号不成对，无法拆分字段',
  },
  invalid_cell: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '电子表格单元格无法转换（无效日期、错误值如 #N/A、无缓存结果的公式、合并单元格）',
  },
  invalid_encoding: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '含有按文件编码无法解码的字节（混合编码）',
  },
  field_too_long: { category: 'conformance.value', severity: 'blocking', description: '字段超长' },
  formula_in_text: {
    category: 'conformance.value',
    severity: 'blocking',
    description: '文本字段以公式开头（=、+、-、@），导出到电子表格时会被执行',
  },
  sql_fragment_in_text: {
    category: 'conformance.value',
    severity: 'warning',
    description: '文本字段含 SQL 片段（已按文本安全入库）',
  },
  duplicate_row: {
    category: 'uniqueness',
    severity: 'warning',
    description: '与前面某行完全相同的重复行（已去重，不入库）',
  },
  conflicting_duplicate_key: {
    category: 'uniqueness',
    severity: 'blocking',
    description: '同一标识在本批次中出现多次且内容不同',
  },
  future_date: {
    category: 'plausibility.temporal',
    severity: 'blocking',
    description: '日期晚于入库时间（未来日期）',
  },
} as const;

export type ParseRuleId = keyof typeof parseRules;

/** Longest field accepted, in characters; a longer one is quarantined and its payload shortened. */
export const MAX_FIELD_CHARS = 100_000;
/** Separates the delivered fields of a row in the load table's `raw` column. */
export const FIELD_SEPARATOR = '\u001f';

export interface HeaderMapping {
  readonly headers: readonly string[];
  /** For each declared column, the index of the delivered column holding it (or -1 when absent). */
  readonly positions: readonly number[];
  /** What the steward should know about the header: unknown columns, optional columns absent. */
  readonly notes: readonly string[];
}

const candidateDelimiters = [',', ';', '\t', '|'];

/** Matches delivered headers (English or Chinese aliases) to the declared columns. */
export function mapHeader(source: SourceDefinition, header: readonly string[], file: string): HeaderMapping {
  const headers = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  // A derived column is looked for in the file only when it names headers (it may start from them).
  const derived = new Set(
    (source.derived ?? [])
      .map((d) => d.column)
      .filter((name) => !source.columns.find((c) => c.name === name)?.aliases?.length),
  );
  const positionsFor = (names: readonly string[]) =>
    source.columns.map((column) =>
      derived.has(column.name)
        ? -1
        : names.findIndex((h) => h === column.name || (column.aliases ?? []).includes(h)),
    );
  const positions = positionsFor(headers);
  const missing = source.columns.filter((c, i) => c.required && positions[i] === -1);
  if (missing.length > 0) {
    const delimiter = source.delimiter ?? ',';
    const joined = header.join(delimiter);
    const better = candidateDelimiters.find(
      (d) =>
        d !== delimiter &&
        positionsFor(joined.split(d).map((h) => h.trim())).filter((p) => p >= 0).length >
          positions.filter((p) => p >= 0).length,
    );
    if (better) {
      throw new DeliveryError(
        `${file}: the header splits on ${JSON.stringify(better)}, not the declared delimiter ${JSON.stringify(delimiter)}: wrong delimiter (header was: ${joined.slice(0, 200)})`,
        'E_DELIMITER',
      );
    }
    const names = missing.map((c) => (c.aliases?.[0] ? `${c.name} (${c.aliases[0]})` : c.name)).join(', ');
    throw new DeliveryError(
      `${file}: missing required column(s) ${names}; header was: ${headers.join(',').slice(0, 500)}`,
      'E_COLUMNS',
    );
  }
  const known = new Set(positions.filter((p) => p >= 0));
  const unknown = headers.filter((_, i) => !known.has(i));
  const absent = source.columns
    .filter((c, i) => positions[i] === -1 && !derived.has(c.name))
    .map((c) => c.name);
  const notes = [
    ...(unknown.length > 0 ? [`未声明的列已忽略 (unknown columns ignored): ${unknown.join(', ')}`] : []),
    ...(absent.length > 0 ? [`可选列缺失，按空值入库 (optional columns absent): ${absent.join(', ')}`] : []),
  ];
  return { headers, positions, notes };
}

interface Problem {
  readonly rule: ParseRuleId;
  readonly message: string;
}

/** Problems of the row being encoded; one array reused, since almost every row has none. */
const found: Problem[] = [];
function problem(rule: ParseRuleId, message: string): void {
  found.push({ rule, message });
}

/** Characters COPY's text format needs escaped, and the starts of text worth a closer look. */
const needsEscape = /[\\\t\n\r]/;
const suspicious = /[;'\u0000]|--|\/\*|union/i;

/**
 * Encodes one record as a line of the load table in COPY text format: line, raw fields, problems
 * (JSON, or null when clean), hospital, each declared column parsed strictly, then the record
 * hash when the reader computed one. A bad value
 * becomes null plus a problem, so the row is quarantined by the SQL phase rather than failing COPY.
 * This runs for every delivered row, so the common clean row takes the cheap paths: one test for
 * escaping and one for suspicious text per row, not per field.
 */
export function encodeRow(
  source: SourceDefinition,
  mapping: HeaderMapping,
  record: CsvRecord,
  hospital: string,
  recordHash?: number,
): string {
  found.length = 0;
  timeZone = source.timeZone ?? DEFAULT_TIME_ZONE;
  const { fields } = record;
  if (record.problem) problem(record.problem.rule, record.problem.message);
  else if (fields.length !== mapping.headers.length) {
    problem(
      'column_count_mismatch',
      `第 ${record.line} 行有 ${fields.length} 个字段，表头有 ${mapping.headers.length} 个`,
    );
  }
  // A workbook cell that cannot be converted counts when it is in a column the source reads.
  if (record.cellProblems)
    for (const cell of record.cellProblems)
      if (mapping.positions.includes(cell.field)) problem('invalid_cell', cell.message);
  let raw = fields.length === 1 ? fields[0]! : fields.join(FIELD_SEPARATOR);
  if (raw.length > MAX_FIELD_CHARS) {
    const longest = Math.max(...fields.map((f) => f.length));
    if (longest > MAX_FIELD_CHARS) {
      problem(
        'field_too_long',
        `第 ${record.line} 行有一个字段长 ${longest} 个字符，超过上限 ${MAX_FIELD_CHARS}（原文件保留在 _processed 中）`,
      );
      raw = fields
        .map((f) => (f.length > MAX_FIELD_CHARS ? `${f.slice(0, 1000)}…[${f.length} chars]` : f))
        .join(FIELD_SEPARATOR);
    }
  }
  if (raw.indexOf('\uFFFD') !== -1)
    problem('invalid_encoding', `第 ${record.line} 行含无法按文件编码解码的字节`);
  const escape = needsEscape.test(raw);
  const check = suspicious.test(raw);
  if (check && raw.indexOf('\u0000') !== -1) raw = raw.replaceAll('\u0000', '\u2400');
  let values = '';
  const columns = source.columns;
  const positions = mapping.positions;
  for (let i = 0; i < columns.length; i += 1) {
    const position = positions[i]!;
    const value = record.problem || position < 0 ? '' : (fields[position] ?? '');
    const parsed = parseColumn(columns[i]!, value, check);
    values += parsed === null ? '\t\\N' : `\t${escape ? copyText(parsed) : parsed}`;
  }
  const head = `${record.line}\t${escape ? copyText(raw) : raw}\t${found.length > 0 ? copyText(JSON.stringify(found)) : '\\N'}\t${hospital}`;
  return `${head}${values}\t${recordHash ?? '\\N'}\n`;
}

const formulaStart = /^[=@\t\r]|^[+-][^\d.\s]/;
const sqlFragment =
  /;\s*(drop|delete|insert|update|alter|truncate|create|grant)\s|\bunion\s+(all\s+)?select\b|'\s*or\s+'?\w+'?\s*=\s*'?\w|--\s*$|\/\*.*\*\//i;
const canonicalTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const canonicalDate = /^\d{4}-\d{2}-\d{2}$/;
const plainNumber = /^-?\d+(\.\d+)?$/;
const validDates = new Map<string, boolean>();
/** The time zone of the row being encoded (its source's): times with an offset are converted to it. */
let timeZone = DEFAULT_TIME_ZONE;

function optionsOf(column: ColumnSpec): ParseOptions {
  return { formats: column.formats, timeZone };
}

/** Parses one delivered value of a column; `check` says the row has text worth testing for NUL and SQL. */
function parseColumn(column: ColumnSpec, raw: string, check: boolean): string | null {
  if (raw.length === 0) {
    if (column.required) problem('required_field_missing', `必填字段 ${column.name} 为空`);
    return null;
  }
  switch (column.type) {
    case 'text': {
      if (check && raw.indexOf('\u0000') !== -1) return invalid(column, raw);
      if (raw.length > MAX_FIELD_CHARS) return null;
      const c = raw.charCodeAt(0);
      // = + - @ tab CR: what a spreadsheet would run as a formula.
      if ((c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) && formulaStart.test(raw)) {
        problem('formula_in_text', `${column.name} 以公式开头：${JSON.stringify(raw.slice(0, 40))}`);
      } else if (check && sqlFragment.test(raw)) {
        problem('sql_fragment_in_text', `${column.name} 含 SQL 片段：${JSON.stringify(raw.slice(0, 40))}`);
      }
      if (c === 32 || raw.charCodeAt(raw.length - 1) === 32) return blankAsNull(column, raw);
      return raw;
    }
    case 'numeric':
      if (plainNumber.test(raw)) return raw;
      break;
    case 'timestamp':
      if (canonicalTimestamp.test(raw)) return fastDateTime(raw) ? raw : invalid(column, raw);
      break;
    case 'date':
      if (canonicalDate.test(raw)) return fastDateTime(raw) ? raw : invalid(column, raw);
      break;
  }
  const parsed = parseValue(column.type, raw, optionsOf(column));
  if (!parsed.ok) return invalid(column, raw, parsed.problem);
  if (parsed.value === null && column.required)
    problem('required_field_missing', `必填字段 ${column.name} 为空`);
  return parsed.value;
}

function blankAsNull(column: ColumnSpec, raw: string): string | null {
  if (raw.trim() !== '') return raw;
  if (column.required) problem('required_field_missing', `必填字段 ${column.name} 为空`);
  return null;
}

function invalid(column: ColumnSpec, raw: string, why?: string): null {
  const reason = why ?? parseValue(column.type, raw, optionsOf(column));
  const text = typeof reason === 'string' ? reason : reason.ok ? 'is not valid' : reason.problem;
  problem('invalid_value', `${column.name} ${JSON.stringify(raw.slice(0, 50))} ${text}`);
  return null;
}
/** Checks a canonical `YYYY-MM-DD[ HH:mm:ss]` without a regex per part; day validity is cached per date. */
function fastDateTime(raw: string): boolean {
  // Days 1–28 of months 01–12 exist in every year: no lookup needed.
  const m = (raw.charCodeAt(5) - 48) * 10 + raw.charCodeAt(6) - 48;
  const d = (raw.charCodeAt(8) - 48) * 10 + raw.charCodeAt(9) - 48;
  if (m >= 1 && m <= 12 && d >= 1 && d <= 28 && raw.length === 10) return true;
  if (m >= 1 && m <= 12 && d >= 1 && d <= 28 && raw.length === 19) {
    return (
      (raw.charCodeAt(11) - 48) * 10 + raw.charCodeAt(12) - 48 <= 23 &&
      raw.charCodeAt(14) <= 53 &&
      raw.charCodeAt(17) <= 53
    );
  }
  if (raw.length === 19) {
    const h = Number(raw.slice(11, 13));
    const m = Number(raw.slice(14, 16));
    const s = Number(raw.slice(17, 19));
    if (h > 23 || m > 59 || s > 59) return false;
  }
  const day = raw.slice(0, 10);
  let ok = validDates.get(day);
  if (ok === undefined) {
    ok = parseValue('date', day).ok;
    if (validDates.size > 100_000) validDates.clear();
    validDates.set(day, ok);
  }
  return ok;
}
