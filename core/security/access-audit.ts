import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';

/** What happened: a sign-in (ok or failed), an API query, a download, an action (a review), or a refusal. */
export const accessEvents = ['sign_in', 'sign_in_failed', 'query', 'download', 'action', 'refused'] as const;
export type AccessEvent = (typeof accessEvents)[number];

/** The kind of credential a request carried (see cube/security/token.ts `TokenIdentity.kind`). */
export type AuthKind = 'session' | 'token' | 'idp';

/**
 * One row of the access audit trail (ops.access_audit). It says who asked what and how it was
 * answered, never the answer: `filters` are the query's own members, operators and values, and
 * `rowCount` counts the rows returned without keeping any of them.
 */
export interface AccessRecord {
  readonly username?: string | null;
  readonly role?: string | null;
  readonly hospitalCode?: string | null;
  readonly authKind?: AuthKind | null;
  readonly event: AccessEvent;
  /** `session`, `load`, `sql`, `meta`, `graphql`, `export`, `report`, `violations`, … */
  readonly api: string;
  readonly views?: readonly string[];
  readonly members?: readonly string[];
  readonly filters?: unknown;
  readonly rowCount?: number | null;
  readonly status: number;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/**
 * Records accesses without holding up the answer: `record` returns at once, the insert runs in the
 * background and a failure is logged (with the event and API, not the record) instead of thrown.
 * `flush` waits for the inserts in flight (tests, shutdown).
 */
export interface AccessAuditWriter {
  record(entry: AccessRecord): void;
  flush(): Promise<void>;
}

export function createAccessAuditWriter(pool: pg.Pool, logger: Logger): AccessAuditWriter {
  const pending = new Set<Promise<void>>();
  return {
    record(entry) {
      const write = insertAccessRecord(pool, entry)
        .catch((error: unknown) =>
          logger.error(
            { err: (error as Error).message, event: entry.event, api: entry.api },
            'access audit row not written',
          ),
        )
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}

/** Writes one audit row now (the writer above does so in the background). */
export async function insertAccessRecord(pool: pg.Pool, entry: AccessRecord): Promise<void> {
  await pool.query(
    `insert into ops.access_audit (username, role, hospital_code, auth_kind, event, api, views, members, filters,
       row_count, status, ip, user_agent)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      entry.username ?? null,
      entry.role ?? null,
      entry.hospitalCode ?? null,
      entry.authKind ?? null,
      entry.event,
      entry.api,
      [...(entry.views ?? [])],
      [...(entry.members ?? [])],
      entry.filters === undefined ? null : JSON.stringify(entry.filters),
      entry.rowCount ?? null,
      entry.status,
      entry.ip ?? null,
      entry.userAgent?.slice(0, 500) ?? null,
    ],
  );
}

/**
 * Deletes audit rows older than `retentionDays` (HDW_AUDIT_RETENTION_DAYS, at least 180 as 等保
 * 2.0 asks); returns how many went.
 */
export async function purgeAccessAudit(pool: pg.Pool, retentionDays: number): Promise<number> {
  const { rowCount } = await pool.query(
    `delete from ops.access_audit where at < now() - make_interval(days => $1::int)`,
    [retentionDays],
  );
  return rowCount ?? 0;
}

/** One audit row as `hdw audit` shows it. */
export interface AccessAuditRow {
  readonly at: Date;
  readonly username: string | null;
  readonly role: string | null;
  readonly hospitalCode: string | null;
  readonly authKind: string | null;
  readonly event: string;
  readonly api: string;
  readonly views: string[];
  readonly members: string[];
  readonly filters: unknown;
  readonly rowCount: number | null;
  readonly status: number;
  readonly ip: string | null;
}

/** The newest audit rows first, of one user and/or since a time. */
export async function readAccessAudit(
  pool: pg.Pool,
  options: { readonly username?: string; readonly since?: Date; readonly limit?: number },
): Promise<AccessAuditRow[]> {
  const { rows } = await pool.query(
    `select at, username, role, hospital_code, auth_kind, event, api, views, members, filters, row_count, status, ip
     from ops.access_audit
     where ($1::text is null or username = $1) and ($2::timestamptz is null or at >= $2)
     order by at desc, audit_id desc limit $3`,
    [options.username ?? null, options.since ?? null, options.limit ?? 100],
  );
  return rows.map((r: Record<string, unknown>) => ({
    at: r.at as Date,
    username: r.username as string | null,
    role: r.role as string | null,
    hospitalCode: r.hospital_code as string | null,
    authKind: r.auth_kind as string | null,
    event: r.event as string,
    api: r.api as string,
    views: r.views as string[],
    members: r.members as string[],
    filters: r.filters,
    rowCount: r.row_count as number | null,
    status: r.status as number,
    ip: r.ip as string | null,
  }));
}
