import ExcelJS from 'exceljs';
import type { CsvRecord } from './csv-records.ts';

/**
 * Streams the first worksheet of an .xlsx delivery as records, the same shape the CSV reader
 * yields (row 1 is the header). ExcelJS's streaming reader parses the sheet XML as it unzips, so
 * memory does not grow with the sheet. Cells become text as a hospital clerk sees them: dates as
 * `YYYY-MM-DD HH:mm:ss` (Excel stores local time without a zone), formulas as their cached result.
 */
export async function* readXlsxRecords(file: string): AsyncGenerator<CsvRecord[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  for await (const worksheet of reader) {
    let chunk: CsvRecord[] = [];
    let width = 0;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as unknown[]).slice(1);
      if (row.number === 1) width = values.length;
      const fields = Array.from({ length: Math.max(width, values.length) }, (_, i) => cellText(values[i]));
      while (fields.length > width && fields[fields.length - 1] === '') fields.pop();
      if (fields.every((f) => f === '')) continue;
      chunk.push({ line: row.number, fields });
      if (chunk.length >= 1000) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
    return; // one sheet per delivery
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    const time = iso.slice(11, 19);
    return time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
  }
  if (typeof value === 'object') {
    const v = value as { result?: unknown; text?: unknown; richText?: { text: string }[]; error?: string };
    if ('result' in v) return cellText(v.result);
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (typeof v.text === 'string') return v.text;
    if (v.error) return v.error;
    return '';
  }
  return String(value);
}
