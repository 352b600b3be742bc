import type pg from 'pg';
import { ConfigError } from '../../core/errors.ts';
import type { AlertWebhookConfig } from '../../core/config/config.ts';
import {
  alertText,
  postToRobot,
  robotMessage,
  shownUrl,
  type FundAlert,
} from '../../pipelines/alerts/notify-alerts.ts';
import { commandContext, withWarehouse } from '../context.ts';

export interface AlertListOptions {
  readonly all?: boolean;
  readonly hospital?: string;
}

/** The rows `hdw alerts` prints (see there). */
export async function alertList(
  pool: pg.Pool,
  options: AlertListOptions,
): Promise<Record<string, string | number | null>[]> {
  const { rows } = await pool.query(
    `select a.fund_alert_id, a.status, a.severity, a.hospital_name, a.rule_name,
            case when a.scope = 'hospital' then '全院' else coalesce(a.scope_name, a.scope_code, '未知') end as member,
            to_char(a.opened_period, 'YYYY-MM-DD') as opened, a.breach_periods, a.current_value,
            a.responsible_department,
            coalesce(
              (select string_agg(n.status, ',' order by n.webhook_key) from ops.fund_alert_notifications n
                where n.fund_alert_id = a.fund_alert_id and n.notice = 'opened'),
              (select 'baseline' from ops.fund_alert_episodes_seen s
                where s.fund_alert_id = a.fund_alert_id and s.baseline and s.status_seen = 'closed')
            ) as notified, 0 as part
       from marts.fct_fund_alerts a
      where ($1 or a.status = 'open') and ($2::text is null or a.hospital_code = $2)
     union all
     select s.fund_alert_id, 'revoked', s.alert->>'severity', s.alert->>'hospital_name', s.rule_name,
            case when s.alert->>'scope' = 'hospital' then '全院'
                 else coalesce(s.alert->>'scope_name', s.alert->>'scope_code', '未知') end,
            s.alert->>'opened_period', (s.alert->>'breach_periods')::bigint,
            (s.alert->>'current_value')::numeric, s.responsible_department,
            (select string_agg(n.notice || ':' || n.status, ',' order by n.notice, n.webhook_key)
               from ops.fund_alert_notifications n where n.fund_alert_id = s.fund_alert_id),
            1
       from ops.fund_alert_episodes_seen s
      where $1 and s.gone_at is not null and ($2::text is null or s.alert->>'hospital_code' = $2)
      order by part, opened desc, fund_alert_id`,
    [options.all === true, options.hospital ?? null],
  );
  return rows;
}

/**
 * `hdw alerts [--all] [--hospital H]`: the fund alerts that are open (or, with --all, every episode),
 * newest first, each with whether its opening was delivered to the department's webhooks (one
 * status per webhook; `baseline`: closed when the notifier first ran, recorded without a message).
 * With --all, episodes a later delivery revised away follow, status `revoked`, with their 撤销
 * notices' delivery (`revoked:delivered`).
 */
export async function alertsCommand(options: AlertListOptions): Promise<void> {
  await withWarehouse(async (w) => {
    const rows = await alertList(w.pool, options);
    const out = [
      [
        '预警编号',
        '状态',
        '严重程度',
        '医院',
        '规则',
        '范围',
        '开启',
        '持续期数',
        '当前值',
        '责任部门',
        '通知',
      ].join('\t'),
      ...rows.map((r) =>
        [
          r.fund_alert_id,
          r.status,
          r.severity,
          r.hospital_name,
          r.rule_name,
          r.member,
          r.opened,
          r.breach_periods,
          r.current_value,
          r.responsible_department,
          r.notified ?? '-',
        ].join('\t'),
      ),
    ];
    if (rows.length === 0) out.push(options.all ? 'no alerts' : 'no open alerts');
    process.stdout.write(`${out.join('\n')}\n`);
  });
}

/**
 * `hdw alerts test-webhook [--department D | --url U --kind K]`: sends a sample alert (no real
 * hospital or patient in it) to the configured webhooks of a department (all when none is named),
 * or to the given URL; exits 1 when one refuses it.
 */
export async function testWebhookCommand(options: {
  readonly department?: string;
  readonly url?: string;
  readonly kind?: string;
}): Promise<void> {
  const { config } = commandContext();
  let targets: AlertWebhookConfig[];
  if (options.url) {
    if (options.kind !== 'wecom' && options.kind !== 'dingtalk')
      throw new ConfigError('hdw alerts test-webhook --url needs --kind wecom or --kind dingtalk');
    targets = [{ department: options.department ?? '*', kind: options.kind, url: options.url }];
  } else {
    targets = config.HDW_ALERT_WEBHOOKS.filter(
      (w) => !options.department || w.department === options.department || w.department === '*',
    );
    if (targets.length === 0)
      throw new ConfigError(
        `no webhook configured${options.department ? ` for ${options.department}` : ''}: set HDW_ALERT_WEBHOOKS (JSON array of {department, kind, url}) or alertWebhooks in hdw.config.json`,
      );
  }
  const sample: FundAlert = {
    fund_alert_id: 'TEST|示例',
    rule_name: '测试消息（示例预警，非真实数据）',
    severity: 'low',
    responsible_department: options.department ?? '医保办',
    hospital_name: '示例医院',
    hospital_code: 'H00000000000',
    scope: 'hospital',
    scope_name: null,
    scope_code: null,
    period_grain: 'month',
    opened_period: new Date().toISOString().slice(0, 10),
    breach_periods: 1,
    current_value: '0.3',
    reference_value: null,
    basis: 'absolute',
    comparator: '>',
    threshold: '0.25',
  };
  let failed = 0;
  for (const w of targets) {
    try {
      await postToRobot(w.url, robotMessage(w.kind, alertText(sample)));
      process.stdout.write(`sent: ${w.department} ${w.kind} ${shownUrl(w.url)}\n`);
    } catch (error) {
      failed++;
      process.stdout.write(
        `FAILED: ${w.department} ${w.kind} ${shownUrl(w.url)}: ${(error as Error).message}\n`,
      );
    }
  }
  if (failed > 0) process.exitCode = 1;
}
