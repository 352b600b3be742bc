/**
 * A byte-level CSV scanner for the fast load path (`fast-load.ts`).
 *
 * Why: PostgreSQL parses well-formed CSV at COPY speed, many times faster than our careful
 * JavaScript parser (`csv-records.ts` + `row-encoder.ts`), and it does so on another core. But the
 * two do not read every file alike: PostgreSQL toggles its quote state on any `"`, ends a line at
 * a bare CR, reads an unquoted empty field as NULL, accepts spellings our strict parser treats
 * differently (` 1`, `1e3`, `2025-1-5`, `yes`), and knows nothing of our data-quality rules
 * (formulas, SQL-looking text, required fields, encoding). So this scanner walks the raw bytes
 * and forwards to COPY only records PostgreSQL is certain to read exactly as our parser would;
 * every record that might be read differently is *diverted* (handed back as bytes) to the careful
 * path. Forwarded records get their line number in front and a hash (FNV-1a of the natural key,
 * or of the whole record) behind, both read by COPY as columns.
 *
 * It never decodes to strings on the clean path: one loop over the bytes with a class table, and
 * one Buffer per push holding the input and, in front of it, the COPY output (records are moved
 * with a native `copyWithin`). A quoted field containing a line break makes records and lines
 * differ: the whole file is then unsuitable (`FastPathUnsuitable`) and goes the careful way.
 */
import type { ColumnType } from '../../core/contract/columns.ts';

export interface FastCsvPlan {
  /** One ASCII character, e.g. ',' ';' '\t' '|'. */
  readonly delimiter: string;
  readonly encoding: 'utf-8' | 'gb18030';
  /** Number of fields in the header (every record must have exactly this many). */
  readonly fieldCount: number;
  /** Per delivered field (header position): the declared column it feeds, or undefined for a column the source does not declare (forwarded unchecked, as text). */
  readonly fields: readonly ({ readonly type: ColumnType; readonly required: boolean } | undefined)[];
  /** Delivered field positions whose contents are hashed (the natural key); empty: hash the whole record. */
  readonly hashFields: readonly number[];
  /** Called with every record's hash, clean or diverted (e.g. to note the hashes that repeat). */
  readonly onHash?: (hash: number) => void;
}

export interface DivertedRecord {
  /** Physical line (1-based, counting the header as line 1) where the record starts. */
  readonly line: number;
  /** The record's bytes as delivered, without its line terminator (a CR before the LF is removed). */
  readonly bytes: Buffer;
  /** Same hash as a clean record would get. */
  readonly hash: number;
}

export interface ScanOutput {
  /** COPY input for the clean records of this push: one line each (`<line>,<record>,<hash>\n`). May be empty. */
  readonly copy: Buffer;
  readonly diverted: DivertedRecord[];
  /** Records completed in this push (clean + diverted); blank lines are not records. */
  readonly records: number;
}

/** Thrown when the file must go through the careful path as a whole (e.g. a quoted field spans lines). */
export class FastPathUnsuitable extends Error {
  override readonly name = 'FastPathUnsuitable';
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Separates hashed key fields. */
const UNIT_SEPARATOR = 0x1f;

/**
 * FNV-1a 32-bit over `bytes[start, end)`, as a signed 32-bit integer. `seed` continues an earlier
 * hash (pass its result) instead of starting from the offset basis.
 */
export function fnv1a(bytes: Uint8Array, start: number, end: number, seed: number = FNV_OFFSET): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h | 0;
}

/** A field's content may be at most this many bytes. */
const MAX_FIELD_BYTES = 100_000;
/** Bytes a COPY line adds to its record at most: line number, two delimiters, hash, LF. */
const LINE_OVERHEAD = 40;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const DASH = 0x2d;
const STAR = 0x2a;
const COLON = 0x3a;

// Byte classes of the scanning loops (0: an ordinary byte, nothing to check).
const K_PLAIN = 0;
const K_DELIM = 1;
/** LF; in a quoted field also CR: a line break. */
const K_LF = 2;
const K_CR = 3;
const K_QUOTE = 4;
/** NUL, `;`, `'`: divert. */
const K_SUSPECT = 5;
const K_DASH = 6;
const K_SLASH = 7;
/** `u` / `U`: maybe `union`. */
const K_U = 8;
/** A byte ≥ 0x80: a multi-byte character to validate and skip whole. */
const K_HIGH = 9;

// Declared column kinds.
const T_NONE = 0;
const T_TEXT = 1;
const T_INTEGER = 2;
const T_NUMERIC = 3;
const T_DATE = 4;
const T_TIMESTAMP = 5;
const T_BOOLEAN = 6;
const kindOf: Record<ColumnType, number> = {
  text: T_TEXT,
  integer: T_INTEGER,
  numeric: T_NUMERIC,
  date: T_DATE,
  timestamp: T_TIMESTAMP,
  boolean: T_BOOLEAN,
};

/** First bytes a declared text value must not start with (formula / control characters, space). */
const TEXT_BAD_FIRST = new Uint8Array(256);
for (const c of '=+-@\t\r ') TEXT_BAD_FIRST[c.charCodeAt(0)] = 1;

const EMPTY = Buffer.alloc(0);

/**
 * Scans CSV bytes pushed in chunks of any size. See the file comment; the rules are:
 * LF ends a record (a CR before it is dropped), blank lines are skipped but counted, a field is
 * quoted when it starts with `"`. Records that are not certainly read alike by COPY and by the
 * careful parser are diverted.
 *
 * @example
 * const scanner = new FastCsvScanner(plan, 2);
 * const { copy, diverted } = scanner.push(chunk); // copy: `2,<record>,<hash>\n…`
 */
export class FastCsvScanner {
  private readonly delimiter: number;
  private readonly gb: boolean;
  private readonly fieldCount: number;
  private readonly kinds: Uint8Array;
  private readonly required: Uint8Array;
  private readonly hashFields: Int32Array;
  private readonly onHash: ((hash: number) => void) | undefined;
  /** Classes outside quotes (the delimiter is a delimiter) and inside quotes (it is content). */
  private readonly unquotedClass: Uint8Array;
  private readonly quotedClass: Uint8Array;
  /** Content offsets of the current record's fields (for hashing). */
  private readonly contentStart: Int32Array;
  private readonly contentEnd: Int32Array;

  /** The unfinished last line of the input so far. */
  private tail: Buffer = EMPTY;
  private tailLength = 0;
  /** Physical line number of the next line to start. */
  private line: number;
  private ended = false;

  /** `firstLine`: the physical line number of the first byte pushed (the caller strips the header itself and passes 2). */
  constructor(plan: FastCsvPlan, firstLine: number) {
    const d = plan.delimiter.length === 1 ? plan.delimiter.charCodeAt(0) : -1;
    if (d <= 0 || d >= 0x80 || d === LF || d === CR || d === QUOTE) {
      throw new FastPathUnsuitable(
        `the delimiter ${JSON.stringify(plan.delimiter)} is not one plain ASCII character`,
      );
    }
    this.gb = plan.encoding === 'gb18030';
    // A GB18030 trail byte can be 0x30–0x39 or 0x40–0x7E: such a delimiter could not be told apart
    // from the second half of a character by anything that does not decode (the spec names | and \).
    if (this.gb && ((d >= 0x30 && d <= 0x39) || (d >= 0x40 && d <= 0x7e))) {
      throw new FastPathUnsuitable(
        `the delimiter ${JSON.stringify(plan.delimiter)} can be part of a GB18030 character`,
      );
    }
    if (!Number.isInteger(plan.fieldCount) || plan.fieldCount < 1) {
      throw new RangeError(`fieldCount must be a positive integer, not ${plan.fieldCount}`);
    }
    if (plan.fields.length > plan.fieldCount) {
      throw new RangeError(
        `the plan declares ${plan.fields.length} fields but fieldCount is ${plan.fieldCount}`,
      );
    }
    for (const h of plan.hashFields) {
      if (!Number.isInteger(h) || h < 0 || h >= plan.fieldCount) {
        throw new RangeError(`hash field ${h} is not a field position (0–${plan.fieldCount - 1})`);
      }
    }
    this.delimiter = d;
    this.fieldCount = plan.fieldCount;
    this.kinds = new Uint8Array(plan.fieldCount);
    this.required = new Uint8Array(plan.fieldCount);
    plan.fields.forEach((field, i) => {
      if (!field) return;
      this.kinds[i] = kindOf[field.type];
      this.required[i] = field.required ? 1 : 0;
    });
    this.hashFields = Int32Array.from(plan.hashFields);
    this.onHash = plan.onHash;
    this.contentStart = new Int32Array(plan.fieldCount + 1);
    this.contentEnd = new Int32Array(plan.fieldCount + 1);

    const q = new Uint8Array(256);
    q[0] = K_SUSPECT;
    q[0x3b] = K_SUSPECT; // ;
    q[0x27] = K_SUSPECT; // '
    q[DASH] = K_DASH;
    q[0x2f] = K_SLASH;
    q[0x75] = K_U;
    q[0x55] = K_U;
    for (let c = 0x80; c < 0x100; c++) q[c] = K_HIGH;
    const u = q.slice();
    q[LF] = K_LF;
    q[CR] = K_LF;
    q[QUOTE] = K_QUOTE;
    u[LF] = K_LF;
    u[CR] = K_CR;
    u[QUOTE] = K_QUOTE;
    u[d] = K_DELIM;
    this.quotedClass = q;
    this.unquotedClass = u;

    this.line = firstLine;
  }

  push(chunk: Buffer): ScanOutput {
    if (this.ended) throw new Error('FastCsvScanner: push() after end()');
    const length = chunk.length;
    const lastLf = length > 0 ? chunk.lastIndexOf(LF) : -1;
    if (lastLf < 0) {
      this.keep(chunk, 0, length);
      return { copy: EMPTY, diverted: [], records: 0 };
    }
    // The complete lines: the kept tail (a line begun in earlier pushes) and this chunk up to its last LF.
    const input = this.tailLength + lastLf + 1;
    const capacity = outputCapacity(input);
    const b = Buffer.allocUnsafe(capacity + input);
    this.tail.copy(b, capacity, 0, this.tailLength);
    chunk.copy(b, capacity + this.tailLength, 0, lastLf + 1);
    this.tailLength = 0;
    this.keep(chunk, lastLf + 1, length);
    return this.scan(b, capacity, capacity + input - 1, false);
  }

  /** Ends the input: a last record without a line break is a record too. */
  end(): ScanOutput {
    if (this.ended || this.tailLength === 0) {
      this.ended = true;
      return { copy: EMPTY, diverted: [], records: 0 };
    }
    this.ended = true;
    const input = this.tailLength + 1;
    const capacity = outputCapacity(input);
    const b = Buffer.allocUnsafe(capacity + input);
    this.tail.copy(b, capacity, 0, this.tailLength);
    b[capacity + input - 1] = LF;
    this.tailLength = 0;
    this.tail = EMPTY;
    return this.scan(b, capacity, capacity + input - 1, true);
  }

  /** Appends `chunk[start, end)` to the kept tail (copied: the caller may reuse its buffer). */
  private keep(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const need = this.tailLength + n;
    if (need > this.tail.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.tail.length * 2, 256));
      this.tail.copy(grown, 0, 0, this.tailLength);
      this.tail = grown;
    }
    chunk.copy(this.tail, this.tailLength, start, end);
    this.tailLength = need;
  }

  /**
   * Scans the complete lines `b[from, lastLf]` (`b[lastLf]` is an LF) and writes the COPY lines of
   * the clean ones to the front of the same buffer, `b[0, w)`: a record's bytes move with one
   * `copyWithin` (a native memmove). Output may overwrite input already scanned but never reaches
   * the next record; when it would, the buffer is grown (output so far and unread input copied).
   * Every byte looked at lies at or before its line's LF, which no multi-byte sequence or pattern
   * can include, so look-ahead needs no bounds checks. (The returned `copy` is a view of that
   * buffer: it keeps the pushed bytes alive with it, about 2.5 times the chunk.)
   */
  private scan(b: Buffer, from: number, lastLf: number, atEnd: boolean): ScanOutput {
    const unquotedClass = this.unquotedClass;
    const quotedClass = this.quotedClass;
    const delimiter = this.delimiter;
    const gb = this.gb;
    const fieldCount = this.fieldCount;
    const kinds = this.kinds;
    const required = this.required;
    const contentStart = this.contentStart;
    const contentEnd = this.contentEnd;
    const hashFields = this.hashFields;
    const hashCount = hashFields.length;
    const diverted: DivertedRecord[] = [];
    let w = 0;
    let line = this.line;
    let records = 0;

    let i = from;
    while (i <= lastLf) {
      let recordStart = i;

      let c = b[i]!;
      if (c === LF) {
        line++;
        i++;
        continue;
      }
      if (c === CR && b[i + 1] === LF) {
        line++;
        i += 2;
        continue;
      }

      let bad = false;
      let f = 0;
      let recordEnd: number;
      let h = FNV_OFFSET | 0;
      for (;;) {
        // At the first byte of field f.
        let s: number;
        let e: number;
        let j: number;
        const quoted = b[i] === QUOTE;
        if (quoted) {
          s = j = i + 1;
          for (;;) {
            let k: number;
            while ((k = quotedClass[b[j]!]!) === K_PLAIN) j++;
            if (k === K_QUOTE) {
              if (b[j + 1] === QUOTE) {
                j += 2;
                continue;
              }
              break;
            }
            if (k === K_LF) {
              throw new FastPathUnsuitable(
                atEnd && j >= lastLf - 1
                  ? `an unterminated quote at the end of the input (line ${line})`
                  : `a quoted field spans lines (line ${line})`,
              );
            }
            if (k === K_HIGH) {
              const n = gb ? gb18030Length(b, j) : utf8Length(b, j);
              if (n === 0) {
                bad = true;
                j++;
              } else j += n;
              continue;
            }
            if (k === K_DASH) {
              if (b[j + 1] === DASH) bad = true;
            } else if (k === K_SLASH) {
              if (b[j + 1] === STAR) bad = true;
            } else if (k === K_U) {
              if (isUnion(b, j)) bad = true;
            } else bad = true; // K_SUSPECT
            j++;
          }
          e = j; // the closing quote
          j++;
          c = b[j]!;
          if (!(c === delimiter || c === LF || (c === CR && b[j + 1] === LF))) {
            // Text after the closing quote: the careful parser keeps it up to the next delimiter.
            bad = true;
            while (c !== delimiter && c !== LF) c = b[++j]!;
            if (c === LF && b[j - 1] === CR) j--;
          }
        } else {
          s = j = i;
          for (;;) {
            let k: number;
            while ((k = unquotedClass[b[j]!]!) === K_PLAIN) j++;
            if (k === K_DELIM || k === K_LF) break;
            if (k === K_CR) {
              if (b[j + 1] === LF) break;
              bad = true;
            } else if (k === K_HIGH) {
              const n = gb ? gb18030Length(b, j) : utf8Length(b, j);
              if (n === 0) {
                bad = true;
                j++;
              } else j += n;
              continue;
            } else if (k === K_DASH) {
              if (b[j + 1] === DASH) bad = true;
            } else if (k === K_SLASH) {
              if (b[j + 1] === STAR) bad = true;
            } else if (k === K_U) {
              if (isUnion(b, j)) bad = true;
            } else bad = true; // K_QUOTE (a quote inside an unquoted field), K_SUSPECT
            j++;
          }
          e = j;
        }

        // Field f is b[s, e); b[j] is the delimiter, the LF or the CR before it.
        if (f < fieldCount) {
          contentStart[f] = s;
          contentEnd[f] = e;
          if (!bad) {
            const n = e - s;
            if (n > MAX_FIELD_BYTES) bad = true;
            else {
              const kind = kinds[f]!;
              if (kind !== T_NONE) {
                if (n === 0) {
                  if (quoted || required[f] === 1) bad = true;
                } else if (kind === T_TEXT) {
                  if (TEXT_BAD_FIRST[b[s]!] !== 0 || b[e - 1] === SPACE) bad = true;
                } else if (!validValue(kind, b, s, e)) bad = true;
              }
            }
          }
        } else bad = true;
        f++;
        c = b[j]!;
        if (c === delimiter) {
          i = j + 1;
          continue;
        }
        recordEnd = j;
        i = c === CR ? j + 2 : j + 1;
        break;
      }
      if (f !== fieldCount) bad = true;

      if (hashCount === 0) h = fnv1a(b, recordStart, recordEnd);
      else {
        for (let x = 0; x < hashCount; x++) {
          const at = hashFields[x]!;
          if (at < f) {
            const end = contentEnd[at]!;
            for (let p = contentStart[at]!; p < end; p++) h = Math.imul(h ^ b[p]!, FNV_PRIME);
          }
          h = Math.imul(h ^ UNIT_SEPARATOR, FNV_PRIME);
        }
        h |= 0;
      }

      if (bad) {
        diverted.push({ line, bytes: Buffer.from(b.subarray(recordStart, recordEnd)), hash: h });
      } else {
        const n = recordEnd - recordStart;
        if (w + n + LINE_OVERHEAD > i) {
          // The output would reach unread input: move both to a larger buffer.
          const rest = lastLf + 1 - recordStart;
          const capacity = Math.max(2 * w, w + outputCapacity(rest));
          const grown = Buffer.allocUnsafe(capacity + rest);
          b.copy(grown, 0, 0, w);
          b.copy(grown, capacity, recordStart, lastLf + 1);
          const shift = capacity - recordStart;
          b = grown;
          recordStart += shift;
          recordEnd += shift;
          i += shift;
          lastLf += shift;
        }
        w = line < 0x80000000 ? writeInt31(b, w, line) : writeDecimal(b, w, line);
        b[w++] = delimiter;
        b.copyWithin(w, recordStart, recordEnd);
        w += n;
        b[w++] = delimiter;
        if (h < 0) {
          b[w++] = DASH;
          w = h === -0x80000000 ? writeDecimal(b, w, 0x80000000) : writeInt31(b, w, -h);
        } else w = writeInt31(b, w, h);
        b[w++] = LF;
      }
      this.onHash?.(h);
      records++;
      line++;
    }
    this.line = line;
    return { copy: w > 0 ? b.subarray(0, w) : EMPTY, diverted, records };
  }
}

/** Output room for `input` bytes of lines: each COPY line is its record plus about 20 bytes. */
function outputCapacity(input: number): number {
  return input + (input >> 1) + 64;
}

/** Writes `0 ≤ n < 2^31` in decimal ASCII at `w` (int32 arithmetic); returns the offset after it. */
function writeInt31(out: Buffer, w: number, n: number): number {
  n |= 0;
  const digits =
    n < 100_000
      ? n < 100
        ? n < 10
          ? 1
          : 2
        : n < 1_000
          ? 3
          : n < 10_000
            ? 4
            : 5
      : n < 10_000_000
        ? n < 1_000_000
          ? 6
          : 7
        : n < 100_000_000
          ? 8
          : n < 1_000_000_000
            ? 9
            : 10;
  let p = w + digits;
  do {
    const q = (n / 10) | 0;
    out[--p] = 48 + n - q * 10;
    n = q;
  } while (n !== 0);
  return w + digits;
}

/** Writes any non-negative integer in decimal ASCII at `w`; returns the offset after it. */
function writeDecimal(out: Buffer, w: number, n: number): number {
  return w + out.write(String(n), w, 'latin1');
}

/** `union` in any letter case at `b[j]` (`b[j]` is `u` or `U`). */
function isUnion(b: Buffer, j: number): boolean {
  return (
    (b[j + 1]! | 0x20) === 0x6e &&
    (b[j + 2]! | 0x20) === 0x69 &&
    (b[j + 3]! | 0x20) === 0x6f &&
    (b[j + 4]! | 0x20) === 0x6e
  );
}

/** Length of the valid UTF-8 sequence starting at `b[j]` (≥ 0x80), or 0 when it is invalid. */
function utf8Length(b: Buffer, j: number): number {
  const c = b[j]!;
  if (c < 0xc2) return 0;
  const c1 = b[j + 1]!;
  if ((c1 & 0xc0) !== 0x80) return 0;
  if (c < 0xe0) return 2;
  if (c < 0xf0) {
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return 0;
    return (b[j + 2]! & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c > 0xf4 || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
  return (b[j + 2]! & 0xc0) === 0x80 && (b[j + 3]! & 0xc0) === 0x80 ? 4 : 0;
}

/** Length of the valid GB18030 sequence starting at `b[j]` (≥ 0x80), or 0 when it is malformed. */
function gb18030Length(b: Buffer, j: number): number {
  const c = b[j]!;
  if (c === 0x80 || c === 0xff) return 0;
  const c1 = b[j + 1]!;
  if (c1 >= 0x30 && c1 <= 0x39) {
    const c2 = b[j + 2]!;
    const c3 = b[j + 3]!;
    return c2 >= 0x81 && c2 <= 0xfe && c3 >= 0x30 && c3 <= 0x39 ? 4 : 0;
  }
  return (c1 >= 0x40 && c1 <= 0x7e) || (c1 >= 0x80 && c1 <= 0xfe) ? 2 : 0;
}

/** Whether non-empty content `b[s, e)` of a typed (non-text) column is in the canonical form COPY and the careful parser read alike. */
function validValue(kind: number, b: Buffer, s: number, e: number): boolean {
  switch (kind) {
    case T_INTEGER: {
      if (b[s] === DASH) s++;
      const n = e - s;
      return n >= 1 && n <= 9 && allDigits(b, s, e);
    }
    case T_NUMERIC:
      return validNumeric(b, s, e);
    case T_DATE:
      return e - s === 10 && validDate(b, s);
    case T_TIMESTAMP:
      return e - s === 19 && validDate(b, s) && b[s + 10] === SPACE && validTime(b, s + 11);
    case T_BOOLEAN:
      return validBoolean(b, s, e);
    default:
      return true;
  }
}

function allDigits(b: Buffer, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if ((b[p]! - 48) >>> 0 > 9) return false;
  return true;
}

/** `-?[0-9]+(\.[0-9]+)?`, at most 30 digits. */
function validNumeric(b: Buffer, s: number, e: number): boolean {
  let p = s;
  if (b[p] === DASH) p++;
  const intStart = p;
  while (p < e && (b[p]! - 48) >>> 0 <= 9) p++;
  if (p === intStart) return false;
  let digits = p - intStart;
  if (p < e) {
    if (b[p] !== 0x2e) return false;
    const fracStart = ++p;
    while (p < e && (b[p]! - 48) >>> 0 <= 9) p++;
    if (p === fracStart || p !== e) return false;
    digits += p - fracStart;
  }
  return digits <= 30;
}

/** Two ASCII digits at `b[p]` as a number, or -1. */
function twoDigits(b: Buffer, p: number): number {
  const hi = b[p]! - 48;
  const lo = b[p + 1]! - 48;
  return hi >>> 0 <= 9 && lo >>> 0 <= 9 ? hi * 10 + lo : -1;
}

/** `YYYY-MM-DD` at `b[s]`, a day that exists (proleptic Gregorian; year 0000 is refused). */
function validDate(b: Buffer, s: number): boolean {
  const century = twoDigits(b, s);
  const yy = twoDigits(b, s + 2);
  if (century < 0 || yy < 0 || b[s + 4] !== DASH || b[s + 7] !== DASH) return false;
  const year = century * 100 + yy;
  const month = twoDigits(b, s + 5);
  const day = twoDigits(b, s + 8);
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  if (day <= 28) return true;
  if (month === 2) return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** `HH:MM:SS` at `b[p]`. */
function validTime(b: Buffer, p: number): boolean {
  const hh = twoDigits(b, p);
  const mm = twoDigits(b, p + 3);
  const ss = twoDigits(b, p + 6);
  return (
    hh >= 0 &&
    hh <= 23 &&
    b[p + 2] === COLON &&
    mm >= 0 &&
    mm <= 59 &&
    b[p + 5] === COLON &&
    ss >= 0 &&
    ss <= 59
  );
}

/** `t`, `f`, `0`, `1`, `true` or `false`, exactly. */
function validBoolean(b: Buffer, s: number, e: number): boolean {
  const n = e - s;
  const c = b[s]!;
  if (n === 1) return c === 0x74 || c === 0x66 || c === 0x30 || c === 0x31;
  if (n === 4) return c === 0x74 && b[s + 1] === 0x72 && b[s + 2] === 0x75 && b[s + 3] === 0x65;
  if (n === 5) {
    return c === 0x66 && b[s + 1] === 0x61 && b[s + 2] === 0x6c && b[s + 3] === 0x73 && b[s + 4] === 0x65;
  }
  return false;
}
