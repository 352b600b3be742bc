/**
 * A typed column of a delivered file or seed, declared once: the raw table's DDL, the parser that
 * turns delivered text into a typed value, and the COPY encoding all derive from it.
 */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** A blank value breaks the `required_field_missing` rule. */
  readonly required?: boolean;
  /** Header names other systems deliver for this column (e.g. Chinese headers: 住院号). */
  readonly aliases?: readonly string[];
  readonly description?: string;
}

export type ColumnType = 'text' | 'integer' | 'numeric' | 'date' | 'timestamp' | 'boolean';

const ddlTypes: Record<ColumnType, string> = {
  text: 'text',
  integer: 'integer',
  numeric: 'numeric',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

export function ddlType(type: ColumnType): string {
  return ddlTypes[type];
}

/** The outcome of parsing one delivered value: a canonical text for COPY, or why it is not valid. */
export type ParsedValue =
  { readonly ok: true; readonly value: string | null } | { readonly ok: false; readonly problem: string };

const datePattern = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const timestampPattern = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const numericPattern = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const integerPattern = /^[-+]?\d+$/;

/**
 * Parses a delivered text value strictly: a date that does not exist (2025-02-30), a number with
 * thousands separators or a stray letter are problems, never guesses. Blank → null.
 *
 * @example parseValue('date', '2025-2-3') // { ok: true, value: '2025-02-03' }
 */
export function parseValue(type: ColumnType, raw: string): ParsedValue {
  if (raw.includes('\u0000')) return { ok: false, problem: 'contains a NUL character' };
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  switch (type) {
    case 'text':
      return { ok: true, value: raw };
    case 'integer':
      return integerPattern.test(text) && Math.abs(Number(text)) <= 2_147_483_647
        ? { ok: true, value: String(Number(text)) }
        : { ok: false, problem: 'is not a whole number' };
    case 'numeric':
      return numericPattern.test(text)
        ? { ok: true, value: text }
        : { ok: false, problem: 'is not a number' };
    case 'boolean':
      if (/^(1|true|t|y|yes|是)$/i.test(text)) return { ok: true, value: 't' };
      if (/^(0|false|f|n|no|否)$/i.test(text)) return { ok: true, value: 'f' };
      return { ok: false, problem: 'is not a yes/no value' };
    case 'date': {
      const m = datePattern.exec(text);
      return m && validDate(m[1]!, m[2]!, m[3]!)
        ? { ok: true, value: `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}` }
        : { ok: false, problem: 'is not a valid date (YYYY-MM-DD)' };
    }
    case 'timestamp': {
      const m =
        timestampPattern.exec(text) ??
        (datePattern.exec(text) ? [text, ...datePattern.exec(text)!.slice(1), '0', '00', '00'] : null);
      if (
        !m ||
        !validDate(m[1]!, m[2]!, m[3]!) ||
        Number(m[4]) > 23 ||
        Number(m[5]) > 59 ||
        Number(m[6] ?? 0) > 59
      ) {
        return { ok: false, problem: 'is not a valid time (YYYY-MM-DD HH:mm:ss)' };
      }
      return { ok: true, value: `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)} ${pad(m[4]!)}:${m[5]}:${m[6] ?? '00'}` };
    }
  }
}

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function pad(value: string): string {
  return value.padStart(2, '0');
}

/** Escapes one value for PostgreSQL's COPY text format (null → \N). */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
