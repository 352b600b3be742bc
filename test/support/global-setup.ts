import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { destroyEmbedded, embeddedStatus, startEmbedded } from '../../core/db/embedded-postgres.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { dropDemoTemplates, removeDemoFiles, startDemoTemplateBuild } from './demo-warehouse.ts';
import { usesDemoWarehouse } from './sequencer.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test cluster; each test file makes its own database with `createTestDatabase`. */
    pgAdminUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: the embedded server in a throw-away data folder (or the
 * server of TEST_DATABASE_URL). Durability is off: nothing here needs to survive a crash.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    // A server that outlives runs may hold the last run's demo template, built from older models.
    await dropDemoTemplates(external);
    const demo = await prebuildDemo(project, external);
    return async () => {
      await demo?.done;
    };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-test-pg-'));
  const { url } = await startEmbedded({
    dataDir,
    logger: silentLogger,
    // Many test files at once, each with its pools and some with a Cube (whose driver keeps
    // a pool of its own): 200 connections ran out, and Cube's queries died with "Connection terminated".
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '500',
    },
  });
  project.provide('pgAdminUrl', url);
  const demo = await prebuildDemo(project, url);
  return async () => {
    await demo?.done;
    await reportServerTrouble(dataDir);
    await destroyEmbedded(dataDir, silentLogger);
    await removeDemoFiles(url);
  };
}

/**
 * When the run has files that need the small demo warehouse, its template starts building now,
 * beside the files that do not (the sequencer runs those first), instead of in the first file
 * that needs it while the other worker waits.
 */
async function prebuildDemo(project: TestProject, adminUrl: string): Promise<{ done: Promise<void> } | undefined> {
  // The files this run selected: the command line's filters, as Vitest keeps them.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const specs = await project.vitest.globTestSpecifications(filters);
  if (!specs.some((spec) => usesDemoWarehouse(spec.moduleId))) return undefined;
  return startDemoTemplateBuild(adminUrl);
}

/**
 * The test cluster's data folder goes with the run, and its log with it; what the server said of
 * crashes, killed or refused connections is printed first, so a failure in CI can be explained.
 */
async function reportServerTrouble(dataDir: string): Promise<void> {
  const status = await embeddedStatus(dataDir, silentLogger).catch(() => undefined);
  if (!status?.pgdata) return;
  const log = await readFile(path.join(status.pgdata, 'server.log'), 'utf8').catch(() => '');
  const trouble = log
    .split('\n')
    .filter((line) =>
      /PANIC|terminated by signal|terminating|timeout|too many|out of memory|could not/i.test(line),
    )
    // Tests drop their databases WITH (FORCE), which ends the connections left to them.
    .filter((line) => !line.includes('due to administrator command'))
    // ingest-faults fills a small tablespace on purpose (the database's disk full); no other test makes one.
    .filter((line) => !line.includes('pg_tblspc/'))
    // run-lock kills a run mid-ingest on purpose (SIGKILL): its connections end in the middle of a message.
    .filter((line) => !/protocol synchronization was lost|could not send data to client|could not receive data from client/.test(line));
  if (trouble.length === 0) return;
  process.stderr.write(
    `test PostgreSQL reported ${trouble.length} problem line(s); the first 40:\n${trouble.slice(0, 40).join('\n')}\n`,
  );
}
