/**
 * Issue #14, the path a 医保办 user takes: a member hospital delivers its months one by one and
 * `hdw run` follows each delivery. After every run, the drug-share alerts (the rules of the seed
 * fund_alert_rules on 药占比 with an absolute threshold: the hospital's, and the department's over
 * two months) equal what this test computes from the delivered charge-line files alone — which
 * episodes exist, the period each opens on (first breach + persistence − 1), whether it is still
 * open, and the period it closed on — and their department's group robots, on a real local HTTP
 * server, get exactly one message per opening: none again while it stays open, none when it closes,
 * none from a repeated run. After the first run an episode never seen before is announced even when
 * it has already closed (late lines raised an earlier month), saying when it cleared; one that was
 * announced and is revised away gets one 撤销 notice. A robot that refuses a message is tried again
 * within the run, which does not fail. At the end an ordinary build equals a --full-refresh one.
 *
 * "Consecutive" is fct_fund_alerts' own: calendar periods (its observations' period_index, year ×
 * 12 + month), so the demo's gap between 2024-03 and the months of 2025 ends a run of breaches, and
 * an open alert is one whose last breach is the hospital's latest observed month (here the month
 * just delivered). A charge-line file of month M also carries lines of earlier months (stays
 * discharged in M), so the test recomputes every month's share from all files delivered so far.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { createLogger, silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { buildStage, loadProject, runPipeline, type StageContext } from '../../pipelines/run-pipeline.ts';
import { alertEpisodes, alertRules, type AlertEpisode, type AlertRule } from '../support/alert-truth.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { DEMO_SEED, demoFilesDir } from '../support/demo-files.ts';
import { drugShareParts, exact, shiftMonth, type DrugShareParts } from '../support/fund-truth.ts';
import { createPool } from '../../core/db/database.ts';

const MONTHLY_FILE = /_(\d{4}-\d{2})\.csv$/;

/** Each member's (`*` the hospital) 药占比 by month, to 4 decimals as fct_fund_indicators gives it (no revenue, no share). */
function shares(parts: readonly DrugShareParts[]): Map<string, { month: string; value: number | null }[]> {
  const members = new Map<string, { month: string; value: number | null }[]>();
  for (const p of parts)
    members.set(p.member, [
      ...(members.get(p.member) ?? []),
      { month: p.month, value: exact(BigInt(p.drugCents), BigInt(p.medicalCents), 4) },
    ]);
  return members;
}

const inScope = (rule: AlertRule, member: string) => (rule.scope === 'hospital') === (member === '*');

/**
 * The episodes of the drug-share rules for a hospital from the parts of the files delivered so
 * far, the month just delivered being its latest.
 */
function expectedEpisodes(
  rules: readonly AlertRule[],
  hospital: string,
  parts: readonly DrugShareParts[],
  latest: string,
): AlertEpisode[] {
  const members = [...shares(parts)];
  return rules
    .flatMap((rule) =>
      members
        .filter(([member]) => inScope(rule, member))
        .flatMap(([member, series]) => alertEpisodes(rule, hospital, member, series, latest)),
    )
    .sort((a, b) => a.fund_alert_id.localeCompare(b.fund_alert_id));
}

/**
 * A rule and member whose alerts the demo's gap decides: taken over its observed months as if they
 * followed each other, it would have other episodes than over calendar months.
 */
function acrossGap(rules: readonly AlertRule[], parts: readonly DrugShareParts[]): string | undefined {
  for (const rule of rules)
    for (const [member, series] of shares(parts)) {
      if (!inScope(rule, member)) continue;
      const sorted = [...series].sort((a, b) => a.month.localeCompare(b.month));
      const observed = sorted.map((s, i) => ({ value: s.value, month: shiftMonth('2000-01', -i) }));
      const calendar = alertEpisodes(rule, '', member, sorted, '').length;
      if (alertEpisodes(rule, '', member, observed, '').length !== calendar)
        return `${rule.rule_id} ${member}`;
    }
  return undefined;
}

/** Each step's expected episodes of the watched rules, for a hospital delivering `months` in order. */
function expectedSteps(
  dir: string,
  rules: readonly AlertRule[],
  hospital: string,
  months: readonly string[],
) {
  return months.map((month, i) => {
    const parts = drugShareParts(dir, projectPaths.seeds, hospital, months.slice(0, i + 1));
    return expectedEpisodes(rules, hospital, parts, month);
  });
}

/**
 * Whether the steps show the whole life of an alert of a rule over several months: absent, then
 * open for at least two runs, then closed.
 */
function fullLife(steps: readonly AlertEpisode[][], rules: readonly AlertRule[]): string | undefined {
  const ids = new Set(steps.flat().map((e) => e.fund_alert_id));
  const lasting = new Set(rules.filter((r) => Number(r.persistence) >= 2).map((r) => r.rule_id));
  return [...ids].find((id) => {
    if (!lasting.has(id.split('|')[0]!)) return false;
    const life = steps.map((s) => s.find((e) => e.fund_alert_id === id)?.status ?? 'absent').join(',');
    return /^(absent,)+(open,){2,}closed/.test(life);
  });
}

describe('fund alerts, month by month', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let work: string;
  let generated: string;
  let inbox: string;
  let server: http.Server;
  let base: string;
  /** Message bodies received per robot path; `/flaky` refuses the first request it gets. */
  const received = new Map<string, unknown[]>();
  let flakyRefusals = 1;
  let rules: AlertRule[];
  let months: string[];
  let hospital: string;
  let steps: AlertEpisode[][];

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 6);
    work = await mkdtemp(path.join(os.tmpdir(), 'hdw-alerts-monthly-'));
    inbox = path.join(work, 'inbox');
    // The small demo's files as demoWarehouse() generated them, when a test of this run did (read
    // only); else generated here.
    generated = path.join(demoFilesDir(inject('pgAdminUrl'), 'small'), 'files');
    const ready = await stat(path.join(generated, '_ground_truth', 'manifest.json')).then(
      () => true,
      () => false,
    );
    if (!ready) {
      generated = path.join(work, 'generated');
      await generateDemo({ size: 'small', seed: DEMO_SEED, outDir: generated });
    }

    // The rules this test can compute from the files: 药占比 against an absolute threshold.
    rules = alertRules(projectPaths.seeds).filter(
      (r) => r.indicator === 'drug_share' && r.basis === 'absolute' && r.period === 'month',
    );
    expect(rules.map((r) => r.scope).sort()).toEqual(['department', 'hospital']);

    // One member hospital, the first small (一级) one whose months take an alert through its whole
    // life and whose alerts the gap between 2024 and 2025 decides; the others' deliveries stay out
    // of the inbox, which keeps the runs short.
    const manifest = JSON.parse(
      await readFile(path.join(generated, '_ground_truth', 'manifest.json'), 'utf8'),
    ) as { periods: string[]; hospitals: { code: string; level_code: string }[] };
    months = manifest.periods;
    for (const h of manifest.hospitals.filter((x) => x.level_code === '1')) {
      const candidate = expectedSteps(generated, rules, h.code, months);
      const all = drugShareParts(generated, projectPaths.seeds, h.code, months);
      if (fullLife(candidate, rules) && acrossGap(rules, all)) {
        hospital = h.code;
        steps = candidate;
        break;
      }
    }
    expect(
      hospital,
      'a small hospital whose 药占比 opens, keeps and closes a two-month alert, and meets the gap',
    ).toBeDefined();

    // The inbox starts with the publishers' files and the hospital's dictionaries (no monthly file).
    const members = new Set(manifest.hospitals.map((h) => h.code));
    for (const entry of await readdir(generated, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
      if (members.has(entry.name) && entry.name !== hospital) continue;
      await cp(path.join(generated, entry.name), path.join(inbox, entry.name), {
        recursive: true,
        filter: (source) => entry.name !== hospital || !MONTHLY_FILE.test(source),
      });
    }

    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const where = (req.url ?? '').split('?')[0]!;
        if (where === '/flaky' && flakyRefusals > 0) {
          flakyRefusals--;
          res.writeHead(502).end('bad gateway');
          return;
        }
        received.set(where, [...(received.get(where) ?? []), JSON.parse(body)]);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 300_000);

  afterAll(async () => {
    server?.close();
    await pool?.end();
    await t?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The `hdw run` context, with a WeCom and a DingTalk robot for each watched rule's department. */
  const context = (): StageContext => {
    const departments = [...new Set(rules.map((r) => r.responsible_department!))];
    const webhooks = departments.flatMap((department) => [
      { department, kind: 'wecom', url: `${base}/robot?key=secret-1` },
      { department, kind: 'dingtalk', url: `${base}/flaky?access_token=secret-2` },
    ]);
    return {
      pool,
      config: loadConfig({
        HDW_INBOX: inbox,
        HDW_DATA_DIR: work,
        DATABASE_URL: t.url,
        HDW_INBOX_QUIET_SECONDS: '0',
        HDW_ALERT_WEBHOOKS: JSON.stringify(webhooks),
      }),
      logger: process.env.HDW_TEST_LOG ? createLogger('info') : silentLogger,
      targetDir: path.join(work, '_target'),
    };
  };

  /** Copies the hospital's files of one month into the inbox, as it delivers them. */
  async function deliver(month: string): Promise<number> {
    let n = 0;
    for (const system of await readdir(path.join(generated, hospital))) {
      for (const file of await readdir(path.join(generated, hospital, system))) {
        if (MONTHLY_FILE.exec(file)?.[1] !== month) continue;
        await cp(path.join(generated, hospital, system, file), path.join(inbox, hospital, system, file));
        n++;
      }
    }
    return n;
  }

  async function alerts(): Promise<AlertEpisode[]> {
    const { rows } = await pool.query<Record<string, unknown>>(
      `select fund_alert_id,
              to_char(first_breach_period, 'YYYY-MM') as first_breach_period,
              to_char(opened_period, 'YYYY-MM') as opened_period,
              to_char(last_breach_period, 'YYYY-MM') as last_breach_period,
              breach_periods::int as breach_periods, current_value::text as current_value, status,
              to_char(closed_period, 'YYYY-MM') as closed_period
         from marts.fct_fund_alerts
        where hospital_code = $1 and rule_id = any ($2)
        order by fund_alert_id`,
      [hospital, rules.map((r) => r.rule_id)],
    );
    return rows.map((r) => ({ ...r, current_value: Number(r.current_value) }) as AlertEpisode);
  }

  /** Every message a robot got, its text, the alert it names and whether it revokes that alert. */
  const messages = (robot: string): { id: string; text: string; revoked: boolean }[] =>
    ((received.get(robot) ?? []) as { markdown: { content?: string; text?: string } }[]).map((m) => {
      const text = m.markdown.content ?? m.markdown.text ?? '';
      return { id: /预警编号 (\S+)/.exec(text)?.[1] ?? '?', text, revoked: text.includes('预警已撤销') };
    });
  const messageIds = (robot: string, revoked = false): string[] =>
    messages(robot)
      .filter((m) => m.revoked === revoked)
      .map((m) => m.id);
  const ROBOTS = ['/robot', '/flaky'] as const;
  const watched = (ids: readonly string[]) =>
    ids.filter((id) => rules.some((r) => id.startsWith(`${r.rule_id}|${hospital}|`))).sort();

  it('opens, keeps and closes each alert as the delivered months say, and announces each opening once', async () => {
    const announced = new Set<string>();
    const seen = new Set<string>();
    const revoked = new Set<string>();
    // the run repeated is the first to open an alert of a rule lasting several months
    const repeatAt = steps.findIndex((s) =>
      s.some((e) => e.status === 'open' && e.opened_period !== e.first_breach_period),
    );
    expect(repeatAt).toBeGreaterThanOrEqual(0);
    for (const [i, month] of months.entries()) {
      expect(await deliver(month)).toBeGreaterThan(0);
      const before = ROBOTS.map((robot) => messages(robot).length);
      const run = await runPipeline(context());
      expect(run.ok, `${month}: ${run.blockedBy.join('; ')}`).toBe(true);
      expect(run.notifications).toMatchObject({ pending: 0, failed: 0 });

      const expected = steps[i]!;
      expect(await alerts(), `alerts after delivering ${month}`).toEqual(expected);

      // one message per robot for each alert that opened since the last run — after the first
      // run also for one never seen that has already closed —, none for the others; one 撤销 notice
      // for each announced alert the run no longer has
      const opened = expected
        .filter(
          (e) =>
            !announced.has(e.fund_alert_id) && (e.status === 'open' || (i > 0 && !seen.has(e.fund_alert_id))),
        )
        .map((e) => e.fund_alert_id);
      const ids = new Set(expected.map((e) => e.fund_alert_id));
      const gone = [...announced].filter((id) => !ids.has(id) && !revoked.has(id)).sort();
      for (const id of opened) announced.add(id);
      for (const id of ids) seen.add(id);
      for (const id of gone) revoked.add(id);
      for (const [r, robot] of ROBOTS.entries()) {
        const fresh = messages(robot).slice(before[r]);
        const openings = fresh.filter((m) => !m.revoked);
        expect(watched(openings.map((m) => m.id)), `${robot} after ${month}`).toEqual(opened);
        expect(
          watched(fresh.filter((m) => m.revoked).map((m) => m.id)),
          `${robot} 撤销 after ${month}`,
        ).toEqual(gone);
        // each tells the period it opened on and how long the condition has held, or when it cleared
        for (const m of openings) {
          const e = expected.find((x) => x.fund_alert_id === m.id);
          if (e)
            expect(m.text).toContain(
              e.status === 'open'
                ? `开启期间：${e.opened_period}（已连续 ${e.breach_periods} 期）`
                : `开启期间：${e.opened_period}（连续 ${e.breach_periods} 期），已于 ${e.closed_period} 解除`,
            );
        }
      }

      if (i === repeatAt) {
        // the same month run again: the same alerts, and nothing is sent
        const sent = received.get('/robot')!.length + received.get('/flaky')!.length;
        const again = await runPipeline(context());
        expect(again.ok).toBe(true);
        expect(again.notifications).toMatchObject({ queued: 0, delivered: 0, pending: 0, failed: 0 });
        expect(await alerts()).toEqual(expected);
        expect(received.get('/robot')!.length + received.get('/flaky')!.length).toBe(sent);
      }
    }
    // the flaky robot refused once and still got every message; no alert of any rule twice
    expect(flakyRefusals).toBe(0);
    for (const robot of ROBOTS) {
      const ids = messageIds(robot);
      expect(new Set(ids).size, robot).toBe(ids.length);
      expect(watched(ids)).toEqual([...announced].sort());
      const revocations = messageIds(robot, true);
      expect(new Set(revocations).size, robot).toBe(revocations.length);
      expect(watched(revocations)).toEqual([...revoked].sort());
    }

    // an ordinary build equals a --full-refresh one
    const alertRows = async () =>
      (await pool.query(`select * from marts.fct_fund_alerts r order by r::text`)).rows;
    const ordinary = await alertRows();
    const full = await buildStage(context(), await loadProject(), { fullRefresh: true });
    expect(full.publication).toBe('published');
    expect(await alertRows()).toEqual(ordinary);
  }, 600_000);
});
