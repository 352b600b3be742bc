import { sql, type Kysely } from 'kysely';

/**
 * What the inbox's arrival checks need: the size of the file a batch was read from, checked with
 * its SHA-256 against the file as it is moved to `_processed` (null for source-database batches).
 * `hospital_code` of a publisher's batch (a city 医保局, not a member) holds the publisher code,
 * `P` + its 6-digit administrative division code (`ref.publishers`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.batches add column file_bytes bigint`.execute(db);
  await sql`comment on column ops.batches.file_bytes is 'size in bytes of the delivered file read (null: a source-database extraction)'`.execute(
    db,
  );
  await sql`comment on column ops.batches.hospital_code is 'member hospital code (H + 11 digits), or for a publisher''s delivery the publisher code (P + 6-digit division code, ref.publishers)'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.batches drop column if exists file_bytes`.execute(db);
}
