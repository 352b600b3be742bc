import os from 'node:os';
import pg from 'pg';
import { HdwError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * The one lock every run that writes the warehouse takes (ingest, build, replay, seed, run, the
 * scheduled jobs): a PostgreSQL session advisory lock on a connection of its own, so it frees
 * itself when its holder dies, whatever killed it. A row in ops.run_lock names the holder (job,
 * process, host, start time) so a run that cannot get the lock can say who has it.
 */
const LOCK_NAME = 'warehouse';
/** The advisory lock's two keys ('HDW!' and 1): fixed, so every process of every version agrees. */
const LOCK_KEYS = [0x48445721, 1] as const;
/** How long a refused run looks for the holder's row when the lock is held but not yet named. */
const HOLDER_NAMING_MS = 5000;

/** Who holds the run lock, as recorded when it was taken. */
export interface RunLockHolder {
  readonly job: string;
  readonly startedAt: Date;
  readonly osPid: number;
  readonly host: string;
}

/** A held run lock; `release()` frees it (ending its connection would too). */
export interface RunLock {
  readonly job: string;
  release(): Promise<void>;
}

/** Another run holds the lock and did not free it within the wait; the message names it. */
export class RunLockedError extends HdwError {
  readonly holder?: RunLockHolder;
  constructor(job: string, waitedSeconds: number, holder?: RunLockHolder) {
    super(
      'E_LOCKED',
      `${job} not started: the warehouse is busy with ${describeHolder(holder)}` +
        (waitedSeconds > 0 ? ` (waited ${waitedSeconds} s, HDW_LOCK_WAIT_SECONDS)` : '') +
        '; try again when it has finished',
    );
    this.holder = holder;
  }
}

/** `ingest started 2026-12-02 01:10:04 (pid 4242 on host-a)`, or a run still starting. */
export function describeHolder(holder: RunLockHolder | undefined): string {
  if (!holder) return 'another run (just starting)';
  return `${holder.job} started ${localTime(holder.startedAt)} (pid ${holder.osPid} on ${holder.host})`;
}

/**
 * Takes the run lock for `job`, waiting up to `waitSeconds` for a run holding it to finish;
 * throws RunLockedError naming the holder when it does not. The lock lives on its own connection
 * to `url`, outside any pool, so it is held exactly as long as this process wants it.
 */
export async function acquireRunLock(
  url: string,
  job: string,
  options: { readonly waitSeconds: number; readonly logger: Logger },
): Promise<RunLock> {
  const client = new pg.Client({ connectionString: url, application_name: `hdw run lock: ${job}` });
  // A connection lost while held (server restarted) frees the lock server-side; say so, do not crash.
  client.on('error', (error) =>
    options.logger.warn({ job, error: error.message }, 'run lock connection lost; the lock is free again'),
  );
  await client.connect();
  try {
    const until = Date.now() + options.waitSeconds * 1000;
    // A holder names itself a moment after it takes the lock (its row is written next): a run
    // refused in that moment looks again, so it can say who holds the lock rather than "just starting".
    const namedBy = Date.now() + HOLDER_NAMING_MS;
    let told = false;
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock($1, $2) as ok`, [
        ...LOCK_KEYS,
      ]);
      if (rows[0]!.ok) break;
      const holder = await lockHolder(client);
      if (!holder && Date.now() < namedBy) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (Date.now() >= until) throw new RunLockedError(job, options.waitSeconds, holder);
      if (!told) {
        told = true;
        options.logger.info(
          { job, waitSeconds: options.waitSeconds },
          `waiting for the warehouse: ${describeHolder(holder)} is running`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, until - Date.now()))));
    }
    await client.query(
      `insert into ops.run_lock (lock_name, job, os_pid, host, backend_pid, started_at)
       values ($1, $2, $3, $4, pg_backend_pid(), now())
       on conflict (lock_name) do update set job = excluded.job, os_pid = excluded.os_pid, host = excluded.host,
         backend_pid = excluded.backend_pid, started_at = excluded.started_at`,
      [LOCK_NAME, job, process.pid, os.hostname()],
    );
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  let released = false;
  return {
    job,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(
          `delete from ops.run_lock where lock_name = $1 and backend_pid = pg_backend_pid()`,
          [LOCK_NAME],
        );
        await client.query(`select pg_advisory_unlock($1, $2)`, [...LOCK_KEYS]);
      } catch {
        // The connection is gone: the server freed the lock with it.
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** Runs `work` holding the run lock for `job` (see acquireRunLock), freeing it however `work` ends. */
export async function withRunLock<T>(
  url: string,
  job: string,
  options: { readonly waitSeconds: number; readonly logger: Logger },
  work: () => Promise<T>,
): Promise<T> {
  const lock = await acquireRunLock(url, job, options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/**
 * The run holding the lock now, if any. A row left by a process that died names nobody: the
 * lock is checked in pg_locks, which a dead session no longer appears in.
 */
export async function currentRunLock(db: pg.Pool | pg.Client): Promise<RunLockHolder | undefined> {
  const held = await db.query<{ held: boolean }>(
    `select exists (select 1 from pg_locks where locktype = 'advisory' and granted
       and database = (select oid from pg_database where datname = current_database())
       and classid = $1 and objid = $2 and objsubid = 2) as held`,
    [...LOCK_KEYS],
  );
  if (!held.rows[0]!.held) return undefined;
  return (
    (await lockHolder(db)) ?? {
      job: 'another run (just starting)',
      startedAt: new Date(),
      osPid: 0,
      host: '?',
    }
  );
}

async function lockHolder(db: pg.Pool | pg.Client): Promise<RunLockHolder | undefined> {
  const { rows } = await db.query<{ job: string; started_at: Date; os_pid: number; host: string }>(
    `select r.job, r.started_at, r.os_pid, r.host from ops.run_lock r
     where r.lock_name = $1 and exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted
       and l.pid = r.backend_pid and l.classid = $2 and l.objid = $3 and l.objsubid = 2)`,
    [LOCK_NAME, ...LOCK_KEYS],
  );
  const row = rows[0];
  return row && { job: row.job, startedAt: row.started_at, osPid: row.os_pid, host: row.host };
}

/** `2026-12-02 09:10:04` in the server's local time, as operators read their logs. */
export function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
