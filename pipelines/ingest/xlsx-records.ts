import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CsvRecord } from './csv-records.ts';
import { openZipArchive, ZipFormatError, type ZipArchive, type ZipEntry } from './zip-archive.ts';

type CellProblems = NonNullable<CsvRecord['cellProblems']>;

/**
 * Streams the first worksheet of an .xlsx delivery as records, the same shape the CSV reader
 * yields (row 1 is the header). ExcelJS's streaming reader parses the sheet XML as it unzips, so
 * memory does not grow with the sheet. Cells become text as a hospital clerk sees them: dates as
 * `YYYY-MM-DD HH:mm:ss` (Excel stores local time without a zone, rounded to the second), formulas
 * as their cached result. A cell that cannot be converted — a date that is no date, an error value
 * (`#N/A`, `#DIV/0!` …, also as a formula's result), a formula saved without its result, a cell
 * of a merged range — is reported on its record (`cellProblems`), so its row is quarantined with
 * the reason instead of loading a wrong value or stopping the delivery. A file that is no complete
 * workbook (truncated or still being written: no zip directory at its end) throws a one-line error
 * before any record; damaged content throws one where it is met (the batch rolls back).
 */
export async function* readXlsxRecords(file: string): AsyncGenerator<CsvRecord[]> {
  const zip = await openZipArchive(file);
  try {
    const { worksheet, entry, date1904 } = await firstWorksheet(zip, file);
    const merges = await mergedRanges(zip, entry);
    let chunk: CsvRecord[] = [];
    let width = 0;
    for await (const row of worksheet) {
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
  } finally {
    await zip.close();
  }
}

/**
 * The parts of ExcelJS's streaming WorkbookReader (exceljs 4.4.0, pinned) this reader drives.
 * Its own `parse()` takes the parts in stored order from unzipper's streaming `Parse`, which emits
 * `end` when its input is consumed, not when its entries have been taken: while the reader is busy
 * with one entry (ExcelJS-written files store the sheet first and spool it to a temp file), the
 * small entries after it are parsed and buffered, `end` arrives, and they are dropped. Which ones
 * depends on timing, so on a loaded machine `xl/workbook.xml` (stored last) went missing
 * ("Cannot read properties of undefined (reading 'sheets')"; exceljs#3064, node-unzipper#346).
 * Here each part is read by name through the zip directory, in dependency order, and the
 * worksheet streams straight from the file.
 */
interface WorkbookParts {
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(
    iterator: AsyncIterable<string>,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
  workbookRels?: readonly { Id: string; Type: string; Target: string }[];
  model?: { sheets?: readonly { rId: string }[] };
  properties?: { model?: { date1904?: boolean } };
}

/**
 * The workbook's first worksheet (in the workbook's tab order) as ExcelJS's streaming worksheet
 * reader, after the workbook, its shared strings and its styles were read.
 */
async function firstWorksheet(
  zip: ZipArchive,
  file: string,
): Promise<{ worksheet: AsyncIterable<ExcelJS.Row>; entry: ZipEntry; date1904: boolean }> {
  const book = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as WorkbookParts;
  const part = (name: string) => zip.entries.get(name);
  const required = (name: string) => {
    const entry = part(name);
    if (!entry) throw new ZipFormatError(`not an .xlsx workbook: it has no ${name}`);
    return entry;
  };
  await parsePart(zip, required('xl/_rels/workbook.xml.rels'), (s) => book._parseRels(s));
  await parsePart(zip, required('xl/workbook.xml'), (s) => book._parseWorkbook(s));
  const sharedStrings = part('xl/sharedStrings.xml');
  if (sharedStrings)
    await parsePart(zip, sharedStrings, async (s) => {
      for await (const _ of book._parseSharedStrings(s));
    });
  const styles = part('xl/styles.xml');
  if (styles) await parsePart(zip, styles, (s) => book._parseStyles(s));

  // The first tab that is a worksheet (a chart sheet has no rows).
  const rels = book.workbookRels ?? [];
  const target = (book.model?.sheets ?? [])
    .map((sheet) => rels.find((rel) => rel.Id === sheet.rId))
    .find((rel) => rel?.Type.endsWith('/worksheet'))?.Target;
  if (!target) throw new ZipFormatError('the workbook lists no worksheet');
  const name = target.startsWith('/') ? target.slice(1) : path.posix.normalize(`xl/${target}`);
  const entry = part(name);
  if (!entry) throw new ZipFormatError(`the workbook's first worksheet (${name}) is missing from the file`);
  const sheetNo = /sheet(\d+)\.xml$/.exec(name)?.[1] ?? '1';
  const [emitted] = [...book._parseWorksheet(zip.text(entry), sheetNo)];
  return {
    worksheet: emitted!.value,
    entry,
    date1904: book.properties?.model?.date1904 === true,
  };
}

/** Hands a part to an ExcelJS parser as the stream it expects; the part is closed however it ends. */
async function parsePart(
  zip: ZipArchive,
  entry: ZipEntry,
  parse: (stream: Readable) => Promise<void>,
): Promise<void> {
  const stream = Readable.from(zip.text(entry));
  try {
    await parse(stream);
  } finally {
    // A parser may stop at its root's closing tag; an error after that concerns nobody.
    stream.on('error', () => undefined).destroy();
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
 * The merged ranges of the worksheet (`<mergeCell ref="A2:A4"/>`), which the sheet XML lists
 * after its rows, so the streaming reader never reports them. Read first, by scanning the sheet's
 * text as it inflates (no XML parse).
 */
async function mergedRanges(zip: ZipArchive, sheet: ZipEntry): Promise<MergedRange[]> {
  const ranges: MergedRange[] = [];
  const pattern = /<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/g;
  let carry = '';
  for await (const chunk of zip.text(sheet)) {
    const data = carry + chunk;
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
