import { sql, type Kysely } from 'kysely';

/**
 * The national ICD-10 and ICD-9-CM-3 医保版 2.0 lists, as `hdw reference load-icd` loaded them.
 * They live apart from the seeds (which every run reloads) and are merged into `ref.diagnoses` and
 * `ref.procedures` at every seed load, so the unified dictionaries keep them until cleared.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ref.national_diagnoses (
      diag_code        text primary key,
      diag_name        text not null,
      sex_restriction  text check (sex_restriction in ('1', '2')),
      list_name        text not null,
      loaded_at        timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table ref.national_procedures (
      oprn_code  text primary key,
      oprn_name  text not null,
      list_name  text not null,
      loaded_at  timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ref.national_procedures`.execute(db);
  await sql`drop table if exists ref.national_diagnoses`.execute(db);
}
