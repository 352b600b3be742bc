import { DatabaseError } from '../../core/errors.ts';
import { describeHolder, localTime as stamp } from '../../core/jobs/run-lock.ts';
import { warehouseStatus, type WarehouseStatus } from '../../core/jobs/warehouse-status.ts';
import { withWarehouse } from '../context.ts';

/**
 * `hdw status`: whether the database answers, each job's last run and outcome, the run holding
 * the warehouse, and the age of the published marts. Returns whether all is well (the database
 * answers and the marts were published within HDW_PUBLISH_MAX_AGE_HOURS), as `/healthz` does.
 */
export async function statusCommand(
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<boolean> {
  const status = await withWarehouse((w, ctx) =>
    warehouseStatus(w.pool, { publishMaxAgeHours: ctx.config.HDW_PUBLISH_MAX_AGE_HOURS }),
  ).catch((error: unknown): WarehouseStatus => {
    // The database could not even be opened: that is the status to report, not a failure of the command.
    if (!(error instanceof DatabaseError)) throw error;
    return {
      database: 'unreachable',
      databaseError: error.message,
      jobs: [],
      publishMaxAgeSeconds: 0,
      healthy: false,
    };
  });
  write(formatStatus(status));
  return status.healthy;
}

/** The status as lines an operator reads (also used by tests). */
export function formatStatus(status: WarehouseStatus): string {
  const out: string[] = [];
  if (status.database !== 'ok') {
    out.push(`数据库 database: 无应答 unreachable (${status.databaseError ?? 'no answer'})`);
    return `${out.join('\n')}\n`;
  }
  out.push('数据库 database: ok');
  out.push(`运行锁 run lock: ${status.lock ? `held by ${describeHolder(status.lock)}` : 'free'}`);
  const limitHours = status.publishMaxAgeSeconds / 3600;
  out.push(
    status.lastPublishAt && status.publishAgeSeconds !== undefined
      ? `发布 marts published: ${stamp(status.lastPublishAt)} (${age(status.publishAgeSeconds)} ago; limit ${limitHours} h)${status.healthy ? '' : ' — STALE'}`
      : `发布 marts published: never (limit ${limitHours} h) — STALE`,
  );
  out.push('作业 jobs (last run):');
  if (status.jobs.length === 0) out.push('  none yet');
  for (const job of status.jobs) {
    const ended = job.finishedAt ? `, ended ${stamp(job.finishedAt)}` : '';
    const success =
      job.status === 'succeeded'
        ? ''
        : `; last succeeded ${job.lastSucceededAt ? stamp(job.lastSucceededAt) : 'never'}`;
    out.push(
      `  ${job.job.padEnd(10)} ${job.status.padEnd(12)} started ${stamp(job.startedAt)}${ended}${success}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
