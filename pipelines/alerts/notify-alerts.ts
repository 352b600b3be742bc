import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AlertWebhookConfig } from '../../core/config/config.ts';
import type { Logger } from '../../core/logging/logger.ts';

/** An open alert of marts.fct_fund_alerts, as a notification shows it (no patient in it: alerts are aggregates). */
export interface OpenAlert {
  readonly fund_alert_id: string;
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

/** The alert as a markdown text a 医保办 or department reads in the group chat. */
export function alertText(a: OpenAlert): string {
  const where =
    a.scope === 'hospital'
      ? '全院'
      : `${scopeName[a.scope] ?? a.scope}：${a.scope_name ?? a.scope_code ?? '未知'}`;
  const period = a.period_grain === 'week' ? `${a.opened_period} 起的一周` : a.opened_period.slice(0, 7);
  const basis = basisName[a.basis] ?? a.basis;
  const value = a.current_value === null ? '—' : String(Number(a.current_value));
  const threshold = `${a.comparator === '<>' ? '偏离超过' : a.comparator} ${Number(a.threshold)}`;
  return [
    `**医保基金监管预警：${a.rule_name}**`,
    `> 医院：${a.hospital_name ?? a.hospital_code}`,
    `> 范围：${where}`,
    `> 开启期间：${period}（已连续 ${a.breach_periods} 期）`,
    `> 当前值：${value}${a.reference_value !== null && basis ? `（${basis}：${Number(a.reference_value)}）` : ''}；阈值：${basis ? `相对${basis} ` : ''}${threshold}`,
    `> 严重程度：${severityName[a.severity] ?? a.severity}；责任部门：${a.responsible_department}`,
    `预警编号 ${a.fund_alert_id}`,
  ].join('\n');
}

/** The group robot's JSON body for a markdown text. */
export function robotMessage(kind: AlertWebhookConfig['kind'], text: string): Record<string, unknown> {
  return kind === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: text } }
    : { msgtype: 'markdown', markdown: { title: '医保基金监管预警', text } };
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
 * After a published run: queues a message for every open alert of marts.fct_fund_alerts not yet
 * queued for a webhook of its responsible department (or `*`), then delivers what is pending —
 * this run's openings and earlier runs' undelivered ones — trying each up to `tries` times with
 * exponential backoff. An alert episode keeps its id while it stays open, so a repeated run queues
 * nothing new: each opening is sent once. Never throws: a failing robot or database is logged and
 * the run goes on.
 */
export async function notifyOpenedAlerts(pool: pg.Pool, options: NotifyOptions): Promise<NotifySummary> {
  const empty = { queued: 0, delivered: 0, pending: 0, failed: 0 };
  const { webhooks, logger } = options;
  if (webhooks.length === 0) return empty;
  try {
    return await notify(pool, options);
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'fund alert notifications: skipped this run');
    return empty;
  }
}

async function notify(pool: pg.Pool, options: NotifyOptions): Promise<NotifySummary> {
  const { webhooks, logger } = options;
  const tries = options.tries ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 20;
  const { rows: open } = await pool.query<OpenAlert>(`
    select fund_alert_id, rule_name, severity, responsible_department, hospital_name, hospital_code, scope,
           scope_name, scope_code, period_grain, to_char(opened_period, 'YYYY-MM-DD') as opened_period,
           breach_periods::int as breach_periods, current_value::text, reference_value::text, basis,
           comparator, threshold::text
      from marts.fct_fund_alerts
     where status = 'open'
     order by fund_alert_id`);
  let queued = 0;
  for (const alert of open)
    for (const w of webhooks.filter(
      (x) => x.department === '*' || x.department === alert.responsible_department,
    )) {
      const { rowCount } = await pool.query(
        `insert into ops.fund_alert_notifications
           (fund_alert_id, webhook_key, department, kind, opened_period, message)
         values ($1, $2, $3, $4, $5, $6)
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
  const byKey = new Map(webhooks.map((w) => [webhookKey(w), w]));
  const { rows: pending } = await pool.query<{
    fund_alert_id: string;
    webhook_key: string;
    message: unknown;
    attempts: number;
  }>(`select fund_alert_id, webhook_key, message, attempts from ops.fund_alert_notifications
       where status = 'pending' order by created_at, fund_alert_id`);
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
        where fund_alert_id = $1 and webhook_key = $2`,
      [n.fund_alert_id, n.webhook_key, status, attempts, error ?? null],
    );
    if (status === 'delivered') delivered++;
    else if (status === 'failed') failed++;
    else still++;
    if (error !== undefined)
      logger.warn(
        { alert: n.fund_alert_id, webhook: shownUrl(w.url), attempts, err: error },
        status === 'failed'
          ? 'fund alert notification: given up'
          : 'fund alert notification: will retry next run',
      );
  }
  if (queued + pending.length > 0)
    logger.info({ queued, delivered, pending: still, failed }, 'fund alert notifications');
  return { queued, delivered, pending: still, failed };
}
