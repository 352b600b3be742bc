import { sql, type Kysely } from 'kysely';

/**
 * Stays still in bed are pre-grouped too (in-stay estimates, issue 17): ops.case_pregroups takes
 * `record_source = 'in_stay'`, a stay of the latest census snapshot grouped from the diagnoses
 * recorded so far. Its front page (or settlement list), once delivered, replaces it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.case_pregroups drop constraint if exists case_pregroups_record_source_check`.execute(db);
  await sql`
    alter table ops.case_pregroups add constraint case_pregroups_record_source_check
      check (record_source in ('front_page', 'settlement_list', 'in_stay'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from ops.case_pregroups where record_source = 'in_stay'`.execute(db);
  await sql`alter table ops.case_pregroups drop constraint if exists case_pregroups_record_source_check`.execute(db);
  await sql`
    alter table ops.case_pregroups add constraint case_pregroups_record_source_check
      check (record_source in ('front_page', 'settlement_list'))`.execute(db);
}
