/**
 * `npm run bench [name…]`: runs every `test/bench/*.bench.ts` (or the named ones) against one
 * throw-away embedded PostgreSQL, each printing `key: value` figures measured side by side in the
 * same run (e.g. our ingest next to a plain COPY of the same file), so ratios compare like with like.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { destroyEmbedded, startEmbedded } from '../../core/db/embedded-postgres.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { removeBenchDemo } from './demo-warehouse.ts';

export interface BenchContext {
  /** Admin URL of the bench cluster; create your own database on it. */
  readonly pgAdminUrl: string;
  /** A scratch folder, removed afterwards. */
  readonly workDir: string;
  /** Prints one figure as `bench.key: value`. */
  report(key: string, value: number | string): void;
}

export type Bench = (ctx: BenchContext) => Promise<void>;

const dir = path.dirname(new URL(import.meta.url).pathname);
const wanted = process.argv.slice(2);
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  process.stdout.write(`no benchmarks${wanted.length ? ` matching ${wanted.join(', ')}` : ''}\n`);
  process.exit(0);
}
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-bench-pg-'));
const { url } = await startEmbedded({
  dataDir,
  logger: silentLogger,
  settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
});
let failed = false;
try {
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    const workDir = await mkdtemp(path.join(os.tmpdir(), `hdw-bench-${name}-`));
    process.stdout.write(`\n# ${name}\n`);
    try {
      const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: Bench };
      await mod.default({
        pgAdminUrl: url,
        workDir,
        report: (key, value) => process.stdout.write(`${name}.${key}: ${value}\n`),
      });
    } catch (error) {
      failed = true;
      process.stdout.write(`${name} failed: ${(error as Error).stack}\n`);
    } finally {
      const { rm } = await import('node:fs/promises');
      await rm(workDir, { recursive: true, force: true });
    }
  }
} finally {
  await removeBenchDemo();
  await destroyEmbedded(dataDir, silentLogger);
}
process.exit(failed ? 1 : 0);
