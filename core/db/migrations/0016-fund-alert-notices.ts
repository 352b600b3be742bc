import { sql, type Kysely } from 'kysely';

/**
 * What the fund alert notifier (`pipelines/alerts/notify-alerts.ts`) needs beyond one message per
 * opening, now that episodes are recomputed from all periods and a late delivery can add an episode
 * that has already closed, or revise a sent one away:
 * - `ops.fund_alert_episodes_seen`: every episode id of marts.fct_fund_alerts the notifier has
 *   seen after a published run, with how it first saw it. `baseline` marks the episodes present at
 *   the notifier's first run (closed ones recorded without a message, so a first load does not
 *   flood the robots); any id not in it later is new and is announced once, open or closed.
 *   `gone_at` is set when the episode is no longer in the mart (its delivered openings are revoked).
 * - `ops.fund_alert_notifier`: one row, written at the notifier's first run with webhooks, so a
 *   first run that finds no episode at all still counts as the baseline.
 * - `ops.fund_alert_notifications` gains `notice`: `opened` (the opening, as before) or `revoked`
 *   (预警已撤销, sent once to each webhook that got the opening), part of the key; and the status
 *   `cancelled` for an opening still undelivered when its episode was revised away.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.fund_alert_episodes_seen (
      fund_alert_id          text primary key,
      rule_id                text not null,
      rule_name              text not null,
      responsible_department text not null,
      status_seen            text not null check (status_seen in ('open', 'closed')),
      baseline               boolean not null,
      alert                  jsonb not null,
      first_seen_at          timestamptz not null default now(),
      gone_at                timestamptz
    )`.execute(db);
  await sql`
    create table ops.fund_alert_notifier (
      one           boolean primary key default true check (one),
      baseline_at   timestamptz not null default now(),
      episodes      integer not null
    )`.execute(db);
  await sql`
    alter table ops.fund_alert_notifications
      add column notice text not null default 'opened' check (notice in ('opened', 'revoked'))`.execute(db);
  await sql`alter table ops.fund_alert_notifications drop constraint fund_alert_notifications_pkey`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications add primary key (fund_alert_id, notice, webhook_key)`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications drop constraint fund_alert_notifications_status_check`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications add constraint fund_alert_notifications_status_check
    check (status in ('pending', 'delivered', 'failed', 'cancelled'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from ops.fund_alert_notifications where notice <> 'opened' or status = 'cancelled'`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications drop constraint fund_alert_notifications_status_check`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications add constraint fund_alert_notifications_status_check
    check (status in ('pending', 'delivered', 'failed'))`.execute(db);
  await sql`alter table ops.fund_alert_notifications drop constraint fund_alert_notifications_pkey`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications add primary key (fund_alert_id, webhook_key)`.execute(
    db,
  );
  await sql`alter table ops.fund_alert_notifications drop column notice`.execute(db);
  await sql`drop table if exists ops.fund_alert_notifier`.execute(db);
  await sql`drop table if exists ops.fund_alert_episodes_seen`.execute(db);
}
