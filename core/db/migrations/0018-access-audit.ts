import { sql, type Kysely } from 'kysely';

/**
 * The access audit trail (等保 2.0 安全审计): one row per sign-in (succeeded or failed: the name as
 * typed, never the password), per Cube API request and per download or action of the web
 * application. It holds who asked (name, role, hospital, kind of credential), what (views, members,
 * filters with their operators and values: the question, never the answer's row values), the row
 * count and status of the answer, and from where. Kept `HDW_AUDIT_RETENTION_DAYS` (≥ 180) days.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.access_audit (
      audit_id       bigint generated always as identity primary key,
      at             timestamptz not null default now(),
      username       text,
      role           text,
      hospital_code  text,
      auth_kind      text check (auth_kind in ('session', 'token', 'idp')),
      event          text not null check (event in ('sign_in', 'sign_in_failed', 'query', 'download', 'action', 'refused')),
      api            text not null,
      views          text[] not null default '{}',
      members        text[] not null default '{}',
      filters        jsonb,
      row_count      bigint,
      status         integer not null,
      ip             text,
      user_agent     text
    )`.execute(db);
  await sql`create index access_audit_at on ops.access_audit (at)`.execute(db);
  await sql`create index access_audit_user on ops.access_audit (username, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.access_audit`.execute(db);
}
