import { sql, type Kysely } from 'kysely';

/**
 * What operators need to run the warehouse safely: who holds the run lock (the lock itself is a
 * PostgreSQL session advisory lock, which frees itself when its holder dies; this row only names
 * the holder), a `skipped` job status for a scheduled tick whose previous run was still going,
 * the overlap window already read from a source database, and the files in `_processed` already
 * checked against the batches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.run_lock (
      lock_name    text primary key,
      job          text not null,
      job_run_id   bigint,
      os_pid       integer not null,
      host         text not null,
      backend_pid  integer not null,
      started_at   timestamptz not null default now()
    )`.execute(db);
  await sql`alter table ops.job_runs drop constraint if exists job_runs_status_check`.execute(db);
  await sql`alter table ops.job_runs add constraint job_runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'cancelled', 'skipped'))`.execute(db);
  await sql`create index if not exists job_runs_job on ops.job_runs (job, started_at desc)`.execute(db);

  // Rows of a source database already read at or after `covered_from`, by content hash: the next
  // extraction re-reads that window and counts what it finds here again as duplicates.
  await sql`alter table ops.watermarks add column covered_from text`.execute(db);
  await sql`
    create table ops.watermark_rows (
      source          text not null,
      hospital_code   text not null,
      row_sha256      text not null,
      primary key (source, hospital_code, row_sha256)
    )`.execute(db);

  await sql`
    create table ops.processed_files (
      path            text primary key,
      size            bigint not null,
      mtime_ms        double precision not null,
      content_sha256  text not null,
      checked_at      timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.processed_files`.execute(db);
  await sql`drop table if exists ops.watermark_rows`.execute(db);
  await sql`alter table ops.watermarks drop column if exists covered_from`.execute(db);
  await sql`drop index if exists ops.job_runs_job`.execute(db);
  await sql`alter table ops.job_runs drop constraint if exists job_runs_status_check`.execute(db);
  await sql`alter table ops.job_runs add constraint job_runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'cancelled'))`.execute(db);
  await sql`drop table if exists ops.run_lock`.execute(db);
}
