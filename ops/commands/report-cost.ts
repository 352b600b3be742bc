import { withWarehouse } from '../context.ts';
import { loadCostReport } from '../reports/cost-report.ts';
import { writeCostWorkbook } from '../reports/report-workbook.ts';

/** `hdw report cost --year Y [--hospital H] --out file.xlsx`: the standard cost tables as one workbook. */
export async function reportCostCommand(opts: {
  readonly year: number;
  readonly hospital?: string;
  readonly out: string;
}): Promise<void> {
  const report = await withWarehouse((w) =>
    loadCostReport(w.pool, { year: opts.year, ...(opts.hospital ? { hospitalCode: opts.hospital } : {}) }),
  );
  await writeCostWorkbook(report, opts.out);
  process.stdout.write(
    `成本报表 cost report ${opts.year} (${report.unitName}): ${report.tables.length} tables written to ${opts.out}\n` +
      report.tables.map((t) => `  ${t.sheet}: ${t.rows.length} rows\n`).join(''),
  );
}
