import { sql, type Kysely } from 'kysely';

/**
 * One row per fund alert opening and configured webhook: the message sent when the alert opened
 * (`pipelines/alerts/notify-alerts.ts`), whether it was delivered, and every attempt's outcome. The
 * key (alert episode, webhook) is what makes a repeated run send nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.fund_alert_notifications (
      fund_alert_id   text not null,
      webhook_key     text not null,
      department      text not null,
      kind            text not null check (kind in ('wecom', 'dingtalk')),
      opened_period   date,
      status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts        integer not null default 0,
      last_error      text,
      message         jsonb not null,
      created_at      timestamptz not null default now(),
      last_tried_at   timestamptz,
      delivered_at    timestamptz,
      primary key (fund_alert_id, webhook_key)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.fund_alert_notifications`.execute(db);
}
