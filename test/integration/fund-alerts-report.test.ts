import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { signToken } from '../../cube/security/token.ts';
import { loadFundReport } from '../../ops/reports/fund-report.ts';
import { writeReportWorkbook } from '../../ops/reports/cost-workbook.ts';
import { publishStage } from '../../pipelines/run-pipeline.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { alliance, post, secret, startCube, type CubeApi } from './security-harness.ts';

/**
 * Fund alert notifications and the monthly supervision report on the small demo's built
 * warehouse. Notifications go to real group-robot webhooks on a local HTTP server: each open alert
 * reaches its responsible department's robot once, a repeated publish sends nothing again, a robot
 * that fails twice gets the message on the third try, and a robot that is down leaves the run
 * unharmed and its messages pending for the next run. The report's figures equal Cube's.
 */
describe('fund alert notifications and the monthly report', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;
  let server: http.Server;
  let cube: CubeApi | undefined;
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
    await cube?.close();
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

  it("writes the monthly report whose indicators and open alerts equal Cube's for the member", async () => {
    const { rows: months } = await pool.query<{ hospital_code: string; month: string }>(
      `select hospital_code, to_char(max(opened_period), 'YYYY-MM') as month from marts.fct_fund_alerts
        group by 1 order by count(*) desc, 1 limit 1`,
    );
    const { hospital_code: hospital, month } = months[0]!;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-fund-report-'));
    try {
      const file = path.join(dir, 'fund.xlsx');
      const report = await loadFundReport(pool, { month, hospitalCode: hospital });
      await writeReportWorkbook({ unitName: report.unitName, period: `月份：${month}` }, report.tables, file);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      expect(workbook.worksheets.map((ws) => ws.name)).toEqual([
        '监管指标',
        '预警事件',
        '违规筛查',
        '超支病组原因',
      ]);
      /** A sheet's data rows (below its header on row 3) by header. */
      const rowsOf = (sheet: string) => {
        const ws = workbook.getWorksheet(sheet)!;
        const headers = ws.getRow(3).values as unknown[];
        const out: Record<string, unknown>[] = [];
        ws.eachRow((row, i) => {
          if (i <= 3 || row.getCell(1).value === '合计') return;
          const entry: Record<string, unknown> = {};
          headers.forEach((h, c) => (entry[String(h)] = row.getCell(c).value));
          out.push(entry);
        });
        return out;
      };

      cube = await startCube(w);
      const token = await signToken(
        { role: 'member', hospital_code: hospital, alliance_id: alliance },
        secret,
        600,
      );
      const load = async (query: object) => {
        const answer = await post(cube!.base, '/v1/load', { query }, token);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        return (answer.body.data ?? []) as Record<string, string>[];
      };
      const start = `${month}-01`;
      const [y, m] = month.split('-').map(Number) as [number, number];
      const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

      // Indicators: the sheet's 药占比, 耗占比, 平均住院日 and 住院次均费用 are the view's for the month.
      const indicators = rowsOf('监管指标');
      const [efficiency] = await load({
        measures: ['drug_share', 'material_share', 'avg_length_of_stay_days', 'avg_inpatient_charge'].map(
          (x) => `fund_efficiency.${x}`,
        ),
        timeDimensions: [{ dimension: 'fund_efficiency.month', dateRange: [start, end] }],
      });
      // (the mart rounds ratios to 4 decimals and amounts to the cent; Cube divides its sums unrounded)
      for (const [title, measure, digits] of [
        ['药占比', 'drug_share', 4],
        ['耗占比', 'material_share', 4],
        ['平均住院日', 'avg_length_of_stay_days', 4],
        ['住院次均费用', 'avg_inpatient_charge', 2],
      ] as const) {
        const row = indicators.find((r) => r['指标'] === title);
        expect(row, title).toBeDefined();
        expect(Number(row!['本月值']), title).toBeCloseTo(
          Number(efficiency![`fund_efficiency.${measure}`]),
          digits,
        );
      }
      expect(indicators.some((r) => String(r['状态']).startsWith('超阈值'))).toBe(true);

      // Alerts: the sheet lists every alert open during the month, as the view counts them.
      const alerts = rowsOf('预警事件');
      const [counted] = await load({
        measures: ['fund_alerts.alert_count'],
        filters: [
          { member: 'fund_alerts.opened_period', operator: 'beforeDate', values: [`${end}T23:59:59`] },
          {
            or: [
              { member: 'fund_alerts.closed_period', operator: 'notSet' },
              { member: 'fund_alerts.closed_period', operator: 'afterDate', values: [start] },
            ],
          },
        ],
      });
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.length).toBe(Number(counted!['fund_alerts.alert_count']));
      // The member's Cube answers hold its own hospital only.
      const others = await load({
        dimensions: ['fund_alerts.hospital_code'],
        measures: ['fund_alerts.alert_count'],
      });
      expect(others.map((r) => r['fund_alerts.hospital_code'])).toEqual([hospital]);

      // Violations: the sheet's 合计 of flags and amounts is the view's for the month.
      const violations = workbook.getWorksheet('违规筛查')!;
      const totalRow = violations.getRow(violations.rowCount);
      expect(totalRow.getCell(1).value).toBe('合计');
      const [flagged] = await load({
        measures: ['violation_review.flag_count', 'violation_review.amount_at_issue'],
        timeDimensions: [{ dimension: 'violation_review.flag_month', dateRange: [start, end] }],
      });
      expect(Number(totalRow.getCell(5).value)).toBe(Number(flagged!['violation_review.flag_count'] ?? 0));
      expect(Number(totalRow.getCell(7).value)).toBeCloseTo(
        Number(flagged!['violation_review.amount_at_issue'] ?? 0),
        2,
      );

      // Overspending groups: at most three causes each, each its actual per case less its standard.
      const causes = rowsOf('超支病组原因');
      for (const c of causes) {
        expect(Number(c['名次'])).toBeLessThanOrEqual(3);
        // each of the three is rounded to the cent on its own: they may differ by one cent
        const gap = Number(c['实际例均']) - Number(c['标准例均']) - Number(c['例均差额']);
        expect(Math.abs(gap)).toBeLessThan(0.0101);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
