import { sql, type Kysely } from 'kysely';

/**
 * The deployment's secret salt for person keys (patient, insured person, attending doctor): the
 * staging models hash `salt | hospital | code`, so a key cannot be recovered by hashing every
 * short, guessable code (patient and doctor codes are a few digits). Drawn once, when the
 * warehouse is created, from the server's strong random source (gen_random_uuid, 244 random bits);
 * only the warehouse owner reads it (ops is closed to the logins `hdw grant` makes). Changing it
 * changes every key: rebuild with --full-refresh after.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.key_salt (
      only_row   boolean primary key default true check (only_row),
      salt       text not null
                 default replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`insert into ops.key_salt default values`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.key_salt`.execute(db);
}
