import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AlertWebhookConfig } from '../../core/config/config.ts';
import type { Logger } from '../../core/logging/logger.ts';

/**
 * An alert episode of marts.fct_fund_alerts, as a notification shows it (no patient in it: alerts
 * are aggregates). `status` and `closed_period` tell an episode that has already cleared (absent:
 * open).
 */
export interface FundAlert {
  readonly fund_alert_id: string;
  readonly rule_id?: string;
  readonly rule_name: string;
  readonly severity: string;
  readonly responsible_department: string;
  readonly hospital_name: string | null;
  readonly hospital_code: string;
  readonly scope: string;
  readonly scope_name: string | null;
  readonly scope_code: string | null;
  readonly period_grain: string;
  readonly opened_period: string;
  readonly breach_periods: number;
  readonly current_value: string | null;
  readonly reference_value: string | null;
  readonly basis: string;
  readonly comparator: string;
  readonly threshold: string;
  readonly status?: string;
  readonly closed_period?: string | null;
}

export interface NotifyOptions {
  readonly webhooks: readonly AlertWebhookConfig[];
  readonly logger: Logger;
  /** Tries per run and message (default 3), waiting `backoffMs` × 2^(try − 1) between them. */
  readonly tries?: number;
  readonly backoffMs?: number;
  /** A message still undelivered after this many tries over all runs is given up (default 20). */
  readonly maxAttempts?: number;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
}

export interface NotifySummary {
  /** Alert openings newly queued this run (one per opening and webhook). */
  readonly queued: number;
  /** Revocation notices newly queued this run (one per delivered opening whose episode is gone). */
  readonly revoked: number;
  readonly delivered: number;
  /** Still pending after this run's tries (tried again next run). */
  readonly pending: number;
  /** Given up after maxAttempts. */
  readonly failed: number;
}

const severityName: Record<string, string> = { high: '高', medium: '中', low: '低' };
const scopeName: Record<string, string> = {
  hospital: '全院',
  department: '科室',
  group: '病组',
  drug: '药品',
};
const basisName: Record<string, string> = {
  absolute: '',
  payment_standard: '支付标准',
  region: '区域',
  own_history: '自身历史均值',
};

/** A webhook's key: its department and a digest of its URL (the URL holds the robot's secret key). */
const webhookKey = (w: AlertWebhookConfig) =>
  `${w.department}|${createHash('sha256').update(w.url).digest('hex').slice(0, 16)}`;

/** The webhook's address without its query (where WeCom and DingTalk put the robot's key), for messages. */
export const shownUrl = (url: string): string => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

/** A period as a message names it: the month, or the week starting on a Monday. */
const periodText = (grain: string, date: string) =>
  grain === 'week' ? `${date} 起的一周` : date.slice(0, 7);

/** Where the alert is: the whole hospital, or its department, group or drug. */
const scopeText = (a: FundAlert) =>
  a.scope === 'hospital'
    ? '全院'
    : `${scopeName[a.scope] ?? a.scope}：${a.scope_name ?? a.scope_code ?? '未知'}`;

/**
 * The alert as a markdown text a 医保办 or department reads in the group chat. An episode that
 * has already cleared when it is first announced (late lines raised an earlier period) says so:
 * `开启期间：2025-03（连续 2 期），已于 2025-05 解除`.
 */
export function alertText(a: FundAlert): string {
  const period = periodText(a.period_grain, a.opened_period);
  const cleared =
    a.status === 'closed' && a.closed_period ? periodText(a.period_grain, a.closed_period) : null;
  const basis = basisName[a.basis] ?? a.basis;
  const value = a.current_value === null ? '—' : String(Number(a.current_value));
  const threshold = `${a.comparator === '<>' ? '偏离超过' : a.comparator} ${Number(a.threshold)}`;
  return [
    `**医保基金监管预警：${a.rule_name}${cleared ? '（已解除）' : ''}**`,
    `> 医院：${a.hospital_name ?? a.hospital_code}`,
    `> 范围：${scopeText(a)}`,
    cleared
      ? `> 开启期间：${period}（连续 ${a.breach_periods} 期），已于 ${cleared} 解除`
      : `> 开启期间：${period}（已连续 ${a.breach_periods} 期）`,
    `> ${cleared ? '末期值' : '当前值'}：${value}${a.reference_value !== null && basis ? `（${basis}：${Number(a.reference_value)}）` : ''}；阈值：${basis ? `相对${basis} ` : ''}${threshold}`,
    `> 严重程度：${severityName[a.severity] ?? a.severity}；责任部门：${a.responsible_department}`,
    `预警编号 ${a.fund_alert_id}`,
  ].join('\n');
}

/**
 * The notice that an announced alert no longer stands: a later delivery corrected the data and the
 * rebuilt fct_fund_alerts has no such episode. `alert` is the episode as the notifier last saw it
 * (absent for one announced before the notifier kept them), `ruleName` its rule.
 */
export function revocationText(fundAlertId: string, ruleName: string, alert?: FundAlert | null): string {
  return [
    `**医保基金监管预警撤销：${ruleName}**`,
    '> 预警已撤销：数据更正后该预警不再成立',
    ...(alert
      ? [
          `> 医院：${alert.hospital_name ?? alert.hospital_code}`,
          `> 范围：${scopeText(alert)}`,
          `> 原开启期间：${periodText(alert.period_grain, alert.opened_period)}`,
        ]
      : []),
    `预警编号 ${fundAlertId}`,
  ].join('\n');
}

/** The group robot's JSON body for a markdown text (`title`: DingTalk's notification line). */
export function robotMessage(
  kind: AlertWebhookConfig['kind'],
  text: string,
  title = '医保基金监管预警',
): Record<string, unknown> {
  return kind === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: text } }
    : { msgtype: 'markdown', markdown: { title, text } };
}

/**
 * Posts one message; throws with the reason when the robot refuses it (HTTP status, or the
 * `errcode` both WeCom and DingTalk return with HTTP 200).
 */
export async function postToRobot(url: string, body: unknown, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`);
  let errcode: unknown;
  try {
    errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
  } catch {
    errcode = undefined;
  }
  if (errcode !== undefined && errcode !== 0) throw new Error(`robot answered ${text.slice(0, 200)}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After a published run, tells each department's group robots what changed in its fund alerts:
 * - every open episode of marts.fct_fund_alerts not yet queued for a webhook of its responsible
 *   department (or `*`) is queued: one message per opening;
 * - after the notifier's first run, an episode it has never seen is queued once even when it has
 *   already closed (late lines raised an earlier period above the threshold while the new one is
 *   below it), its message saying when it cleared; at the first run the closed episodes are only
 *   recorded as seen (`ops.fund_alert_episodes_seen`, baseline), so a first load does not flood;
 * - an episode whose opening was delivered and that the rebuilt mart no longer has (late lines
 *   revised it away) gets one 撤销 notice to each webhook that got the opening; an opening still
 *   undelivered is cancelled instead.
 * Then it delivers what is pending (this run's messages and earlier runs' undelivered ones),
 * trying each up to `tries` times with exponential backoff. Episodes keep their ids while their
 * first breach stays (the id is rule|hospital|member|first breach period), so a repeated run queues
 * nothing new. Never throws: a failing robot or database is logged and the run goes on.
 */
export async function notifyOpenedAlerts(pool: pg.Pool, options: NotifyOptions): Promise<NotifySummary> {
  const empty = { queued: 0, revoked: 0, delivered: 0, pending: 0, failed: 0 };
  const { webhooks, logger } = options;
  if (webhooks.length === 0) return empty;
  try {
    return await notify(pool, options);
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'fund alert notifications: skipped this run');
    return empty;
  }
}

/** Webhooks that take a department's alerts: its own and those for every department (`*`). */
const webhooksOf = (webhooks: readonly AlertWebhookConfig[], department: string) =>
  webhooks.filter((x) => x.department === '*' || x.department === department);

/**
 * Records the episodes of this build the notifier has not seen and queues the openings and
 * revocations they call for, in one transaction: an episode is marked seen only together with its
 * messages.
 */
async function queueNotices(
  client: pg.PoolClient,
  webhooks: readonly AlertWebhookConfig[],
): Promise<{ queued: number; revoked: number }> {
  const { rows: alerts } = await client.query<FundAlert & { rule_id: string; status: string }>(`
    select fund_alert_id, rule_id, rule_name, severity, responsible_department, hospital_name, hospital_code,
           scope, scope_name, scope_code, period_grain, to_char(opened_period, 'YYYY-MM-DD') as opened_period,
           breach_periods::int as breach_periods, current_value::text, reference_value::text, basis,
           comparator, threshold::text, status, to_char(closed_period, 'YYYY-MM-DD') as closed_period
      from marts.fct_fund_alerts
     order by fund_alert_id`);
  const first = (await client.query(`select 1 from ops.fund_alert_notifier`)).rowCount === 0;
  const { rows: seenRows } = await client.query<{ fund_alert_id: string }>(
    `select fund_alert_id from ops.fund_alert_episodes_seen`,
  );
  const seen = new Set(seenRows.map((r) => r.fund_alert_id));
  if (first)
    await client.query(`insert into ops.fund_alert_notifier (episodes) values ($1)`, [alerts.length]);

  const fresh = alerts.filter((a) => !seen.has(a.fund_alert_id));
  await client.query(
    `insert into ops.fund_alert_episodes_seen
       (fund_alert_id, rule_id, rule_name, responsible_department, status_seen, baseline, alert)
     select e->>'fund_alert_id', e->>'rule_id', e->>'rule_name', e->>'responsible_department', e->>'status', $2::boolean, e
       from jsonb_array_elements($1::jsonb) e`,
    [JSON.stringify(fresh), first],
  );

  let queued = 0;
  for (const alert of alerts) {
    // open: its opening, once per webhook; closed: only when new after the first run
    if (alert.status !== 'open' && (first || seen.has(alert.fund_alert_id))) continue;
    for (const w of webhooksOf(webhooks, alert.responsible_department)) {
      const { rowCount } = await client.query(
        `insert into ops.fund_alert_notifications
           (fund_alert_id, notice, webhook_key, department, kind, opened_period, message)
         values ($1, 'opened', $2, $3, $4, $5, $6)
         on conflict do nothing`,
        [
          alert.fund_alert_id,
          webhookKey(w),
          alert.responsible_department,
          w.kind,
          alert.opened_period,
          JSON.stringify(robotMessage(w.kind, alertText(alert))),
        ],
      );
      queued += rowCount ?? 0;
    }
  }

  // Episodes revised away: an opening nobody got yet is never sent; one that was delivered is revoked.
  const gone = `not exists (select 1 from marts.fct_fund_alerts a where a.fund_alert_id = n.fund_alert_id)`;
  await client.query(
    `update ops.fund_alert_notifications n
        set status = 'cancelled', last_error = 'episode no longer in fct_fund_alerts'
      where notice = 'opened' and status = 'pending' and ${gone}`,
  );
  const { rows: revoke } = await client.query<{
    fund_alert_id: string;
    webhook_key: string;
    department: string;
    kind: AlertWebhookConfig['kind'];
    opened_period: string | null;
    rule_name: string;
    alert: FundAlert | null;
  }>(
    `select n.fund_alert_id, n.webhook_key, n.department, n.kind, n.opened_period,
            coalesce(s.rule_name, split_part(n.fund_alert_id, '|', 1)) as rule_name, s.alert
       from ops.fund_alert_notifications n
       left join ops.fund_alert_episodes_seen s on s.fund_alert_id = n.fund_alert_id
      where n.notice = 'opened' and n.status = 'delivered' and ${gone}
        and not exists (select 1 from ops.fund_alert_notifications r
                         where r.fund_alert_id = n.fund_alert_id and r.notice = 'revoked'
                           and r.webhook_key = n.webhook_key)
      order by n.fund_alert_id, n.webhook_key`,
  );
  for (const r of revoke)
    await client.query(
      `insert into ops.fund_alert_notifications
         (fund_alert_id, notice, webhook_key, department, kind, opened_period, message)
       values ($1, 'revoked', $2, $3, $4, $5, $6)`,
      [
        r.fund_alert_id,
        r.webhook_key,
        r.department,
        r.kind,
        r.opened_period,
        JSON.stringify(
          robotMessage(r.kind, revocationText(r.fund_alert_id, r.rule_name, r.alert), '医保基金监管预警撤销'),
        ),
      ],
    );
  await client.query(
    `update ops.fund_alert_episodes_seen n
        set gone_at = case when ${gone} then coalesce(gone_at, now()) end
      where gone_at is not null or ${gone}`,
  );
  return { queued, revoked: revoke.length };
}

async function notify(pool: pg.Pool, options: NotifyOptions): Promise<NotifySummary> {
  const { webhooks, logger } = options;
  const tries = options.tries ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 20;
  const client = await pool.connect();
  let queued: number;
  let revoked: number;
  try {
    await client.query('begin');
    ({ queued, revoked } = await queueNotices(client, webhooks));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const byKey = new Map(webhooks.map((w) => [webhookKey(w), w]));
  const { rows: pending } = await pool.query<{
    fund_alert_id: string;
    notice: string;
    webhook_key: string;
    message: unknown;
    attempts: number;
  }>(`select fund_alert_id, notice, webhook_key, message, attempts from ops.fund_alert_notifications
       where status = 'pending' order by created_at, fund_alert_id, notice`);
  let delivered = 0;
  let failed = 0;
  let still = 0;
  // a robot that refused a message all its tries is not tried again this run: a dead robot costs
  // one message's backoff per run, not every message's
  const down = new Set<string>();
  for (const n of pending) {
    const w = byKey.get(n.webhook_key);
    if (!w || down.has(n.webhook_key)) {
      still++; // its webhook is down this run, or no longer configured: kept for a later run
      continue;
    }
    let attempts = n.attempts;
    let error: string | undefined;
    for (let t = 0; t < tries && attempts < maxAttempts; t++) {
      if (t > 0) await sleep(backoffMs * 2 ** (t - 1));
      attempts++;
      try {
        await postToRobot(w.url, n.message, options.timeoutMs);
        error = undefined;
        break;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    if (error !== undefined) down.add(n.webhook_key);
    const status = error === undefined ? 'delivered' : attempts >= maxAttempts ? 'failed' : 'pending';
    await pool.query(
      `update ops.fund_alert_notifications
          set status = $3, attempts = $4, last_error = $5, last_tried_at = now(),
              delivered_at = case when $3 = 'delivered' then now() end
        where fund_alert_id = $1 and webhook_key = $2 and notice = $6`,
      [n.fund_alert_id, n.webhook_key, status, attempts, error ?? null, n.notice],
    );
    if (status === 'delivered') delivered++;
    else if (status === 'failed') failed++;
    else still++;
    if (error !== undefined)
      logger.warn(
        { alert: n.fund_alert_id, notice: n.notice, webhook: shownUrl(w.url), attempts, err: error },
        status === 'failed'
          ? 'fund alert notification: given up'
          : 'fund alert notification: will retry next run',
      );
  }
  if (queued + revoked + pending.length > 0)
    logger.info({ queued, revoked, delivered, pending: still, failed }, 'fund alert notifications');
  return { queued, revoked, delivered, pending: still, failed };
}
