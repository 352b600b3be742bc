import { sql, type Kysely } from 'kysely';

/**
 * Payment what-if scenarios made with `hdw simulate`, beside those of the seed
 * `seeds/drg/drg_payment_scenarios.csv` (which every seed load replaces, so they cannot live in its
 * table). A scenario is kept as the seed row it would be (`scenario`: column → value as text), so
 * the seed's schema stays the one definition of its columns; `stg_ops__payment_scenarios` reads
 * both with that schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.payment_scenarios (
      scenario_code  text primary key,
      scenario       jsonb not null,
      created_by     text not null default session_user,
      created_at     timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.payment_scenarios`.execute(db);
}
