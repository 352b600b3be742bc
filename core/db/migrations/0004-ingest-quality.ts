import { sql, type Kysely } from 'kysely';

/**
 * What ingestion needs beyond the first ledger: per-batch rule results (pass rates and the batch
 * flag of the rule catalogue), rejected files (nothing is lost silently), watermarks of database
 * sources, resolution of exceptions by replay, and the data-quality mart as views in `ops` that
 * the semantic layer can expose (models/ are not used for them, so they exist before any build).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ops.batches add column flagged_rules text[] not null default '{}'`.execute(db);
  await sql`alter table ops.batches add column notes text[] not null default '{}'`.execute(db);
  await sql`alter table ops.exceptions add column resolved_at timestamptz`.execute(db);
  await sql`create index exceptions_line on ops.exceptions (batch_id, source_line)`.execute(db);
  await sql`create index quarantine_open on ops.quarantine (source, status)`.execute(db);

  // One row per rule checked on a batch, failing or not, so pass rates have a denominator.
  await sql`
    create table ops.batch_rule_results (
      batch_id       bigint not null references ops.batches (batch_id) on delete cascade,
      rule_id        text not null,
      category       text not null,
      severity       text not null check (severity in ('blocking', 'warning')),
      rows_checked   integer not null,
      rows_failed    integer not null,
      threshold      numeric not null,
      flagged        boolean not null,
      primary key (batch_id, rule_id)
    )`.execute(db);

  await sql`
    create table ops.rejected_files (
      rejected_id     bigint generated always as identity primary key,
      source          text,
      hospital_code   text,
      period          text,
      source_file     text not null,
      content_sha256  text,
      code            text not null,
      reason          text not null,
      moved_to        text,
      job_run_id      bigint references ops.job_runs (run_id),
      rejected_at     timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table ops.watermarks (
      source         text not null,
      hospital_code  text not null,
      watermark      text not null,
      updated_at     timestamptz not null default now(),
      primary key (source, hospital_code)
    )`.execute(db);

  // The catalogue's table exists before the first seed load; `hdw seed` fills it from seeds/reference/dq_rules.csv.
  await sql`
    create table if not exists ref.dq_rules (
      rule_id text not null primary key, category text not null, severity text not null,
      batch_threshold numeric not null, parameter numeric, description text not null
    )`.execute(db);

  await sql`
    create view ops.dq_rule_pass_rates as
    select b.source, r.rule_id, r.category, r.severity,
           count(*)::int as batches,
           sum(r.rows_checked)::bigint as rows_checked,
           sum(r.rows_failed)::bigint as rows_failed,
           case when sum(r.rows_checked) = 0 then 1
                else round(1 - sum(r.rows_failed)::numeric / sum(r.rows_checked), 6) end as pass_rate,
           count(*) filter (where r.flagged)::int as batches_flagged
    from ops.batch_rule_results r join ops.batches b using (batch_id)
    where b.status = 'loaded'
    group by b.source, r.rule_id, r.category, r.severity`.execute(db);

  await sql`
    create view ops.dq_source_freshness as
    select source, hospital_code,
           max(period) filter (where period <> 'current') as latest_period,
           max(loaded_at) as last_loaded_at,
           round(extract(epoch from now() - max(loaded_at)) / 3600, 1) as hours_since_load,
           count(*)::int as active_batches
    from ops.batches where status = 'loaded'
    group by source, hospital_code`.execute(db);

  await sql`
    create view ops.dq_batch_reconciliation as
    select b.batch_id, b.source, b.hospital_code, b.period, b.source_file, b.status, b.loaded_at,
           b.rows_read, b.rows_loaded, b.rows_quarantined, b.rows_duplicate, b.rows_warned,
           b.rows_read = b.rows_loaded + b.rows_quarantined + b.rows_duplicate as reconciles,
           (select count(*) from ops.quarantine q where q.batch_id = b.batch_id and q.status = 'quarantined')::int as open_quarantine,
           b.flagged_rules, cardinality(b.flagged_rules) > 0 as flagged
    from ops.batches b`.execute(db);

  await sql`
    create view ops.dq_exception_summary as
    select e.source, e.rule_id, e.severity, e.hospital_code, e.created_at::date as day,
           count(*)::int as exceptions,
           count(*) filter (where e.resolved_at is null)::int as open_exceptions
    from ops.exceptions e join ops.batches b using (batch_id)
    where b.status = 'loaded'
    group by e.source, e.rule_id, e.severity, e.hospital_code, e.created_at::date`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const view of [
    'dq_exception_summary',
    'dq_batch_reconciliation',
    'dq_source_freshness',
    'dq_rule_pass_rates',
  ]) {
    await sql`drop view if exists ${sql.table(`ops.${view}`)}`.execute(db);
  }
  for (const table of ['ops.watermarks', 'ops.rejected_files', 'ops.batch_rule_results']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop index if exists ops.quarantine_open`.execute(db);
  await sql`drop index if exists ops.exceptions_line`.execute(db);
  await sql`alter table ops.exceptions drop column if exists resolved_at`.execute(db);
  await sql`alter table ops.batches drop column if exists notes, drop column if exists flagged_rules`.execute(
    db,
  );
}
