import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { alertList } from '../../ops/commands/alerts.ts';
import { publishStage } from '../../pipelines/run-pipeline.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * Fund alert notifications on the small demo's built warehouse, with real group-robot webhooks on
 * a local HTTP server: each open alert reaches its responsible department's robot once, a repeated
 * publish sends nothing again, a robot that fails twice gets the message on the third try, and a
 * robot that is down leaves the run unharmed and its messages pending for the next run; the
 * episodes already closed at that first run are only recorded. Then, as later builds would: an
 * episode that appears already closed is announced once, with the month it cleared, and one that
 * was delivered and is revised away gets one 撤销 notice per robot that had it. (The monthly
 * report's check against Cube is in cost-case.test.ts, which serves a Cube already.)
 */
describe('fund alert notifications', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;
  let server: http.Server;
  let base: string;
  /** Bodies received per path; `/flaky` refuses its first two requests. */
  const received = new Map<string, unknown[]>();
  let flakyRefusals = 2;
  /** The webhooks the first test ends with (its dead robot replaced), which the second one keeps. */
  let fixed: unknown[] = [];

  beforeAll(async () => {
    w = await demoWarehouse();
    pool = createPool(w.url, 2);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        if (path === '/flaky' && flakyRefusals > 0) {
          flakyRefusals--;
          res.writeHead(502).end('bad gateway');
          return;
        }
        received.set(path, [...(received.get(path) ?? []), JSON.parse(body)]);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 900_000);

  afterAll(async () => {
    server?.close();
    await pool?.end();
    await w?.drop();
  });

  const context = (webhooks: unknown[]) => ({
    pool,
    config: loadConfig({ DATABASE_URL: w.url, HDW_ALERT_WEBHOOKS: JSON.stringify(webhooks) }),
    logger: silentLogger,
  });

  it('sends each opening once per webhook, retries a failing robot, and never fails the run', async () => {
    const { rows: open } = await pool.query<{ fund_alert_id: string; responsible_department: string }>(
      `select fund_alert_id, responsible_department from marts.fct_fund_alerts where status = 'open'`,
    );
    const department = '医保办';
    const ours = open.filter((a) => a.responsible_department === department);
    expect(ours.length).toBeGreaterThan(0);
    expect(open.length).toBeGreaterThan(ours.length);
    const webhooks = [
      { department, kind: 'wecom', url: `${base}/wecom?key=secret-1` },
      { department: '*', kind: 'dingtalk', url: `${base}/flaky?access_token=secret-2` },
      // nothing listens there: connection refused
      { department: '*', kind: 'wecom', url: 'http://127.0.0.1:9/down?key=secret-3' },
    ];

    const first = await publishStage(context(webhooks));
    expect(first).toEqual({
      queued: ours.length + 2 * open.length,
      revoked: 0,
      delivered: ours.length + open.length,
      pending: open.length,
      failed: 0,
    });
    // WeCom's and DingTalk's markdown formats, one message per opening of that department / all.
    const wecom = received.get('/wecom') as { msgtype: string; markdown: { content: string } }[];
    expect(wecom).toHaveLength(ours.length);
    expect(
      wecom.every((m) => m.msgtype === 'markdown' && m.markdown.content.includes('医保基金监管预警')),
    ).toBe(true);
    expect(wecom.map((m) => /预警编号 (\S+)/.exec(m.markdown.content)?.[1]).sort()).toEqual(
      ours.map((a) => a.fund_alert_id).sort(),
    );
    const flaky = received.get('/flaky') as { markdown: { title: string; text: string } }[];
    expect(flaky).toHaveLength(open.length);
    expect(flaky[0]!.markdown.title).toBe('医保基金监管预警');
    // The first message to the flaky robot took three tries; the dead robot was tried for one message only.
    const { rows: attempts } = await pool.query(
      `select department, kind, status, attempts from ops.fund_alert_notifications order by created_at, fund_alert_id`,
    );
    expect(Math.max(...attempts.filter((a) => a.kind === 'dingtalk').map((a) => a.attempts))).toBe(3);
    const dead = attempts.filter((a) => a.status === 'pending');
    expect(dead).toHaveLength(open.length);
    expect(dead.filter((a) => a.attempts > 0)).toHaveLength(1);
    // The first run records every episode as seen; the closed ones (there are some) get no message.
    const { rows: seen } = await pool.query<{ status: string; baseline: boolean; sent: number }>(
      `select a.status, s.baseline,
              (select count(*)::int from ops.fund_alert_notifications n where n.fund_alert_id = a.fund_alert_id) as sent
         from marts.fct_fund_alerts a left join ops.fund_alert_episodes_seen s using (fund_alert_id)`,
    );
    expect(seen.filter((r) => r.status === 'closed').length).toBeGreaterThan(0);
    expect(seen.every((r) => r.baseline === true)).toBe(true);
    expect(seen.filter((r) => r.status === 'closed' && r.sent > 0)).toEqual([]);

    // No patient in any message: no visit or patient id of the warehouse appears.
    const { rows: ids } = await pool.query(
      `select visit_id from marts.fct_inpatient_cases order by visit_id limit 2000`,
    );
    const texts = [...wecom.map((m) => m.markdown.content), ...flaky.map((m) => m.markdown.text)].join('\n');
    expect(ids.filter((r) => texts.includes(r.visit_id))).toEqual([]);

    // The same publish again: nothing new is queued or sent; the dead robot is tried once more.
    const again = await publishStage(context(webhooks));
    expect(again).toEqual({ queued: 0, revoked: 0, delivered: 0, pending: open.length, failed: 0 });
    expect(received.get('/wecom')).toHaveLength(ours.length);
    expect(received.get('/flaky')).toHaveLength(open.length);

    // The robot comes back (configured at a live address under the same department and kind is a
    // new webhook; the old one's messages stay pending): its queue is sent on the next run.
    fixed = [...webhooks.slice(0, 2), { department: '*', kind: 'wecom', url: `${base}/back?key=secret-3` }];
    const third = await publishStage(context(fixed));
    expect(third.queued).toBe(open.length);
    expect(received.get('/back')).toHaveLength(open.length);
  });

  it('announces a new episode that has already closed, and revokes a delivered one revised away', async () => {
    expect(fixed).toHaveLength(3); // the webhooks the first test ended with
    const texts = (robot: string): string[] =>
      ((received.get(robot) ?? []) as { markdown: { content?: string; text?: string } }[]).map(
        (m) => m.markdown.content ?? m.markdown.text ?? '',
      );
    const ROBOTS = ['/wecom', '/flaky', '/back'];
    const counts = () => ROBOTS.map((r) => texts(r).length);

    // (a) A later build finds an episode of an earlier month that opened and cleared between two
    // runs: a copy of a closed monthly episode under an id the notifier has never seen.
    const { rows: closedRows } = await pool.query<{
      fund_alert_id: string;
      responsible_department: string;
      rule_name: string;
      opened: string;
      closed: string;
      breach_periods: number;
    }>(
      `select fund_alert_id, responsible_department, rule_name, to_char(opened_period, 'YYYY-MM') as opened,
              to_char(closed_period, 'YYYY-MM') as closed, breach_periods::int as breach_periods
         from marts.fct_fund_alerts
        where status = 'closed' and period_grain = 'month'
        order by responsible_department = '医保办' desc, fund_alert_id limit 1`,
    );
    const closed = closedRows[0]!;
    const lateId = `${closed.fund_alert_id.split('|').slice(0, 3).join('|')}|1999-01`;
    await pool.query(
      `insert into marts.fct_fund_alerts
       select (jsonb_populate_record(null::marts.fct_fund_alerts,
                 to_jsonb(a) || jsonb_build_object('fund_alert_id', $2::text, 'status', 'closed'))).*
         from marts.fct_fund_alerts a where fund_alert_id = $1`,
      [closed.fund_alert_id, lateId],
    );
    // (b) Late lines revise away an open episode whose opening was delivered (to 医保办's robot, the
    // flaky one and the one back) and is still pending for the dead robot.
    const { rows: goneRows } = await pool.query<{ fund_alert_id: string; rule_name: string }>(
      `select fund_alert_id, rule_name from marts.fct_fund_alerts
        where status = 'open' and responsible_department = '医保办' order by fund_alert_id limit 1`,
    );
    const gone = goneRows[0]!;
    const { rows: deliveredTo } = await pool.query<{ status: string }>(
      `select status from ops.fund_alert_notifications where fund_alert_id = $1 and notice = 'opened'`,
      [gone.fund_alert_id],
    );
    expect(deliveredTo.map((r) => r.status).sort()).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'pending',
    ]);
    await pool.query(`delete from marts.fct_fund_alerts where fund_alert_id = $1`, [gone.fund_alert_id]);

    const before = counts();
    const run = await publishStage(context(fixed));
    const lateTo = closed.responsible_department === '医保办' ? 3 : 2;
    expect(run).toMatchObject({ queued: lateTo, revoked: 3, delivered: lateTo + 3, failed: 0 });
    const fresh = ROBOTS.map((r, i) => texts(r).slice(before[i]));
    // each robot got the late episode (医保办's only for its own) and the revocation, once
    for (const [i, robot] of ROBOTS.entries()) {
      const late = fresh[i]!.filter((t) => t.includes(`预警编号 ${lateId}`));
      const revoked = fresh[i]!.filter((t) => t.includes(`预警编号 ${gone.fund_alert_id}`));
      expect(late, robot).toHaveLength(robot === '/wecom' && lateTo === 2 ? 0 : 1);
      expect(revoked, robot).toHaveLength(1);
      expect(fresh[i], robot).toHaveLength(late.length + 1);
      for (const t of late) {
        expect(t).toContain(closed.rule_name);
        expect(t).toContain(
          `开启期间：${closed.opened}（连续 ${closed.breach_periods} 期），已于 ${closed.closed} 解除`,
        );
      }
      expect(revoked[0]).toContain('预警已撤销：数据更正后该预警不再成立');
      expect(revoked[0]).toContain(gone.rule_name);
    }
    const flakyRevoked = (received.get('/flaky') as { markdown: { title: string; text: string } }[]).filter(
      (m) => m.markdown.text.includes('预警已撤销'),
    );
    expect(flakyRevoked.map((m) => m.markdown.title)).toEqual(['医保基金监管预警撤销']);
    // the dead robot never got the opening: it is cancelled, not revoked
    const { rows: after } = await pool.query<{ notice: string; status: string }>(
      `select notice, status from ops.fund_alert_notifications where fund_alert_id = $1 order by notice, status`,
      [gone.fund_alert_id],
    );
    expect(after.map((r) => `${r.notice}:${r.status}`)).toEqual([
      'opened:cancelled',
      'opened:delivered',
      'opened:delivered',
      'opened:delivered',
      'revoked:delivered',
      'revoked:delivered',
      'revoked:delivered',
    ]);

    // The same publish again sends nothing.
    const sent = counts();
    const again = await publishStage(context(fixed));
    expect(again).toMatchObject({ queued: 0, revoked: 0, delivered: 0, failed: 0 });
    expect(counts()).toEqual(sent);

    // `hdw alerts --all` lists the late episode as delivered, the revised-away one as revoked, and
    // the episodes closed at the first run as recorded without a message.
    const list = await alertList(pool, { all: true });
    const row = (id: string) => list.find((r) => r.fund_alert_id === id);
    expect(String(row(lateId)?.notified).split(',')).toEqual(Array(lateTo).fill('delivered'));
    expect(row(gone.fund_alert_id)).toMatchObject({ status: 'revoked' });
    expect(String(row(gone.fund_alert_id)?.notified)).toContain('revoked:delivered');
    expect(row(closed.fund_alert_id)?.notified).toBe('baseline');
    expect((await alertList(pool, {})).every((r) => r.status === 'open')).toBe(true);
  });
});
