import { sql, type Kysely } from 'kysely';

/**
 * `hdw grant manager <name>`: managers get logins of their own (group role hdw_manager: every
 * hospital's aggregates, no case- or patient-level detail), so ops.warehouse_logins accepts them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.warehouse_logins drop constraint if exists warehouse_logins_kind_check`.execute(
    db,
  );
  await sql`alter table ops.warehouse_logins add constraint warehouse_logins_kind_check
    check (kind in ('analyst', 'manager', 'steward', 'member'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.warehouse_logins drop constraint if exists warehouse_logins_kind_check`.execute(
    db,
  );
  await sql`alter table ops.warehouse_logins add constraint warehouse_logins_kind_check
    check (kind in ('analyst', 'steward', 'member'))`.execute(db);
}
