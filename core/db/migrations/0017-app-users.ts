import { sql, type Kysely } from 'kysely';

/**
 * The web application's users (`hdw user add/remove/passwd/list`): a sign-in name, the role and,
 * for a member, its hospital, as a token carries them; the password only as a scrypt hash
 * (core/security/password-hash.ts). Disabled users cannot sign in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.app_users (
      user_id        bigint generated always as identity primary key,
      username       text not null unique check (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
      display_name   text not null,
      role           text not null check (role in ('analyst', 'manager', 'steward', 'member')),
      hospital_code  text,
      password_hash  text not null,
      disabled       boolean not null default false,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now(),
      check (role <> 'member' or hospital_code is not null)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.app_users`.execute(db);
}
