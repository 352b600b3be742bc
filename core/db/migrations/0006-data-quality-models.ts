import { sql, type Kysely } from 'kysely';

/**
 * Data quality becomes models: the `ops.dq_*` views of migration 0004 are dropped (their figures
 * are the `fct_data_quality_*` marts now, built from `stg_ops__*` models in the DAG, so there is
 * one home per figure), and `hdw source freshness` gets a table for its results, which the
 * freshness mart reads: one row per source × hospital per check, with the thresholds it applied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const view of [
    'dq_exception_summary',
    'dq_batch_reconciliation',
    'dq_source_freshness',
    'dq_rule_pass_rates',
  ]) {
    await sql`drop view if exists ${sql.table(`ops.${view}`)}`.execute(db);
  }
  await sql`
    create table ops.source_freshness_checks (
      check_id           bigint generated always as identity primary key,
      job_run_id         bigint references ops.job_runs (run_id),
      checked_at         timestamptz not null default now(),
      source             text not null,
      hospital_code      text,
      last_loaded_at     timestamptz,
      age_hours          numeric,
      warn_after_hours   numeric not null,
      error_after_hours  numeric not null,
      status             text not null check (status in ('pass', 'warn', 'error'))
    )`.execute(db);
  await sql`create index source_freshness_checks_run on ops.source_freshness_checks (job_run_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.source_freshness_checks`.execute(db);
}
