import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectPaths, projectRoot } from '../core/paths.ts';
import type { Logger } from '../core/logging/logger.ts';

/** Where the built web application is served from (`hdw serve`). */
export const webDist = path.join(projectPaths.target, 'web');
const hashFile = '.source-hash';

/**
 * Builds the web application (`web/` → `target/web/`) with Vite when its sources or the locked
 * dependencies changed since the last build, and returns the folder. Fast when nothing changed
 * (one hash over the sources). The build goes to a scratch folder first and is swapped in whole,
 * so a server never serves half a build and two processes building at once both end with a good one.
 */
export async function ensureWebBuilt(logger?: Logger): Promise<string> {
  const hash = await sourceHash();
  const current = await readFile(path.join(webDist, hashFile), 'utf8').catch(() => '');
  if (current === hash) return webDist;
  const started = Date.now();
  logger?.info('building the web application (Vite)');
  const scratch = `${webDist}.build-${process.pid}-${Date.now()}`;
  const { build } = await import('vite');
  await build({
    configFile: path.join(projectPaths.web, 'vite.config.ts'),
    build: { outDir: scratch, emptyOutDir: true },
    logLevel: 'warn',
  });
  await writeFile(path.join(scratch, hashFile), hash);
  const old = `${webDist}.old-${process.pid}-${Date.now()}`;
  await rename(webDist, old).catch(() => undefined);
  await rename(scratch, webDist).catch(async (error: unknown) => {
    // Another process swapped its build in first: keep that one.
    await rm(scratch, { recursive: true, force: true });
    if ((await stat(webDist).catch(() => undefined)) === undefined) throw error;
  });
  await rm(old, { recursive: true, force: true });
  logger?.info({ ms: Date.now() - started }, 'web application built');
  return webDist;
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await listFiles(projectPaths.web)).sort();
  for (const file of [...files, path.join(projectRoot, 'package-lock.json')]) {
    hash.update(path.relative(projectRoot, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])),
  );
  return nested.flat();
}
