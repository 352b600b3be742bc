import { sql, type Kysely } from 'kysely';

/**
 * The warehouse's schemas (see docs: raw_<system>, ref, ops, staging, intermediate, marts) and the
 * ops tables that make every load accountable: batches with their reconciliation, exceptions,
 * quarantine, job runs and model runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const schema of [
    'raw_his',
    'raw_emr',
    'raw_lab',
    'raw_erp',
    'raw_insurance',
    'ref',
    'ops',
    'staging',
    'intermediate',
    'marts',
  ]) {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  }

  await sql`
    create table ops.job_runs (
      run_id       bigint generated always as identity primary key,
      job          text not null,
      status       text not null check (status in ('running', 'succeeded', 'failed', 'cancelled')),
      started_at   timestamptz not null default now(),
      finished_at  timestamptz,
      detail       jsonb not null default '{}'::jsonb,
      error        text
    )`.execute(db);

  // One delivery = one batch. rows_read = rows_loaded + rows_quarantined + rows_duplicate, always.
  await sql`
    create table ops.batches (
      batch_id          bigint generated always as identity primary key,
      source            text not null,
      hospital_code     text not null,
      period            text not null,
      source_file       text not null,
      content_sha256    text not null,
      encoding          text not null,
      status            text not null check (status in ('loaded', 'replaced')),
      rows_read         integer not null,
      rows_loaded       integer not null,
      rows_quarantined  integer not null,
      rows_duplicate    integer not null,
      rows_warned       integer not null default 0,
      replaces_batch_id bigint references ops.batches (batch_id),
      job_run_id        bigint references ops.job_runs (run_id),
      loaded_at         timestamptz not null default now(),
      constraint batches_reconcile check (rows_read = rows_loaded + rows_quarantined + rows_duplicate)
    )`.execute(db);
  await sql`create unique index batches_one_active on ops.batches (source, hospital_code, period) where status = 'loaded'`.execute(
    db,
  );
  await sql`create index batches_content on ops.batches (source, hospital_code, content_sha256)`.execute(db);

  await sql`
    create table ops.quarantine (
      quarantine_id  bigint generated always as identity primary key,
      batch_id       bigint not null references ops.batches (batch_id) on delete cascade,
      source         text not null,
      hospital_code  text not null,
      source_file    text not null,
      source_line    integer not null,
      record_key     text,
      rule_ids       text[] not null,
      payload        jsonb not null,
      status         text not null default 'quarantined' check (status in ('quarantined', 'replayed', 'discarded')),
      created_at     timestamptz not null default now()
    )`.execute(db);
  await sql`create index quarantine_batch on ops.quarantine (batch_id)`.execute(db);
  await sql`create index quarantine_key on ops.quarantine (source, hospital_code, record_key)`.execute(db);

  await sql`
    create table ops.exceptions (
      exception_id   bigint generated always as identity primary key,
      batch_id       bigint not null references ops.batches (batch_id) on delete cascade,
      rule_id        text not null,
      severity       text not null check (severity in ('blocking', 'warning')),
      source         text not null,
      hospital_code  text not null,
      source_file    text not null,
      source_line    integer not null,
      record_key     text,
      message        text not null,
      created_at     timestamptz not null default now()
    )`.execute(db);
  await sql`create index exceptions_batch on ops.exceptions (batch_id)`.execute(db);
  await sql`create index exceptions_rule on ops.exceptions (rule_id, source)`.execute(db);

  await sql`
    create table ops.model_runs (
      model_run_id  bigint generated always as identity primary key,
      job_run_id    bigint references ops.job_runs (run_id),
      model         text not null,
      status        text not null check (status in ('success', 'error', 'skipped', 'pass', 'fail')),
      kind          text not null default 'build' check (kind in ('build', 'test')),
      rows          bigint,
      duration_ms   integer not null,
      message       text,
      started_at    timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['model_runs', 'exceptions', 'quarantine', 'batches', 'job_runs']) {
    await sql`drop table if exists ${sql.table(`ops.${table}`)} cascade`.execute(db);
  }
}
