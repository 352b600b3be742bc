import os from 'node:os';
import path from 'node:path';

/** The small demo's seed that every mart test reads (test/support/demo-warehouse.ts). */
export const DEMO_SEED = 7;

/**
 * Where the demo of one test cluster lives (one folder per cluster, so parallel runs never share):
 * `files/` as generated, `run-summary.json` what the template's pipeline run reported.
 */
export function demoFilesDir(adminUrl: string): string {
  const port = new URL(adminUrl).port || '5432';
  return path.join(os.tmpdir(), `hdw-demo-small-${DEMO_SEED}-${port}`);
}
