import { sql, type Kysely } from 'kysely';

/**
 * Review conclusions on the fund-violation flags (fct_fund_violation_flags), set with `hdw
 * violations review`. They live here, outside the rebuilt marts, keyed by the flag's stable key
 * (rule id, hospital, visit), so a full rebuild re-attaches them; the mart reads them through
 * stg_ops__fund_violation_reviews.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.fund_violation_reviews (
      flag_key     text primary key,
      status       text not null check (status in ('confirmed', 'dismissed')),
      note         text,
      reviewed_by  text not null default session_user,  -- the reviewer hdw names, else the login
      reviewed_at  timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.fund_violation_reviews`.execute(db);
}
