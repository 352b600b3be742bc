import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
 * The folder name carries a hash of the generator's sources, so files a run left behind (a run
 * that crashed before its teardown, on the same port) are never reused by a changed generator.
 */
export function demoFilesDir(adminUrl: string, size: DemoSize): string {
  const port = new URL(adminUrl).port || '5432';
  return path.join(os.tmpdir(), `hdw-demo-${size}-${DEMO_SEED}-${port}-${generatorVersion()}`);
}

let version: string | undefined;

/** A short hash over the demo generator's source files (pipelines/demo), names and contents. */
export function generatorVersion(): string {
  if (version) return version;
  const dir = path.resolve(import.meta.dirname, '../../pipelines/demo');
  const hash = createHash('sha256');
  for (const file of (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(dir, file)));
  }
  version = hash.digest('hex').slice(0, 12);
  return version;
}
