/** One record of a delivered text file: its fields, or why it could not be split into fields. */
export interface CsvRecord {
  /** 1-based physical line where the record starts (the header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
  /** Set when the line cannot be read as a record; `fields` then holds the whole line as one field. */
  readonly problem?: { readonly rule: 'unbalanced_quotes'; readonly message: string };
  /**
   * Workbook cells that could not be converted to text (0-based field index and why: an invalid
   * date, an error value such as `#N/A`, a formula without a cached value, a merged cell). The row
   * is quarantined as `invalid_cell` when such a cell is in a column its source reads.
   */
  readonly cellProblems?: readonly { readonly field: number; readonly message: string }[];
}

/** A quoted field may span at most this many physical lines before its opening quote is judged unbalanced. */
const MAX_RECORD_LINES = 50;
/** …or this many characters. */
const MAX_RECORD_CHARS = 32 * 1024 * 1024;

/**
 * Splits decoded CSV text into records as it streams, one physical line at a time. Unlike a
 * general CSV parser it never lets one bad quote swallow the rest of a file: a quoted field may
 * span a bounded number of lines, and when its quote never closes, only its first line becomes a
 * record with a problem (quarantined) and reading resumes on the next line. Blank lines are skipped.
 *
 * @example
 * const splitter = new CsvSplitter(',');
 * splitter.push('a,b\n1,"x,y"\n'); // [{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['1', 'x,y'] }]
 */
export class CsvSplitter {
  private rest = '';
  private lineNo = 0;
  private pending: { start: number; lines: string[]; chars: number } | undefined;

  constructor(private readonly delimiter: string) {}

  /** Feeds a chunk of decoded text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const data = this.rest.length > 0 ? this.rest + text : text;
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      const line =
        end > start && data.charCodeAt(end - 1) === 13 ? data.slice(start, end - 1) : data.slice(start, end);
      start = end + 1;
      this.lineNo += 1;
      this.take(line, this.lineNo, out);
    }
    this.rest = data.slice(start);
    return out;
  }

  /** Ends the input: a last line without a line break is a record too; an open quote is reported. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.rest.length > 0) {
      this.lineNo += 1;
      this.take(this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest, this.lineNo, out);
      this.rest = '';
    }
    while (this.pending) this.giveUp(out);
    return out;
  }

  private take(line: string, lineNo: number, out: CsvRecord[]): void {
    if (this.pending) {
      this.pending.lines.push(line);
      this.pending.chars += line.length + 1;
      const fields = splitQuoted(this.pending.lines.join('\n'), this.delimiter);
      if (fields) {
        out.push({ line: this.pending.start, fields });
        this.pending = undefined;
      } else if (this.pending.lines.length >= MAX_RECORD_LINES || this.pending.chars >= MAX_RECORD_CHARS) {
        this.giveUp(out);
      }
      return;
    }
    if (line.length === 0) return;
    if (line.indexOf('"') === -1) {
      out.push({ line: lineNo, fields: line.split(this.delimiter) });
      return;
    }
    const fields = splitQuoted(line, this.delimiter);
    if (fields) out.push({ line: lineNo, fields });
    else this.pending = { start: lineNo, lines: [line], chars: line.length };
  }

  /** The pending record's quote never closed: its first line is a bad record, the rest are read again. */
  private giveUp(out: CsvRecord[]): void {
    const { start, lines } = this.pending!;
    this.pending = undefined;
    out.push({
      line: start,
      fields: [lines[0]!],
      problem: { rule: 'unbalanced_quotes', message: `第 ${start} 行引号不成对（未闭合的 "），无法拆分字段` },
    });
    lines.slice(1).forEach((line, i) => this.take(line, start + 1 + i, out));
  }
}

/**
 * Splits one record that contains quotes (RFC 4180: a field starting with `"` runs to the next
 * lone `"`, `""` is a quote). A quote inside an unquoted field is kept as text. Returns undefined
 * when a quoted field is still open at the end of the text.
 */
export function splitQuoted(text: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  const d = delimiter.charCodeAt(0);
  let i = 0;
  const n = text.length;
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return undefined;
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      // Text between the closing quote and the delimiter is kept rather than guessed away.
      const next = text.indexOf(delimiter, j);
      const stop = next === -1 ? n : next;
      fields.push(value + text.slice(j, stop));
      if (next === -1) return fields;
      i = next + 1;
    } else {
      let next = i;
      while (next < n && text.charCodeAt(next) !== d) next += 1;
      fields.push(text.slice(i, next));
      if (next >= n) return fields;
      i = next + 1;
    }
  }
}
