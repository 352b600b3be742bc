/**
 * The application server over HTTP (real PostgreSQL, real Cube): sign-in and its rate limit,
 * session tokens on the Cube API, nothing secret in the log, the access audit trail of direct and
 * exported queries (identity and question, never row values), report downloads limited to a
 * member's own hospital, and `hdw user` add/passwd/remove.
 */
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { createPool } from '../../core/db/database.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { addAppUser } from '../../core/security/app-users.ts';
import { buildStage } from '../../pipelines/run-pipeline.ts';
import { auditCommand } from '../../ops/commands/audit.ts';
import { demoAccountsFile, ensureDemoAccounts } from '../../ops/commands/demo-accounts.ts';
import { userAddCommand, userPasswdCommand, userRemoveCommand, type UserCommandIo } from '../../ops/commands/user.ts';
import { serveApp, type TestAppServer } from '../support/app-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  alliance,
  closeDeliveries,
  createMarts,
  fixtureRows,
  hospitalA,
  hospitalB,
  secret,
} from './security-harness.ts';

type Row = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

describe('application server: sign-in, audit trail, downloads', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let app: TestAppServer;
  let idpKey: CryptoKey;
  let config: ReturnType<typeof loadConfig>;
  const passwords = { analyst: 'analyst-pass-1234', member: 'member-pass-5678', victim: 'victim-pass-9012' };

  const call = async (
    method: string,
    route: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<Answer> => {
    for (const until = Date.now() + 180_000; Date.now() < until; ) {
      const response = await fetch(`${app.base}${route}`, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      const body = (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown>;
      if (body.error !== 'Continue wait') return { status: response.status, headers: response.headers, body };
    }
    throw new Error('Cube kept answering "Continue wait"');
  };
  const signIn = (username: string, password: string) =>
    call('POST', '/api/session', { body: { username, password } });
  const download = async (route: string, token: string) => {
    const response = await fetch(`${app.base}${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
  };
  // Audit rows are written in the background: wait for those in flight first.
  const auditRows = async () => {
    await app.flushAudit();
    return (await pool.query<Row>('select * from ops.access_audit order by audit_id')).rows;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
    await createMarts(t, fixtureRows());
    await pool.query(`insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`);
    await addAppUser(pool, { username: 'analyst1', role: 'analyst', displayName: '医保办', password: passwords.analyst });
    await addAppUser(pool, {
      username: 'member_a',
      role: 'member',
      hospitalCode: hospitalA,
      displayName: '东湖',
      password: passwords.member,
    });
    await addAppUser(pool, { username: 'victim', role: 'manager', password: passwords.victim });
    const folder = await mkdtemp(path.join(os.tmpdir(), 'hdw-app-'));
    const idp = await generateKeyPair('RS256', { extractable: true });
    idpKey = idp.privateKey;
    config = loadConfig(
      {
        HDW_JWT_SECRET: secret,
        HDW_JWT_PUBLIC_KEY: await exportSPKI(idp.publicKey),
        HDW_ALLIANCE_ID: alliance,
        HDW_DATA_DIR: path.join(folder, 'data'),
        HDW_LOG_LEVEL: 'silent',
        // One client address (127.0.0.1) runs every test here: only the per-user limit is under test.
        HDW_SIGNIN_MAX_FAILURES_PER_IP: '1000',
      },
      folder,
    );
    // The reports also read marts no cube reads (the harness builds those): disease costs, overspend causes.
    const built = await buildStage(
      { pool, config, logger: silentLogger, targetDir: path.join(folder, 'target') },
      undefined,
      { select: '+fct_disease_costs +fct_fund_overspend_causes' },
    );
    expect(built.publication).toBe('published');
    const web = path.join(folder, 'web');
    await mkdir(path.join(web, 'assets'), { recursive: true });
    await writeFile(path.join(web, 'index.html'), '<!doctype html><div id="app">hdw-web</div>');
    await writeFile(path.join(web, 'assets', 'app.js'), 'console.log("hdw")');
    app = await serveApp({ config, databaseUrl: t.url, staticDir: web });
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    if (t) await closeDeliveries(t);
    await t?.drop();
  });

  it('signs in with a name and password; the session token works on the Cube API and /api/me', async () => {
    const session = await signIn('member_a', passwords.member);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({
      token: expect.any(String),
      expires_at: expect.any(String),
      user: {
        username: 'member_a',
        display_name: '东湖',
        role: 'member',
        hospital_code: hospitalA,
        hospital_name: '盐城市东湖中心医院',
      },
    });
    const minutes = (Date.parse(String(session.body.expires_at)) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(115);
    expect(minutes).toBeLessThanOrEqual(120);
    const token = String(session.body.token);
    const me = await call('GET', '/api/me', { token });
    expect(me).toMatchObject({ status: 200, body: session.body.user });
    const load = await call('POST', '/cubejs-api/v1/load', {
      token,
      body: { query: { measures: ['department_charge_analysis.line_count'], dimensions: ['department_charge_analysis.hospital_code'] } },
    });
    expect(load.status, JSON.stringify(load.body)).toBe(200);
    expect((load.body.data as Row[]).map((r) => r['department_charge_analysis.hospital_code'])).toEqual([hospitalA]);
    expect((await call('GET', '/api/me')).status).toBe(401);
    expect((await call('GET', '/api/me', { token: `${token}x` })).status).toBe(401);
    const freshness = await call('GET', '/api/freshness');
    expect(freshness.body).toEqual({ last_publish_at: expect.any(String), run_id: expect.any(Number) });
  });

  it("describes an identity provider's user from its token's claims", async () => {
    const token = await new SignJWT({ role: 'member', hospital_code: hospitalB, alliance_id: alliance, name: '张主任' })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('zhang@idp')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(idpKey);
    expect(await call('GET', '/api/me', { token })).toMatchObject({
      status: 200,
      body: {
        username: 'zhang@idp',
        display_name: '张主任',
        role: 'member',
        hospital_code: hospitalB,
        hospital_name: '响水县滨河人民医院',
      },
    });
  });

  it('answers a wrong password and an unknown user alike, and refuses after repeated failures', async () => {
    const wrong = await signIn('analyst1', 'not-the-password');
    const unknown = await signIn('nobody-here', 'not-the-password');
    expect(wrong).toMatchObject({ status: 401, body: { error: '用户名或密码错误' } });
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);

    const answers: number[] = [];
    for (let i = 0; i < 10; i += 1) answers.push((await signIn('victim', `guess-${i}-wrong`)).status);
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.slice(5)).toEqual([429, 429, 429, 429, 429]);
    const locked = await signIn('victim', passwords.victim);
    expect(locked.status).toBe(429);
    expect(String(locked.body.error)).toMatch(/^登录尝试过于频繁，请 \d+ 秒后再试$/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.token).toBeUndefined();
    // Another user is not locked by the victim's failures.
    expect((await signIn('analyst1', passwords.analyst)).status).toBe(200);
  });

  it('writes no password and no token to any log line', async () => {
    const session = await signIn('analyst1', passwords.analyst);
    const token = String(session.body.token);
    await call('GET', '/api/me', { token });
    await call('POST', '/cubejs-api/v1/load', {
      token: `${token}broken`,
      body: { query: { measures: ['department_charge_analysis.line_count'] } },
    });
    const log = app.logLines.join('\n');
    expect(app.logLines.length).toBeGreaterThan(0);
    for (const password of Object.values(passwords)) expect(log).not.toContain(password);
    expect(log).not.toContain('guess-0-wrong');
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split('.')[2]!);
  });

  it("records a member's direct and exported queries in the audit trail, without row values", async () => {
    const token = String((await signIn('member_a', passwords.member)).body.token);
    const v = 'department_charge_analysis';
    const query = {
      measures: [`${v}.total_charge_amount`],
      dimensions: [`${v}.department_name`],
      filters: [{ member: `${v}.visit_type`, operator: 'equals', values: ['inpatient'] }],
    };
    const before = (await auditRows()).length;
    const direct = await call('POST', '/cubejs-api/v1/load', { token, body: { query } });
    expect(direct.status, JSON.stringify(direct.body)).toBe(200);
    const data = direct.body.data as Row[];
    expect(data.length).toBeGreaterThan(0);

    const exported = await download(
      `/api/export.xlsx?title=${encodeURIComponent('科室收入')}&query=${encodeURIComponent(JSON.stringify(query))}`,
      token,
    );
    expect(exported.status).toBe(200);
    expect(exported.type).toMatch(/spreadsheetml/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('科室收入')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['科室名称', expect.stringMatching(/收入|费用|金额/)]);
    expect(sheet.rowCount - 1).toBe(data.length);
    expect(typeof sheet.getRow(2).getCell(2).value).toBe('number');

    // Written after the answer, in the background.
    let rows: Row[] = [];
    for (let i = 0; i < 50 && rows.length < 2; i += 1) {
      rows = (await auditRows()).slice(before).filter((r) => r.username === 'member_a' && r.event !== 'sign_in');
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows.map((r) => [r.event, r.api])).toEqual([
      ['query', 'load'],
      ['download', 'export'],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        username: 'member_a',
        role: 'member',
        hospital_code: hospitalA,
        auth_kind: 'session',
        views: [v],
        members: [`${v}.total_charge_amount`, `${v}.department_name`],
        filters: [{ member: `${v}.visit_type`, operator: 'equals', values: ['inpatient'] }],
        row_count: data.length,
        status: 200,
        ip: expect.stringMatching(/127\.0\.0\.1/),
      });
    }
    const audited = JSON.stringify(rows);
    for (const value of data.flatMap((r) => [r[`${v}.department_name`], r[`${v}.total_charge_amount`]]))
      expect(audited).not.toContain(String(value));
    // Sign-ins are there too: the failed ones with the name as typed and no password.
    const signIns = (await auditRows()).filter((r) => r.event === 'sign_in_failed');
    expect(signIns.map((r) => r.username)).toEqual(expect.arrayContaining(['nobody-here', 'victim']));
    expect(JSON.stringify(await auditRows())).not.toContain('guess-');
    // A forged X-Forwarded-For moves no one's address: no proxy is trusted unless HDW_TRUST_PROXY says so.
    await fetch(`${app.base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ username: 'forged-address', password: 'not-the-password' }),
    });
    const forged = (await auditRows()).find((r) => r.username === 'forged-address');
    expect(forged?.ip).toMatch(/127\.0\.0\.1/);
  });

  it("gives a member its own hospital's cost report and refuses another's", async () => {
    const token = String((await signIn('member_a', passwords.member)).body.token);
    const other = await download(`/api/reports/cost.xlsx?year=2025&hospital=${hospitalB}`, token);
    expect(other.status).toBe(403);
    expect(JSON.parse(other.bytes.toString('utf8'))).toEqual({ error: '只能查看本院的数据' });
    const own = await download(`/api/reports/cost.xlsx?year=2025&hospital=${hospitalA}`, token);
    expect(own.status, app.logLines.filter((l) => l.includes('"level":50')).join('\n')).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(own.bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.length).toBeGreaterThan(3);
    expect(String(workbook.worksheets[0]!.getRow(2).getCell(1).value)).toContain('盐城市东湖中心医院');
    const analyst = String((await signIn('analyst1', passwords.analyst)).body.token);
    expect((await download(`/api/reports/cost.xlsx?year=2025&hospital=${hospitalB}`, analyst)).status).toBe(200);
    const rows = (await auditRows()).filter((r) => r.api === 'report');
    expect(rows.map((r) => [r.username, r.event, r.status])).toEqual([
      ['member_a', 'refused', 403],
      ['member_a', 'download', 200],
      ['analyst1', 'download', 200],
    ]);
  });

  it('shows the audit trail to stewards only, through the access_audit view and hdw audit', async () => {
    process.env.DATABASE_URL = t.url;
    process.env.HDW_LOG_LEVEL = 'silent';
    const graphql = await call('POST', '/cubejs-api/graphql', {
      token: String((await signIn('member_a', passwords.member)).body.token),
      body: { query: '{ cube { department_charge_analysis { line_count hospital_code } } }' },
    });
    expect(graphql.status, JSON.stringify(graphql.body)).toBe(200);
    await addAppUser(pool, { username: 'steward2', role: 'steward', password: 'steward-pass-3456' });
    const steward = String((await signIn('steward2', 'steward-pass-3456')).body.token);
    const query = {
      measures: ['access_audit.event_count'],
      dimensions: ['access_audit.username', 'access_audit.event', 'access_audit.api'],
    };
    for (const who of [String((await signIn('analyst1', passwords.analyst)).body.token), String((await signIn('member_a', passwords.member)).body.token)]) {
      expect(await call('POST', '/cubejs-api/v1/load', { token: who, body: { query } })).toMatchObject({
        status: 403,
        body: { error: 'Forbidden: access_audit is for data stewards only' },
      });
    }
    const answer = await call('POST', '/cubejs-api/v1/load', { token: steward, body: { query } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const seen = (answer.body.data as Row[]).map((r) => `${r['access_audit.username']} ${r['access_audit.event']} ${r['access_audit.api']}`);
    expect(seen).toEqual(
      expect.arrayContaining(['member_a query load', 'member_a download export', 'member_a query graphql', 'victim sign_in_failed session']),
    );
    const graphqlRow = (await auditRows()).find((r) => r.api === 'graphql');
    expect(graphqlRow).toMatchObject({
      username: 'member_a',
      views: ['department_charge_analysis'],
      members: ['department_charge_analysis.line_count', 'department_charge_analysis.hospital_code'],
      row_count: 1,
    });
    const out: string[] = [];
    await auditCommand({ user: 'member_a', limit: 500 }, (text) => void out.push(text));
    const printed = out.join('');
    expect(printed.split('\n')[0]).toMatch(/^时间\t用户\t角色/);
    expect(printed).toMatch(/member_a\tmember\tH32090200001\tsession\tdownload\texport\tdepartment_charge_analysis/);
    expect(printed).not.toMatch(/analyst1/);
  });

  it("gives a member its own hospital's fund report and refuses another's", async () => {
    const token = String((await signIn('member_a', passwords.member)).body.token);
    expect((await download(`/api/reports/fund.xlsx?month=2025-02&hospital=${hospitalB}`, token)).status).toBe(403);
    expect((await download('/api/reports/fund.xlsx?month=2025-13', token)).status).toBe(400);
    const own = await download('/api/reports/fund.xlsx?month=2025-02', token);
    expect(own.status, app.logLines.filter((l) => l.includes('"level":50')).join('\n')).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(own.bytes as unknown as ArrayBuffer);
    expect(String(workbook.worksheets[0]!.getRow(2).getCell(1).value)).toContain('盐城市东湖中心医院');
  });

  it('lets stewards, managers and members on their own flags review violations, nobody else', async () => {
    // Flags as the mart holds them (its rebuild, after a review, makes it again from its inputs).
    const plant = async () => {
      await pool.query('delete from marts.fct_fund_violation_flags');
      await pool.query(
        `insert into marts.fct_fund_violation_flags (flag_key, rule_id, hospital_code, visit_key)
         values ($1, 'FV01', $2, 'k1'), ($3, 'FV01', $4, 'k2'), ($5, 'FV02', $2, 'k1')`,
        [`FV01:${hospitalA}:V1`, hospitalA, `FV01:${hospitalB}:V2`, hospitalB, `FV02:${hospitalA}:V1`],
      );
    };
    await plant();
    const member = String((await signIn('member_a', passwords.member)).body.token);
    const analyst = String((await signIn('analyst1', passwords.analyst)).body.token);
    const review = (token: string, body: unknown) => call('POST', '/api/violations/review', { token, body });
    expect(await review(analyst, { flag_key: `FV01:${hospitalA}:V1`, status: 'confirmed' })).toMatchObject({
      status: 403,
      body: { error: '没有权限' },
    });
    expect(await review(member, { flag_key: `FV01:${hospitalB}:V2`, status: 'confirmed' })).toMatchObject({
      status: 403,
      body: { error: '只能查看本院的数据' },
    });
    expect((await review(member, { flag_key: 'FV01:nope', status: 'confirmed' })).status).toBe(404);
    expect((await review(member, { flag_key: `FV01:${hospitalA}:V1`, status: 'maybe' })).status).toBe(400);
    // Named as the hashed-key view shows it (rule, hospital, visit key), as managers and members do.
    expect((await review(member, { flags: [{ rule_id: 'FV01', hospital_code: hospitalB, visit_key: 'k2' }], status: 'confirmed' })).status).toBe(403);
    expect((await review(member, { flags: [{ rule_id: 'FV01', hospital_code: hospitalA }], status: 'confirmed' })).status).toBe(400);
    expect((await review(member, { flags: [{ rule_id: 'FV09', hospital_code: hospitalA, visit_key: 'k1' }], status: 'confirmed' })).status).toBe(404);
    const byName = await review(member, { flags: [{ rule_id: 'FV02', hospital_code: hospitalA, visit_key: 'k1' }], status: 'confirmed' });
    expect(byName).toMatchObject({ status: 200, body: { reviewed: [`FV02:${hospitalA}:V1`], status: 'confirmed' } });
    await plant();
    const done = await review(member, { flag_keys: [`FV01:${hospitalA}:V1`], status: 'dismissed', note: '已核实' });
    expect(done, app.logLines.filter((l) => l.includes('"level":50')).join('\n')).toMatchObject({
      status: 200,
      body: { reviewed: [`FV01:${hospitalA}:V1`], status: 'dismissed' },
    });
    const { rows } = await pool.query('select flag_key, status, note, reviewed_by from ops.fund_violation_reviews order by flag_key');
    expect(rows).toEqual([
      { flag_key: `FV01:${hospitalA}:V1`, status: 'dismissed', note: '已核实', reviewed_by: 'member_a' },
      { flag_key: `FV02:${hospitalA}:V1`, status: 'confirmed', note: null, reviewed_by: 'member_a' },
    ]);
    const audited = (await auditRows()).filter((r) => r.api === 'violations').map((r) => [r.username, r.event, r.status]);
    expect(audited).toEqual([
      ['analyst1', 'refused', 403],
      ['member_a', 'refused', 403],
      ['member_a', 'refused', 403],
      ['member_a', 'action', 200],
      ['member_a', 'action', 200],
    ]);
  });

  it('adds a user, changes its password and removes it with the hdw user commands', async () => {
    process.env.DATABASE_URL = t.url;
    process.env.HDW_LOG_LEVEL = 'silent';
    const out: string[] = [];
    const io = (password: string): UserCommandIo => ({
      write: (text) => void out.push(text),
      readStdin: async () => `${password}\n`,
    });
    await userAddCommand('steward1', { role: 'steward', display: '数据管理员', passwordStdin: true }, io('first-pass-0001'));
    expect((await signIn('steward1', 'first-pass-0001')).status).toBe(200);
    await userPasswdCommand('steward1', { passwordStdin: true }, io('second-pass-0002'));
    expect((await signIn('steward1', 'first-pass-0001')).status).toBe(401);
    const session = await signIn('steward1', 'second-pass-0002');
    expect(session.body.user).toMatchObject({ username: 'steward1', display_name: '数据管理员', role: 'steward' });
    await userRemoveCommand('steward1', io(''));
    expect((await call('GET', '/api/me', { token: String(session.body.token) })).status).toBe(401);
    expect((await signIn('steward1', 'second-pass-0002')).status).toBe(401);
    // Generated passwords are printed once; hashes never.
    await userAddCommand('member_b', { role: 'member', hospital: hospitalB }, { write: (t) => void out.push(t), readStdin: async () => '' });
    const generated = /password \(shown once\): (\S+)/.exec(out.join(''))?.[1];
    expect(generated).toBeDefined();
    expect((await signIn('member_b', generated!)).body.user).toMatchObject({ hospital_code: hospitalB });
    expect(out.join('')).not.toMatch(/scrypt\$/);
  });

  it('serves the web application, with its index.html for client-side routes but not for API paths', async () => {
    for (const route of ['/', '/drg/performance', '/cost?year=2025']) {
      const response = await fetch(`${app.base}${route}`);
      expect(response.status, route).toBe(200);
      expect(await response.text(), route).toContain('hdw-web');
    }
    const asset = await fetch(`${app.base}/assets/app.js`);
    expect(await asset.text()).toContain('console.log');
    // Hashed assets are kept by the browser for good; index.html is revalidated on every load.
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${app.base}/`)).headers.get('cache-control') ?? '').not.toMatch(/immutable/);
    // A chunk of an older build is a 404, not the index page a module script cannot run.
    expect((await fetch(`${app.base}/assets/gone-1234.js`)).status).toBe(404);
    const missingApi = await fetch(`${app.base}/api/nothing-here`);
    expect(missingApi.status).toBe(404);
    expect(await missingApi.json()).toEqual({ error: '没有这个接口' });
    const health = await fetch(`${app.base}/healthz`);
    expect(((await health.json()) as Row).status).toBe('ok');
    const cube = await fetch(`${app.base}/cubejs-api/v1/nothing`);
    expect(await cube.text()).not.toContain('hdw-web');
  });

  it('creates the demo accounts once, on an empty user table, with their passwords in a 0600 file', async () => {
    expect(await ensureDemoAccounts(pool, config)).toEqual([expect.stringMatching(/hdw user list/)]);
    await pool.query('delete from ops.app_users');
    const banner = await ensureDemoAccounts(pool, config);
    const file = demoAccountsFile(config);
    expect(banner.join('\n')).toContain(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const accounts = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split('\t'));
    const { rows: hospitals } = await pool.query<{ hospital_code: string }>(
      `select hospital_code from ref.hospitals where alliance_id = $1 order by 1`,
      [alliance],
    );
    expect(accounts.map(([username, , role, name]) => [username, role, name]).slice(0, 3)).toEqual([
      ['dean', 'manager', '院长'],
      ['insurance', 'analyst', '医保办'],
      ['steward', 'steward', '数据管理员'],
    ]);
    expect(accounts.slice(3).map(([username, , role]) => [username, role])).toEqual(
      hospitals.map((h) => [h.hospital_code.toLowerCase(), 'member']),
    );
    const dean = accounts.find(([username]) => username === 'dean')!;
    expect((await signIn('dean', dean[1]!)).body.user).toMatchObject({ display_name: '院长', role: 'manager' });
    const member = accounts[3]!;
    expect((await signIn(member[0]!, member[1]!)).body.user).toMatchObject({
      role: 'member',
      hospital_code: member[0]!.toUpperCase(),
    });
    expect(await ensureDemoAccounts(pool, config)).toEqual([`sign in:      with the demo accounts in ${file}`]);
  });
});
