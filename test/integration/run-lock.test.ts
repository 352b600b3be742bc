import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, currentRunLock } from '../../core/jobs/run-lock.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { healthzHandler } from '../../cube/healthz.ts';
import { projectPaths, projectRoot } from '../../core/paths.ts';
import { ensureRawTables } from '../../pipelines/ingest/load-batch.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CHARGE_HEADER, hisInbox } from '../support/his-inbox.ts';
import { createPool } from '../../core/db/database.ts';

const H1 = 'H32090200001';
const LINES = 150_000;
const HDW = path.join(projectRoot, 'ops', 'bin', 'hdw.mjs');
const LOCKED = 75;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('one run at a time', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox: string;
  let work: string;

  /** `hdw <args>` as a user runs it, against the test database and inbox. */
  function hdw(args: string[], env: Record<string, string> = {}): Promise<Ran> {
    const child = spawn(process.execPath, [HDW, ...args], {
      cwd: work,
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        HDW_INBOX: inbox,
        HDW_DATA_DIR: work,
        HDW_LOG_LEVEL: 'error',
        // The fixture files were just written: no upload is in progress.
        HDW_INBOX_QUIET_SECONDS: '0',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  async function chargeFile(month: string): Promise<void> {
    const lines = [CHARGE_HEADER];
    for (let n = 0; n < LINES; n += 1)
      lines.push(`${month}-L${n},I,V1,${month}-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01`);
    await writeFile(path.join(inbox, H1, 'his', `charge_lines_${month}.csv`), `${lines.join('\n')}\n`);
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
    // A build finds its sources even when it runs before any ingest.
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    await ensureRawTables(pool, allSources);
    ({ inbox } = await hisInbox(H1, 'hdw-lock-'));
    work = await mkdtemp(path.join(os.tmpdir(), 'hdw-lock-work-'));
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    await rm(inbox, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  /** Every delivery once, whole; every batch reconciled; nothing left in the inbox. */
  async function expectEachDeliveryOnce(months: string[]): Promise<void> {
    const { rows } = await pool.query(
      `select source_file, count(*)::int as n from ops.batches where status = 'loaded' group by 1 having count(*) > 1`,
    );
    expect(rows).toEqual([]);
    const charges = await pool.query(
      `select count(*)::int as n, count(distinct line_id)::int as lines from raw_his.charge_lines`,
    );
    expect(charges.rows[0]).toEqual({ n: LINES * months.length, lines: LINES * months.length });
    const loaded = await pool.query(`select count(*)::int as n from ops.batches where status = 'loaded'`);
    expect(loaded.rows[0].n).toBe(3 + months.length);
    const left = (await readdir(path.join(inbox, H1, 'his'))).sort();
    expect(left).toEqual([]);
  }

  it('two ingests and a build started at once: one runs, the others exit with one line naming it', async () => {
    await chargeFile('2025-01');
    const runs = await Promise.all([
      hdw(['ingest'], { HDW_LOCK_WAIT_SECONDS: '0' }),
      hdw(['ingest'], { HDW_LOCK_WAIT_SECONDS: '0' }),
      hdw(['build', '--target-dir', path.join(work, 'target')], { HDW_LOCK_WAIT_SECONDS: '0' }),
    ]);
    for (const run of runs) {
      expect([0, LOCKED], run.stderr).toContain(run.code);
      expect(run.stderr).not.toMatch(/unexpected error|^\s+at /m);
      if (run.code === LOCKED) {
        const lines = run.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          /^hdw: (ingest|build) not started: the warehouse is busy with (ingest|build) started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(pid \d+ on .+\); try again when it has finished$/,
        );
      }
    }
    expect(runs.some((r) => r.code === 0)).toBe(true);
    // Whatever was refused is simply done by the next ordinary run.
    expect((await hdw(['ingest'])).code).toBe(0);
    await expectEachDeliveryOnce(['2025-01']);
  });

  it('with a wait, the second and third run after the first, and nothing is loaded twice', async () => {
    await chargeFile('2025-02');
    const runs = await Promise.all([
      hdw(['ingest'], { HDW_LOCK_WAIT_SECONDS: '600' }),
      hdw(['ingest'], { HDW_LOCK_WAIT_SECONDS: '600' }),
      hdw(['build', '--target-dir', path.join(work, 'target')], { HDW_LOCK_WAIT_SECONDS: '600' }),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/unexpected error|^\s+at /m);
    }
    await expectEachDeliveryOnce(['2025-01', '2025-02']);
  });

  it('a lock whose holder was killed frees itself', async () => {
    const script = `
      import { acquireRunLock } from ${JSON.stringify(path.join(projectRoot, 'core/jobs/run-lock.ts'))};
      import { silentLogger } from ${JSON.stringify(path.join(projectRoot, 'core/logging/logger.ts'))};
      await acquireRunLock(${JSON.stringify(t.url)}, 'ingest', { waitSeconds: 0, logger: silentLogger });
      process.stdout.write('locked\\n');
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(await currentRunLock(pool)).toMatchObject({ job: 'ingest', osPid: child.pid });
    const refused = await hdw(['ingest'], { HDW_LOCK_WAIT_SECONDS: '0' });
    expect(refused.code).toBe(LOCKED);
    expect(refused.stderr).toContain(`busy with ingest started`);
    expect(refused.stderr).toContain(`(pid ${child.pid} on ${os.hostname()})`);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The server notices the dead session and drops its lock.
    const until = Date.now() + 30_000;
    while ((await currentRunLock(pool)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await currentRunLock(pool)).toBeUndefined();
    const lock = await acquireRunLock(t.url, 'seed', { waitSeconds: 0, logger: silentLogger });
    await lock.release();
  });

  it('scheduled ticks that find the warehouse busy are skipped and recorded; `hdw status` and /healthz say so', async () => {
    const held = await acquireRunLock(t.url, 'run', { waitSeconds: 0, logger: silentLogger });
    try {
      const once = await hdw(['schedule', '--once']);
      expect(once.code, once.stderr).toBe(0);
      const { rows } = await pool.query(
        `select job, status, detail->>'reason' as reason from ops.job_runs
         where job in ('ingest', 'transform') order by run_id desc limit 2`,
      );
      expect(rows.map((r) => [r.job, r.status]).sort()).toEqual([
        ['ingest', 'skipped'],
        ['transform', 'skipped'],
      ]);
      expect(rows[0].reason).toMatch(/busy with run started/);

      // The build above published; with a limit of 3.6 s its marts are stale, which the exit code says too.
      const status = await hdw(['status'], { HDW_PUBLISH_MAX_AGE_HOURS: '0.001' });
      expect(status.stdout).toContain('数据库 database: ok');
      expect(status.stdout).toMatch(/运行锁 run lock: held by run started .* \(pid \d+ on /);
      expect(status.stdout).toMatch(/ingest\s+skipped/);
      expect(status.stdout).toMatch(/发布 marts published: \d{4}-\d{2}-\d{2} .*limit/);
      expect(status.code).toBe(1);
    } finally {
      await held.release();
    }

    // A fresh publish: healthy. /healthz tells a monitor without any token.
    await pool.query(
      `insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`,
    );
    expect((await hdw(['status'])).code).toBe(0);
    // The handler `hdw serve` mounts at /healthz, on a bare server (Cube's start-up is not what is tested).
    const app = express();
    app.get('/healthz', healthzHandler(pool, { publishMaxAgeHours: 6 }));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    try {
      const ok = await fetch(url);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { jobs: { job: string }[] };
      expect(body).toMatchObject({ status: 'ok', database: 'ok', lock: null });
      expect(body.jobs.map((j) => j.job)).toEqual(expect.arrayContaining(['ingest', 'publish']));
      expect(JSON.stringify(body)).not.toContain(os.hostname());
      // Publishing stopped: older than the limit answers 503.
      await pool.query(
        `update ops.job_runs set finished_at = now() - interval '7 hours' where job = 'publish'`,
      );
      const stale = await fetch(url);
      expect(stale.status).toBe(503);
      expect(await stale.json()).toMatchObject({ status: 'stale', database: 'ok' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
