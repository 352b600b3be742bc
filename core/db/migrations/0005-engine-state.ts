import { sql, type Kysely } from 'kysely';

/**
 * What the model engine needs to follow every change to a model's inputs without a look-back:
 * - `ops.change_seq` stamps `ops.batches.change_seq` on every insert and update of a batch (a new
 *   delivery, a replay releasing rows into it, a corrected delivery retiring it), so "what changed
 *   since a model last consumed this batch" is a comparison, never a guess;
 * - `ops.seed_versions`: the content hash of each seed as last loaded, with the change it was;
 * - `ops.model_state` / `ops.model_batches`: per model, the inputs it was last published from
 *   (seed hashes, dictionary changes, upstream builds, its own SQL) and, for an incremental model,
 *   the batch versions its rows reflect;
 * - model runs of kind `publish` (status `published` / `blocked`) for write-audit-publish.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence ops.change_seq`.execute(db);
  await sql`alter table ops.batches add column change_seq bigint`.execute(db);
  await sql`
    update ops.batches b set change_seq = s.seq
      from (select batch_id, nextval('ops.change_seq') as seq from (select batch_id from ops.batches order by batch_id) o) s
     where s.batch_id = b.batch_id`.execute(db);
  await sql`alter table ops.batches alter column change_seq set default nextval('ops.change_seq')`.execute(
    db,
  );
  await sql`alter table ops.batches alter column change_seq set not null`.execute(db);
  await sql`
    create function ops.stamp_change_seq() returns trigger language plpgsql as $$
    begin
      new.change_seq := nextval('ops.change_seq');
      return new;
    end $$`.execute(db);
  await sql`
    create trigger batches_change_seq before insert or update on ops.batches
      for each row execute function ops.stamp_change_seq()`.execute(db);
  await sql`create index batches_source_change on ops.batches (source, change_seq)`.execute(db);

  await sql`
    create table ops.seed_versions (
      seed            text primary key,
      content_sha256  text not null,
      change_seq      bigint not null,
      loaded_at       timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table ops.model_state (
      model         text primary key,
      inputs        jsonb not null,
      build_seq     bigint not null,
      published_at  timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table ops.model_batches (
      model       text not null,
      batch_id    bigint not null,
      change_seq  bigint not null,
      primary key (model, batch_id)
    )`.execute(db);

  await sql`alter table ops.model_runs drop constraint model_runs_status_check`.execute(db);
  await sql`alter table ops.model_runs add constraint model_runs_status_check
    check (status in ('success', 'error', 'skipped', 'pass', 'fail', 'warn', 'published', 'blocked'))`.execute(
    db,
  );
  await sql`alter table ops.model_runs drop constraint model_runs_kind_check`.execute(db);
  await sql`alter table ops.model_runs add constraint model_runs_kind_check
    check (kind in ('build', 'test', 'publish'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.model_batches, ops.model_state, ops.seed_versions`.execute(db);
  await sql`drop trigger if exists batches_change_seq on ops.batches`.execute(db);
  await sql`drop function if exists ops.stamp_change_seq()`.execute(db);
  await sql`alter table ops.batches drop column if exists change_seq`.execute(db);
  await sql`drop sequence if exists ops.change_seq`.execute(db);
}
