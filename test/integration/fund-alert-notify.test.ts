import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { publishStage } from '../../pipelines/run-pipeline.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';

/**
 * Fund alert notifications on the small demo's built warehouse, with real group-robot webhooks on
 * a local HTTP server: each open alert reaches its responsible department's robot once, a repeated
 * publish sends nothing again, a robot that fails twice gets the message on the third try, and a
 * robot that is down leaves the run unharmed and its messages pending for the next run. (The
 * monthly report's check against Cube is in cost-case.test.ts, which serves a Cube already.)
 */
describe('fund alert notifications', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;
  let server: http.Server;
  let base: string;
  /** Bodies received per path; `/flaky` refuses its first two requests. */
  const received = new Map<string, unknown[]>();
  let flakyRefusals = 2;

  beforeAll(async () => {
    w = await demoWarehouse();
    pool = new pg.Pool({ connectionString: w.url, max: 2 });
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

    // No patient in any message: no visit or patient id of the warehouse appears.
    const { rows: ids } = await pool.query(
      `select visit_id from marts.fct_inpatient_cases order by visit_id limit 2000`,
    );
    const texts = [...wecom.map((m) => m.markdown.content), ...flaky.map((m) => m.markdown.text)].join('\n');
    expect(ids.filter((r) => texts.includes(r.visit_id))).toEqual([]);

    // The same publish again: nothing new is queued or sent; the dead robot is tried once more.
    const again = await publishStage(context(webhooks));
    expect(again).toEqual({ queued: 0, delivered: 0, pending: open.length, failed: 0 });
    expect(received.get('/wecom')).toHaveLength(ours.length);
    expect(received.get('/flaky')).toHaveLength(open.length);

    // The robot comes back (configured at a live address under the same department and kind is a
    // new webhook; the old one's messages stay pending): its queue is sent on the next run.
    const fixed = [
      ...webhooks.slice(0, 2),
      { department: '*', kind: 'wecom', url: `${base}/back?key=secret-3` },
    ];
    const third = await publishStage(context(fixed));
    expect(third.queued).toBe(open.length);
    expect(received.get('/back')).toHaveLength(open.length);
  });
});
