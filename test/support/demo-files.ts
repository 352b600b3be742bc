import os from 'node:os';
import path from 'node:path';

/** The demo's seed that every mart test reads (test/support/demo-warehouse.ts). */
export const DEMO_SEED = 7;

export type DemoSize = 'small' | 'full';

/**
 * The demo sizes the mart tests check: the small demo always, the full one (≈10 M charge lines)
 * as well with `HDW_FULL=1`.
 */
export const demoSizes: readonly DemoSize[] = process.env.HDW_FULL === '1' ? ['small', 'full'] : ['small'];

/** How long a test file may wait for the demo warehouse (the first caller builds it). */
export function demoHookTimeout(size: DemoSize): number {
  return size === 'full' ? 7_200_000 : 900_000;
}

/**
 * Where the demo of one size and test cluster lives (one folder per cluster, so parallel runs
 * never share): `files/` as generated, `run-summary.json` what the template's pipeline run reported.
 */
export function demoFilesDir(adminUrl: string, size: DemoSize): string {
  const port = new URL(adminUrl).port || '5432';
  return path.join(os.tmpdir(), `hdw-demo-${size}-${DEMO_SEED}-${port}`);
}
