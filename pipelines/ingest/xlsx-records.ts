import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { CsvRecord } from './csv-records.ts';

type CellProblems = NonNullable<CsvRecord['cellProblems']>;

/**
 * Streams the first worksheet of an .xlsx delivery as records, the same shape the CSV reader
 * yields (row 1 is the header). ExcelJS's streaming reader parses the sheet XML as it unzips, so
 * memory does not grow with the sheet. Cells become text as a hospital clerk sees them: dates as
 * `YYYY-MM-DD HH:mm:ss` (Excel stores local time without a zone, rounded to the second), formulas
 * as their cached result. A cell that cannot be converted — a date that is no date, an error value
 * (`#N/A`, `#DIV/0!` …, also as a formula's result), a formula saved without its result, a cell
 * of a merged range — is reported on its record (`cellProblems`), so its row is quarantined with
 * the reason instead of loading a wrong value or stopping the delivery.
 */
export async function* readXlsxRecords(file: string): AsyncGenerator<CsvRecord[]> {
  const merges = await mergedRanges(file);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  for await (const worksheet of reader) {
    const date1904 =
      (worksheet as unknown as { workbook?: { properties?: { model?: { date1904?: boolean } } } }).workbook
        ?.properties?.model?.date1904 === true;
    let chunk: CsvRecord[] = [];
    let width = 0;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const fields: string[] = [];
      const problems: CellProblems[number][] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        const converted = convertCell(cell, date1904);
        fields[col - 1] = converted.text;
        if (converted.problem)
          problems.push({ field: col - 1, message: `${cell.address} ${converted.problem}` });
      });
      if (row.number === 1) width = fields.length;
      for (let i = 0; i < Math.max(width, fields.length); i += 1) fields[i] ??= '';
      while (fields.length > width && fields[fields.length - 1] === '') fields.pop();
      if (
        fields.every((f) => f === '') &&
        problems.length === 0 &&
        !merges.some((m) => covers(m, row.number))
      )
        continue;
      if (row.number > 1) problems.push(...mergeProblems(merges, row.number));
      chunk.push({
        line: row.number,
        fields,
        ...(problems.length > 0 && { cellProblems: problems }),
      });
      if (chunk.length >= 1000) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
    return; // one sheet per delivery
  }
}

/** Excel's last date (9999-12-31) as a serial; Excel shows ##### beyond it or below 0. */
const MAX_SERIAL = 2_958_465;

/** A cell as the text a clerk sees, or why it has none. */
function convertCell(cell: ExcelJS.Cell, date1904: boolean): { text: string; problem?: string } {
  const value = cell.value as unknown;
  if (value === null || value === undefined) return { text: '' };
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'number')
    return Number.isFinite(value) ? { text: String(value) } : { text: '', problem: '不是有效的数值' };
  if (typeof value !== 'object') return { text: String(value) };
  const v = value as {
    formula?: string;
    sharedFormula?: string;
    result?: unknown;
    text?: unknown;
    richText?: { text: string }[];
    error?: string;
  };
  if (v.error !== undefined) return { text: v.error, problem: `是错误值 ${v.error}` };
  if (v.formula !== undefined || v.sharedFormula !== undefined || 'result' in v) {
    const formula = `=${v.formula || v.sharedFormula || ''}`;
    // ExcelJS's value drops a falsy cached result (0, '', an error read as NaN): take the model's.
    const result = 'result' in v ? v.result : (cell.model as { result?: unknown }).result;
    if (result === undefined || result === null)
      return { text: formula, problem: `是没有缓存结果的公式 ${formula}（请在 Excel 中重新计算后保存）` };
    if (typeof result === 'object' && 'error' in result)
      return { text: formula, problem: `公式结果是错误值 ${(result as { error: string }).error}` };
    if (typeof result === 'number') {
      if (!Number.isFinite(result)) return { text: formula, problem: `公式结果是错误值（${formula}）` };
      if (isDateFormat(cell.numFmt)) return serialDate(result, date1904);
    }
    return convertCell({ value: result, numFmt: cell.numFmt } as ExcelJS.Cell, date1904);
  }
  if (v.richText) return { text: v.richText.map((r) => r.text).join('') };
  if (typeof v.text === 'string') return { text: v.text };
  return { text: '' };
}

function serialDate(serial: number, date1904: boolean): { text: string; problem?: string } {
  if (!Number.isFinite(serial) || serial < 0 || serial > MAX_SERIAL)
    return { text: String(serial), problem: `不是有效的日期（序列值 ${serial}）` };
  return dateText(new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000)));
}

function dateText(value: Date): { text: string; problem?: string } {
  const ms = value.getTime();
  if (!Number.isFinite(ms)) return { text: '', problem: '是无效的日期单元格' };
  const rounded = new Date(Math.round(ms / 1000) * 1000);
  const year = rounded.getUTCFullYear();
  if (year < 1900 || year > 9999) return { text: '', problem: `是无效的日期单元格（${year} 年）` };
  const iso = rounded.toISOString();
  const time = iso.slice(11, 19);
  return { text: time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}` };
}

/** Excel's test for a date format: d, m, y, h or s outside quoted text and `[…]` sections. */
function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhsb]/i.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

interface MergedRange {
  readonly ref: string;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

function covers(range: MergedRange, row: number): boolean {
  return row >= range.top && row <= range.bottom && row > 1;
}

/**
 * The cells of a row that belong to a merged range: the sheet shows one value over several cells,
 * which a row-per-record delivery cannot mean unambiguously (an amount over three rows is not three
 * amounts), so each row the range touches is quarantined rather than given a guessed value.
 */
function mergeProblems(merges: readonly MergedRange[], row: number): CellProblems[number][] {
  const out: CellProblems[number][] = [];
  for (const range of merges) {
    if (!covers(range, row)) continue;
    for (let col = range.left; col <= range.right; col += 1)
      out.push({
        field: col - 1,
        message: `${columnName(col)}${row} 属于合并单元格 ${range.ref}（值只存在左上角一格），本行的值无法确定`,
      });
  }
  return out;
}

/**
 * The merged ranges of the first worksheet (`<mergeCell ref="A2:A4"/>`), which the sheet XML
 * lists after its rows, so the streaming reader never reports them. Read first by inflating only
 * that zip entry and scanning its text (no XML parse); a ZIP64 workbook is not scanned.
 */
async function mergedRanges(file: string): Promise<MergedRange[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(size, 65_557));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0 || eocd + 22 > tail.length) return [];
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || cdOffset + cdSize > size) return [];
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const sheets: { method: number; csize: number; offset: number }[] = [];
    for (let p = 0; p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50;) {
      const nameLength = cd.readUInt16LE(p + 28);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      if (/xl\/worksheets\/sheet\d+[.]xml$/.test(name))
        sheets.push({
          method: cd.readUInt16LE(p + 10),
          csize: cd.readUInt32LE(p + 20),
          offset: cd.readUInt32LE(p + 42),
        });
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    const sheet = sheets.sort((a, b) => a.offset - b.offset)[0];
    if (!sheet || sheet.csize === 0xffffffff || (sheet.method !== 0 && sheet.method !== 8)) return [];
    const local = Buffer.alloc(30);
    await handle.read(local, 0, 30, sheet.offset);
    const start = sheet.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (sheet.csize === 0) return [];
    const raw = handle.createReadStream({ start, end: start + sheet.csize - 1, autoClose: false });
    const text = sheet.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    const ranges: MergedRange[] = [];
    const pattern = /<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/g;
    let carry = '';
    for await (const chunk of text) {
      const data = carry + (chunk as Buffer).toString('latin1');
      let last = 0;
      for (const m of data.matchAll(pattern)) {
        const [c1, r1, c2, r2] = [columnNumber(m[1]!), Number(m[2]), columnNumber(m[3]!), Number(m[4])];
        ranges.push({
          ref: `${m[1]}${m[2]}:${m[3]}${m[4]}`,
          top: Math.min(r1, r2),
          bottom: Math.max(r1, r2),
          left: Math.min(c1, c2),
          right: Math.max(c1, c2),
        });
        last = m.index + m[0].length;
      }
      carry = data.slice(Math.max(last, data.length - 256));
    }
    return ranges;
  } finally {
    await handle.close();
  }
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + c.charCodeAt(0) - 64;
  return n;
}

function columnName(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
