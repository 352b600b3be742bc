import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createPool } from '../../core/db/database.ts';
import { destroyEmbedded, startEmbedded, stopEmbedded } from '../../core/db/embedded-postgres.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths, projectRoot } from '../../core/paths.ts';
import { ingestInbox } from '../../pipelines/ingest/ingest-inbox.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CHARGE_HEADER, hisInbox } from '../support/his-inbox.ts';

/**
 * Faults tried on purpose (issue 10, item 7): after each, the next ordinary run leaves the
 * warehouse as if the fault had never happened — every delivery loaded exactly once, every batch
 * reconciled, every file in `_processed` matching a loaded batch by SHA-256, nothing left behind.
 */
const H1 = 'H32090200001';
const LINES = 200_000;

/** An inbox with the HIS dictionaries, one visit and a charge file of `lines` lines. */
async function chargeInbox(prefix: string, lines = LINES): Promise<string> {
  const { inbox } = await hisInbox(H1, prefix);
  const out = [CHARGE_HEADER];
  for (let n = 0; n < lines; n += 1)
    out.push(`L${n},I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01`);
  await writeFile(path.join(inbox, H1, 'his', 'charge_lines_2025-01.csv'), `${out.join('\n')}\n`);
  return inbox;
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** The warehouse as if no fault had happened: the four deliveries once each, whole, all accounted for. */
async function expectAsIfNoFault(pool: pg.Pool, inbox: string, lines = LINES): Promise<void> {
  const batches = await pool.query<{ source_file: string; n: number }>(
    `select source_file, count(*)::int as n from ops.batches where status = 'loaded' group by 1 order by 1`,
  );
  expect(batches.rows).toEqual(
    ['charge_items.csv', 'charge_lines_2025-01.csv', 'departments.csv', 'inpatient_visits_2025-01.csv']
      .map((f) => ({ source_file: `${H1}/his/${f}`, n: 1 }))
      .sort((a, b) => a.source_file.localeCompare(b.source_file)),
  );
  const unreconciled = await pool.query(
    `select count(*)::int as n from ops.batches where rows_read <> rows_loaded + rows_quarantined + rows_duplicate`,
  );
  expect(unreconciled.rows[0].n).toBe(0);
  const charges = await pool.query(
    `select count(*)::int as n, count(distinct line_id)::int as lines from raw_his.charge_lines`,
  );
  expect(charges.rows[0]).toEqual({ n: lines, lines });
  // Nothing waits in the inbox; every processed file is a loaded batch's content.
  const left = (await filesUnder(inbox)).filter((f) => !f.startsWith('_processed/'));
  expect(left).toEqual([]);
  const processed = await filesUnder(path.join(inbox, '_processed'));
  expect(processed).toHaveLength(4);
  for (const file of processed) {
    const sha = createHash('sha256')
      .update(await readFile(path.join(inbox, '_processed', file)))
      .digest('hex');
    const match = await pool.query(
      `select count(*)::int as n from ops.batches where status = 'loaded' and content_sha256 = $1 and source_file = $2`,
      [sha, file],
    );
    expect(match.rows[0].n, file).toBe(1);
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once a session of `app` is COPYing the charge lines into their batch table. */
async function copying(pool: pg.Pool, app: string): Promise<void> {
  await waitFor(async () => {
    const { rows } = await pool.query(
      `select count(*)::int as n from pg_stat_activity where application_name = $1
         and query ilike 'copy %charge_lines%' and state = 'active'`,
      [app],
    );
    return rows[0].n > 0;
  }, 60_000);
}

const ingest = (pool: pg.Pool, inbox: string) =>
  ingestInbox(pool, { inbox, sources: allSources, logger: silentLogger });

const isRoot = process.getuid?.() === 0 && !process.env.TEST_DATABASE_URL;

describe('faults during an ingest', () => {
  let t: TestDatabase;
  let seeded: boolean;

  beforeAll(async () => {
    t = await createTestDatabase();
    const pool = createPool(t.url, 2);
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    await pool.end();
    seeded = true;
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A fresh warehouse state for each fault: the ledger and raw tables emptied, seeds kept. */
  async function emptied(pool: pg.Pool): Promise<void> {
    expect(seeded).toBe(true);
    await pool.query(`truncate ops.batches, ops.processed_files cascade`);
    for (const source of allSources)
      await pool.query(`truncate raw_${source.system}.${source.entity}`).catch(() => undefined);
  }

  it('the PostgreSQL connection dropped mid-batch', async () => {
    const app = 'hdw-fault-drop';
    const url = new URL(t.url);
    url.searchParams.set('application_name', app);
    const pool = createPool(url.toString(), 4);
    const watcher = createPool(t.url, 2);
    const inbox = await chargeInbox('hdw-fault-drop-');
    try {
      await emptied(watcher);
      const run = ingest(pool, inbox);
      run.catch(() => undefined);
      await copying(watcher, app);
      await watcher.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`,
        [app],
      );
      await expect(run).rejects.toThrow();
      // Nothing of the charge batch committed, and its file waits in the inbox.
      const partial = await watcher.query(`select count(*)::int as n from raw_his.charge_lines`);
      expect(partial.rows[0].n).toBe(0);

      await ingest(pool, inbox);
      await expectAsIfNoFault(watcher, inbox);
    } finally {
      await pool.end();
      await watcher.end();
      await rm(inbox, { recursive: true, force: true });
    }
  });

  it('a run killed (SIGKILL) while moving its files to _processed', async () => {
    const pool = createPool(t.url, 4);
    const inbox = await chargeInbox('hdw-fault-move-', 20_000);
    try {
      await emptied(pool);
      const script = `
        import pg from 'pg';
        import { ingestInbox } from ${JSON.stringify(path.join(projectRoot, 'pipelines/ingest/ingest-inbox.ts'))};
        import { allSources } from ${JSON.stringify(path.join(projectRoot, 'pipelines/sources/index.ts'))};
        import { silentLogger } from ${JSON.stringify(path.join(projectRoot, 'core/logging/logger.ts'))};
        const pool = new pg.Pool({ connectionString: ${JSON.stringify(t.url)} });
        await ingestInbox(pool, { inbox: ${JSON.stringify(inbox)}, sources: allSources, logger: silentLogger });`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: projectRoot,
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      // Killed as soon as the first file has moved: the others are loaded or about to be, not moved.
      await waitFor(async () => (await filesUnder(path.join(inbox, '_processed'))).length > 0, 60_000);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect((await filesUnder(inbox)).filter((f) => !f.startsWith('_processed/')).length).toBeGreaterThan(0);

      await ingest(pool, inbox);
      await expectAsIfNoFault(pool, inbox, 20_000);
    } finally {
      await pool.end();
      await rm(inbox, { recursive: true, force: true });
    }
  });

  it('a run that died between commit and move, or between move and commit', async () => {
    const pool = createPool(t.url, 4);
    const inbox = await chargeInbox('hdw-fault-window-', 1_000);
    try {
      await emptied(pool);
      // Committed, never moved: everything loaded with the files left where they were.
      await ingestInbox(pool, { inbox, sources: allSources, logger: silentLogger, archive: false });
      // Moved, never committed: the charge file sits in _processed but its batch is gone.
      const charge = `${H1}/his/charge_lines_2025-01.csv`;
      await mkdir(path.join(inbox, '_processed', H1, 'his'), { recursive: true });
      await copyFile(path.join(inbox, charge), path.join(inbox, '_processed', charge));
      await rm(path.join(inbox, charge));
      await pool.query(
        `delete from raw_his.charge_lines where batch_id in (select batch_id from ops.batches where source_file = $1)`,
        [charge],
      );
      await pool.query(`delete from ops.batches where source_file = $1`, [charge]);

      const next = await ingest(pool, inbox);
      expect(next.batches.filter((b) => b.outcome === 'loaded').map((b) => b.delivery.relativePath)).toEqual([
        charge,
      ]);
      await expectAsIfNoFault(pool, inbox, 1_000);
    } finally {
      await pool.end();
      await rm(inbox, { recursive: true, force: true });
    }
  });

  it.skipIf(!isRoot)('the disk of the inbox full when moving files to _processed', async () => {
    const pool = createPool(t.url, 4);
    const made = await chargeInbox('hdw-fault-inbox-', 1_000);
    const inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-fault-inbox-full-'));
    try {
      await emptied(pool);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,nr_inodes=64', 'tmpfs', inbox]);
      execFileSync('cp', ['-a', `${made}/.`, inbox]);
      // Every inode taken: no folder can be made for _processed.
      await mkdir(path.join(inbox, '.fill'));
      for (let n = 0; ; n += 1) {
        try {
          await writeFile(path.join(inbox, '.fill', String(n)), '');
        } catch {
          break;
        }
      }
      // The batches commit; the files cannot move and stay, each with one line saying why.
      const full = await ingest(pool, inbox);
      expect(full.deferred.length).toBeGreaterThan(0);
      for (const { reason } of full.deferred) expect(reason).toMatch(/could not be moved to _processed/);
      await rm(path.join(inbox, '.fill'), { recursive: true });

      await ingest(pool, inbox);
      await expectAsIfNoFault(pool, inbox, 1_000);
    } finally {
      await pool.end();
      try {
        execFileSync('umount', [inbox]);
      } catch {
        // not mounted
      }
      await rm(inbox, { recursive: true, force: true });
      await rm(made, { recursive: true, force: true });
    }
  });

  it.skipIf(!isRoot)('the disk of the database full (a tablespace on a small tmpfs)', async () => {
    const mount = await mkdtemp(path.join(os.tmpdir(), 'hdw-fault-disk-'));
    const tablespace = `hdw_full_${process.pid}`;
    const admin = new pg.Client(t.url);
    await admin.connect();
    const inbox = await chargeInbox('hdw-fault-disk-');
    let pool: pg.Pool | undefined;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
      const owner = execFileSync('id', ['-u', 'postgres']).toString().trim();
      execFileSync('chown', [owner, mount]);
      await admin.query(`create tablespace ${tablespace} location '${mount}'`);
      const database = new URL(t.url).pathname.slice(1);
      await admin.query(`alter database ${database} set default_tablespace = ${tablespace}`);
      pool = createPool(t.url, 4);
      await emptied(pool);

      await expect(ingest(pool, inbox)).rejects.toThrow(/space/i);
      const partial = await pool.query(`select count(*)::int as n from raw_his.charge_lines`);
      expect(partial.rows[0].n).toBe(0);

      // Space freed (the volume grown), the next ordinary run.
      execFileSync('mount', ['-o', 'remount,size=512m', mount]);
      await ingest(pool, inbox);
      await expectAsIfNoFault(pool, inbox);
    } finally {
      await pool?.end();
      const database = new URL(t.url).pathname.slice(1);
      await admin.query(`alter database ${database} reset default_tablespace`).catch(() => undefined);
      // The tables in the tablespace go with the database's tables, which the suite drops at the end;
      // empty the tablespace now so it can be dropped and the volume unmounted.
      const inside = new pg.Client(t.url);
      await inside.connect();
      const { rows } = await inside.query<{ name: string }>(
        `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_tablespace s on s.oid = c.reltablespace where s.spcname = $1 and c.relkind in ('r', 'p')`,
        [tablespace],
      );
      for (const { name } of rows) await inside.query(`alter table ${name} set tablespace pg_default`);
      await inside.end();
      await admin.query(`drop tablespace if exists ${tablespace}`).catch(() => undefined);
      await admin.end();
      try {
        execFileSync('umount', [mount]);
      } catch {
        // left mounted: nothing else to do in a test
      }
      await rm(mount, { recursive: true, force: true });
      await rm(inbox, { recursive: true, force: true });
    }
  });
});

describe('the PostgreSQL server restarted mid-run', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-fault-pg-'));
  });
  afterAll(async () => {
    await destroyEmbedded(dataDir, silentLogger);
  });

  it('loses nothing and doubles nothing once the server is back', async () => {
    const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
    const { url } = await startEmbedded({ dataDir, logger: silentLogger, settings });
    const db = createDb(url);
    await migrateToLatest(db, silentLogger);
    await db.destroy();
    const app = 'hdw-fault-restart';
    const appUrl = new URL(url);
    appUrl.searchParams.set('application_name', app);
    // createPool, as every command uses: a connection dying under a query must not crash the process.
    let pool = createPool(appUrl.toString(), 4);
    const watcher = createPool(url, 1);
    const inbox = await chargeInbox('hdw-fault-restart-');
    try {
      await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
      const run = ingest(pool, inbox);
      run.catch(() => undefined);
      await copying(watcher, app);
      await watcher.end();
      await stopEmbedded(dataDir, silentLogger);
      await expect(run).rejects.toThrow();
      await pool.end().catch(() => undefined);

      const restarted = await startEmbedded({ dataDir, logger: silentLogger, settings });
      pool = createPool(restarted.url, 4);
      await ingest(pool, inbox);
      await expectAsIfNoFault(pool, inbox);
    } finally {
      await pool.end().catch(() => undefined);
      await rm(inbox, { recursive: true, force: true });
    }
  });
});
