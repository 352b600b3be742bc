import type pg from 'pg';
import { currentRunLock, type RunLockHolder } from './run-lock.ts';

/** The last run of one job, as ops.job_runs recorded it. */
export interface JobStatus {
  readonly job: string;
  /**
   * `running`, `succeeded`, `failed`, `cancelled`, `skipped`; `interrupted` for a run recorded as
   * running while no run holds the warehouse (its process died; the next run redoes its work).
   */
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** When the job last succeeded (null: never). */
  readonly lastSucceededAt: Date | null;
  /** The ops.job_runs run id of that success (null: never). */
  readonly lastSucceededRunId: number | null;
}

/** What an operator (`hdw status`) or a monitor (`GET /healthz`) needs to know. */
export interface WarehouseStatus {
  readonly database: 'ok' | 'unreachable';
  /** Why the database did not answer (no data in it: a connection error). */
  readonly databaseError?: string;
  readonly jobs: readonly JobStatus[];
  /** The run holding the warehouse now, if any. */
  readonly lock?: RunLockHolder;
  /** The last successful `publish` job: when the marts Cube serves were last refreshed. */
  readonly lastPublishAt?: Date;
  /** The run id (ops.job_runs) of that publish. */
  readonly lastPublishRunId?: number;
  readonly publishAgeSeconds?: number;
  readonly publishMaxAgeSeconds: number;
  /** True when the database answers and the marts were published within the limit. */
  readonly healthy: boolean;
}

/**
 * Reads the warehouse's operating state: whether the database answers, each job's last run and
 * outcome, the run lock's holder and the age of the published marts. Never throws for a database
 * that does not answer: that is reported, so a monitor can page someone.
 */
export async function warehouseStatus(
  pool: pg.Pool,
  options: { readonly publishMaxAgeHours: number; readonly timeoutMs?: number },
): Promise<WarehouseStatus> {
  const publishMaxAgeSeconds = Math.round(options.publishMaxAgeHours * 3600);
  const timeoutMs = options.timeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  const noAnswer = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([readStatus(pool, publishMaxAgeSeconds), noAnswer]);
  } catch (error) {
    return {
      database: 'unreachable',
      databaseError: (error as Error).message || (error as NodeJS.ErrnoException).code || 'no answer',
      jobs: [],
      publishMaxAgeSeconds,
      healthy: false,
    };
  } finally {
    clearTimeout(timer);
  }
}

async function readStatus(pool: pg.Pool, publishMaxAgeSeconds: number): Promise<WarehouseStatus> {
  const lock = await currentRunLock(pool);
  const { rows } = await pool.query<{
    job: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    last_succeeded_at: Date | null;
    last_succeeded_run_id: number | null;
  }>(
    `select distinct on (r.job) r.job, r.status, r.started_at, r.finished_at,
         s.finished_at as last_succeeded_at, s.run_id as last_succeeded_run_id
       from ops.job_runs r
       left join lateral (select s.finished_at, s.run_id from ops.job_runs s
         where s.job = r.job and s.status = 'succeeded' order by s.finished_at desc nulls last, s.run_id desc limit 1) s on true
       order by r.job, r.started_at desc, r.run_id desc`,
  );
  const jobs = rows.map((r) => ({
    job: r.job,
    // `hdw test` only reads, so it runs without the lock; any other job running without it died.
    status: r.status === 'running' && !lock && r.job !== 'test' ? 'interrupted' : r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lastSucceededAt: r.last_succeeded_at,
    lastSucceededRunId: r.last_succeeded_run_id,
  }));
  const age = await pool.query<{ age: number | null }>(
    `select extract(epoch from now() - max(finished_at))::float8 as age from ops.job_runs
       where job = 'publish' and status = 'succeeded'`,
  );
  const publishAgeSeconds = age.rows[0]?.age ?? undefined;
  const publish = jobs.find((j) => j.job === 'publish');
  const lastPublishAt = publish?.lastSucceededAt ?? undefined;
  const lastPublishRunId = publish?.lastSucceededRunId ?? undefined;
  return {
    database: 'ok',
    jobs,
    lock,
    lastPublishAt,
    lastPublishRunId,
    publishAgeSeconds: publishAgeSeconds === undefined ? undefined : Math.round(publishAgeSeconds),
    publishMaxAgeSeconds,
    healthy: publishAgeSeconds !== undefined && publishAgeSeconds <= publishMaxAgeSeconds,
  };
}

/**
 * The status as `/healthz` shows it to anyone, unauthenticated: states and times only — no
 * error texts, file names, hosts or process ids, which could tell an outsider about the data.
 */
export function publicStatus(status: WarehouseStatus): Record<string, unknown> {
  return {
    status: status.healthy ? 'ok' : status.database === 'ok' ? 'stale' : 'unavailable',
    database: status.database,
    lastPublishAt: status.lastPublishAt?.toISOString() ?? null,
    publishAgeSeconds: status.publishAgeSeconds ?? null,
    publishMaxAgeSeconds: status.publishMaxAgeSeconds,
    lock: status.lock ? { job: status.lock.job, since: status.lock.startedAt.toISOString() } : null,
    jobs: status.jobs.map((j) => ({
      job: j.job,
      status: j.status,
      startedAt: j.startedAt.toISOString(),
      finishedAt: j.finishedAt?.toISOString() ?? null,
      lastSucceededAt: j.lastSucceededAt?.toISOString() ?? null,
    })),
  };
}
