import ExcelJS from 'exceljs';
import type { CostReport, ReportColumn, ReportTable } from './cost-report.ts';
import type { FundReport } from './fund-report.ts';

/** What heads every sheet of a report workbook beside its tables. */
export interface WorkbookHeader {
  readonly unitName: string;
  /** e.g. `年度：2025` or `月份：2025-03`. */
  readonly period: string;
}

const formats: Record<ReportColumn['kind'], string | undefined> = {
  text: undefined,
  money: '#,##0.00',
  count: '#,##0.##',
  number: '#,##0.0000',
  share: '0.00%',
  unit: '#,##0.00',
};

/**
 * Writes the cost report as one workbook, a sheet per standard table, laid out as a finance
 * department submits it: the table name as title, 编制单位 / 年度 / 金额单位 beneath, one or two
 * header rows (an item's columns grouped under it), the rows, and a 合计 row last.
 */
export async function writeCostWorkbook(report: CostReport, file: string): Promise<void> {
  await writeReportWorkbook(costWorkbookHeader(report), report.tables, file);
}

/** The heading of the cost report's sheets: the unit and the year. */
export function costWorkbookHeader(report: CostReport): WorkbookHeader {
  return { unitName: report.unitName, period: `年度：${report.year}` };
}

/** The heading of the fund report's sheets: the unit and the month. */
export function fundWorkbookHeader(report: FundReport): WorkbookHeader {
  return { unitName: report.unitName, period: `月份：${report.month}` };
}

/** The same workbook as `writeReportWorkbook` writes, as bytes (for a download). */
export async function reportWorkbookBuffer(
  header: WorkbookHeader,
  tables: readonly ReportTable[],
): Promise<Buffer> {
  return Buffer.from(await buildReportWorkbook(header, tables).xlsx.writeBuffer());
}

/**
 * Writes report tables as one workbook, a sheet per table: its title, the unit, period and 金额单位
 * beneath, one or two header rows, the rows, and a 合计 row where the table has totals.
 */
export async function writeReportWorkbook(
  header: WorkbookHeader,
  tables: readonly ReportTable[],
  file: string,
): Promise<void> {
  await buildReportWorkbook(header, tables).xlsx.writeFile(file);
}

function buildReportWorkbook(header: WorkbookHeader, tables: readonly ReportTable[]): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hospital-dw';
  for (const table of tables) addSheet(workbook, header, table);
  return workbook;
}

function addSheet(workbook: ExcelJS.Workbook, report: WorkbookHeader, table: ReportTable): void {
  const sheet = workbook.addWorksheet(table.sheet);
  const width = table.columns.length;
  const grouped = table.columns.some((c) => c.group);

  sheet.mergeCells(1, 1, 1, width);
  const title = sheet.getCell(1, 1);
  title.value = table.title;
  title.font = { bold: true, size: 14 };
  title.alignment = { horizontal: 'center' };
  sheet.getRow(2).values = [`编制单位：${report.unitName}`, report.period, '金额单位：元'];

  // header: one row, or two with each group's name merged over its columns
  const headerRow = grouped ? 4 : 3;
  let index = 0;
  while (index < width) {
    const column = table.columns[index]!;
    let end = index;
    while (column.group && table.columns[end + 1]?.group === column.group) end += 1;
    if (grouped && column.group) {
      if (end > index) sheet.mergeCells(3, index + 1, 3, end + 1);
      sheet.getCell(3, index + 1).value = column.group;
      for (let c = index; c <= end; c += 1) sheet.getCell(4, c + 1).value = table.columns[c]!.header;
    } else {
      if (grouped) sheet.mergeCells(3, index + 1, 4, index + 1);
      sheet.getCell(3, index + 1).value = column.header;
    }
    index = end + 1;
  }
  for (let r = 3; r <= headerRow; r += 1) {
    const row = sheet.getRow(r);
    row.font = { bold: true };
    row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  }

  for (const record of table.rows) {
    sheet.addRow(table.columns.map((c) => value(c, record[c.key])));
  }
  if (Object.keys(table.totals).length > 0) {
    const totals = sheet.addRow(
      table.columns.map((c, i) =>
        i === 0 ? '合计' : c.kind === 'text' ? null : (table.totals[c.key] ?? null),
      ),
    );
    totals.font = { bold: true };
  }

  table.columns.forEach((c, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = c.kind === 'text' ? 18 : 14;
    const format = formats[c.kind];
    if (format) column.numFmt = format;
  });
  sheet.views = [{ state: 'frozen', ySplit: headerRow }];
}

function value(column: ReportColumn, raw: string | number | null | undefined): string | number | null {
  if (raw === null || raw === undefined) return null;
  if (column.kind === 'text') return String(raw);
  return Number(raw);
}
