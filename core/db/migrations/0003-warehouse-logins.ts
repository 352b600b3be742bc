import { sql, type Kysely } from 'kysely';

/**
 * The database logins `hdw grant` creates for BI tools that connect to PostgreSQL directly, and
 * for members the hospital they stand for. Row-level security on the marts reads this table (through
 * a security-definer function, see core/security/warehouse-security.ts), so a member cannot change
 * which hospital it sees: only the warehouse owner writes here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.warehouse_logins (
      role_name      text primary key,
      kind           text not null check (kind in ('analyst', 'steward', 'member')),
      hospital_code  text,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now(),
      constraint warehouse_logins_member_hospital check ((kind = 'member') = (hospital_code is not null))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.warehouse_logins`.execute(db);
}
