import { withWarehouse } from '../context.ts';
import { assertReportMonth, loadFundReport } from '../reports/fund-report.ts';
import { fundWorkbookHeader, writeReportWorkbook } from '../reports/report-workbook.ts';

/** `hdw report fund --month YYYY-MM [--hospital H] --out file.xlsx`: the monthly fund supervision report. */
export async function reportFundCommand(opts: {
  readonly month: string;
  readonly hospital?: string;
  readonly out: string;
}): Promise<void> {
  assertReportMonth(opts.month);
  const report = await withWarehouse((w) =>
    loadFundReport(w.pool, { month: opts.month, ...(opts.hospital ? { hospitalCode: opts.hospital } : {}) }),
  );
  await writeReportWorkbook(fundWorkbookHeader(report), report.tables, opts.out);
  process.stdout.write(
    `医保基金监管月报 fund report ${opts.month} (${report.unitName}): ${report.tables.length} sheets written to ${opts.out}\n` +
      report.tables.map((t) => `  ${t.sheet}: ${t.rows.length} rows\n`).join(''),
  );
}
