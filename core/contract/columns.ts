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
  /**
   * The value formats this column accepts besides its type's canonical one (see `valueFormats`;
   * default `defaultFormats[type]`, `[]` for the canonical format alone). A value in none of them
   * is quarantined as `invalid_value`, the accepted formats named.
   */
  readonly formats?: readonly ValueFormat[];
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

/**
 * The value formats a column may accept, with the label users read in messages and FORMATS.md.
 * `datetime`: `2025-03-01 16:40:23` (also `/`, minutes or a date alone). `iso8601`:
 * `2025-03-01T16:40:23`, fractional seconds, `Z` or an offset (`+08:00`, `+0800`), converted to
 * the hospital's time zone. `compact`: `20250301164023` or `20250301`. `thousands`: `1,234.50`.
 */
export const valueFormats = {
  datetime: { types: ['timestamp'], label: 'YYYY-MM-DD HH:mm:ss' },
  iso8601: { types: ['timestamp'], label: 'ISO 8601 (2025-03-01T16:40:23[.123][Z|+08:00])' },
  compact: { types: ['timestamp', 'date'], label: 'YYYYMMDDHHmmss / YYYYMMDD' },
  date: { types: ['date'], label: 'YYYY-MM-DD' },
  plain: { types: ['numeric', 'integer'], label: '1234.50' },
  thousands: { types: ['numeric', 'integer'], label: '1,234.50 (千分位)' },
} as const satisfies Record<string, { readonly types: readonly ColumnType[]; readonly label: string }>;

export type ValueFormat = keyof typeof valueFormats;

/**
 * The canonical format of each type, always accepted (it is what COPY and the fast CSV path read);
 * a column's `formats` add to it.
 */
export const canonicalFormats: Readonly<Record<ColumnType, readonly ValueFormat[]>> = {
  text: [],
  boolean: [],
  integer: ['plain'],
  numeric: ['plain'],
  date: ['date'],
  timestamp: ['datetime'],
};

/** What a column accepts besides the canonical format when its declaration names no formats: what real systems emit. */
export const defaultFormats: Readonly<Record<ColumnType, readonly ValueFormat[]>> = {
  text: [],
  boolean: [],
  integer: ['thousands'],
  numeric: ['thousands'],
  date: ['compact'],
  timestamp: ['iso8601', 'compact'],
};

/** The hospital's time zone unless configured (`HDW_TIME_ZONE`). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** How a value is read: the formats accepted besides the canonical one (default by type) and the zone offsets convert to. */
export interface ParseOptions {
  readonly formats?: readonly ValueFormat[];
  readonly timeZone?: string;
}

/** Every format a column accepts: its type's canonical one, then those declared (default: `defaultFormats`). */
export function formatsOf(column: Pick<ColumnSpec, 'type' | 'formats'>): readonly ValueFormat[] {
  const declared = column.formats ?? defaultFormats[column.type];
  return [...new Set([...canonicalFormats[column.type], ...declared])];
}

const datePattern = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const timestampPattern = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const compactPattern = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
const numericPattern = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const thousandsPattern = /^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$/;
const integerPattern = /^[-+]?\d+$/;

/**
 * Parses a delivered text value strictly in the formats accepted: a date that does not exist
 * (2025-02-30), a number with a stray letter, `01/03/2025` (day or month first?) are problems,
 * never guesses, and the problem names the formats accepted. Blank → null.
 *
 * @example parseValue('date', '2025-2-3') // { ok: true, value: '2025-02-03' }
 * @example parseValue('timestamp', '2025-03-01T08:40:23Z') // { ok: true, value: '2025-03-01 16:40:23' }
 */
export function parseValue(type: ColumnType, raw: string, options: ParseOptions = {}): ParsedValue {
  if (raw.includes('\u0000')) return { ok: false, problem: 'contains a NUL character' };
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  const formats = formatsOf({ type, formats: options.formats });
  switch (type) {
    case 'text':
      return { ok: true, value: raw };
    case 'integer': {
      const plain =
        formats.includes('thousands') && thousandsPattern.test(text) ? text.replaceAll(',', '') : text;
      return (formats.includes('plain') || plain !== text) &&
        integerPattern.test(plain) &&
        Math.abs(Number(plain)) <= 2_147_483_647
        ? { ok: true, value: String(Number(plain)) }
        : { ok: false, problem: `is not a whole number${accepted(formats)}` };
    }
    case 'numeric':
      if (formats.includes('plain') && numericPattern.test(text)) return { ok: true, value: text };
      if (formats.includes('thousands') && thousandsPattern.test(text))
        return { ok: true, value: text.replaceAll(',', '') };
      return { ok: false, problem: `is not a number${accepted(formats)}` };
    case 'boolean':
      if (/^(1|true|t|y|yes|是)$/i.test(text)) return { ok: true, value: 't' };
      if (/^(0|false|f|n|no|否)$/i.test(text)) return { ok: true, value: 'f' };
      return { ok: false, problem: 'is not a yes/no value' };
    case 'date': {
      const m =
        (formats.includes('date') ? datePattern.exec(text) : null) ??
        (formats.includes('compact') && text.length === 8 ? compactPattern.exec(text) : null);
      return m && validDate(m[1]!, m[2]!, m[3]!)
        ? { ok: true, value: `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}` }
        : { ok: false, problem: `is not a valid date${accepted(formats)}` };
    }
    case 'timestamp':
      return (
        parseTimestamp(text, formats, options.timeZone ?? DEFAULT_TIME_ZONE) ?? {
          ok: false,
          problem: `is not a valid time${accepted(formats)}`,
        }
      );
  }
}

/** `; accepted: YYYY-MM-DD HH:mm:ss, …`: what a problem message says the column would have taken. */
function accepted(formats: readonly ValueFormat[]): string {
  return formats.length === 0 ? '' : ` (accepted: ${formats.map((f) => valueFormats[f].label).join('; ')})`;
}

/** A timestamp in one of `formats`, as local time of `timeZone`; undefined when none reads it. */
function parseTimestamp(
  text: string,
  formats: readonly ValueFormat[],
  timeZone: string,
): ParsedValue | undefined {
  let m: (string | undefined)[] | null = null;
  if (formats.includes('datetime')) {
    const date = datePattern.exec(text);
    m = timestampPattern.exec(text) ?? (date ? [text, date[1], date[2], date[3], '0', '00', '00'] : null);
  }
  if (!m && formats.includes('compact')) {
    const c = compactPattern.exec(text);
    if (c) m = [text, c[1], c[2], c[3], c[4] ?? '0', c[5] ?? '00', c[6] ?? '00'];
  }
  let fraction = '';
  let offset: string | undefined;
  if (!m && formats.includes('iso8601')) {
    const iso = isoPattern.exec(text);
    if (iso) {
      m = [text, iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]];
      // Microseconds are what the warehouse keeps; further digits are cut, not rounded.
      const digits = (iso[7] ?? '').slice(0, 6).replace(/0+$/, '');
      fraction = digits === '' ? '' : `.${digits}`;
      offset = iso[8];
    }
  }
  if (
    !m ||
    !validDate(m[1]!, m[2]!, m[3]!) ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59 ||
    Number(m[6] ?? 0) > 59
  )
    return undefined;
  const local = `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)} ${pad(m[4]!)}:${m[5]}:${m[6] ?? '00'}`;
  if (offset === undefined) return { ok: true, value: `${local}${fraction}` };
  const minutes = offsetMinutes(offset);
  if (minutes === undefined) return undefined;
  const instant =
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) -
    minutes * 60_000;
  return { ok: true, value: `${wallClock(instant, timeZone)}${fraction}` };
}

/** `Z` → 0, `+08:00` / `+0800` / `+08` → 480; undefined beyond ±14:00. */
function offsetMinutes(offset: string): number | undefined {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time `YYYY-MM-DD HH:mm:ss` of an instant in an IANA time zone. */
function wallClock(instant: number, timeZone: string): string {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormats.set(timeZone, format);
  }
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(instant)) part[p.type] = p.value;
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

/** Whether `timeZone` is an IANA zone this runtime knows (`Asia/Shanghai`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
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
