import { ConfigError } from '../../core/errors.ts';
import { withWarehouse } from '../context.ts';
import { loadFundReport } from '../reports/fund-report.ts';
import { writeReportWorkbook } from '../reports/report-workbook.ts';

/** `hdw report fund --month YYYY-MM [--hospital H] --out file.xlsx`: the monthly fund supervision report. */
export async function reportFundCommand(opts: {
  readonly month: string;
  readonly hospital?: string;
  readonly out: string;
}): Promise<void> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.month))
    throw new ConfigError(`--month must look like 2025-03 (got "${opts.month}")`);
  const report = await withWarehouse((w) =>
    loadFundReport(w.pool, { month: opts.month, ...(opts.hospital ? { hospitalCode: opts.hospital } : {}) }),
  );
  await writeReportWorkbook(
    { unitName: report.unitName, period: `月份：${report.month}` },
    report.tables,
    opts.out,
  );
  process.stdout.write(
    `医保基金监管月报 fund report ${opts.month} (${report.unitName}): ${report.tables.length} sheets written to ${opts.out}\n` +
      report.tables.map((t) => `  ${t.sheet}: ${t.rows.length} rows\n`).join(''),
  );
}
