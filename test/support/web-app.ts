import { loadConfig, type Config } from '../../core/config/config.ts';
import { addAppUser } from '../../core/security/app-users.ts';
import { ensureWebBuilt } from '../../ops/web-build.ts';
import { createAppServer } from '../../ops/server/app-server.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { demoWarehouse, type DemoWarehouse } from './demo-warehouse.ts';
import { serveApp, type TestAppServer } from './app-server.ts';
import { createPool } from '../../core/db/database.ts';

export type WebRole = 'manager' | 'analyst' | 'steward' | 'memberA' | 'memberB';

export interface WebUser {
  readonly username: string;
  readonly password: string;
  readonly role: 'manager' | 'analyst' | 'steward' | 'member';
  readonly hospital_code?: string;
}

export interface WebAppOn {
  readonly base: string;
  readonly users: Record<WebRole, WebUser>;
  /** A session token for `user`, through `POST /api/session` as the sign-in page gets it. */
  tokenFor(user: WebUser): Promise<string>;
  /** One Cube query through the REST API with `token` (asking again while Cube answers "Continue wait"). */
  cubeLoad(token: string, query: unknown): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface WebApp extends WebAppOn {
  readonly db: DemoWarehouse;
  readonly logLines: string[];
  /** Waits for the access-audit rows still being written (they are written after the answer). */
  flushAudit(): Promise<void>;
}

const secret = 'web-test-secret-0123456789-abcdefghijkl';

/**
 * The web application as a user meets it: the small demo warehouse, the built pages served by
 * the application server (as `hdw serve`), and one user per role with a known password (members
 * of the demo's first two hospitals).
 */
export async function startWebApp(): Promise<WebApp> {
  const db = await demoWarehouse('small');
  const config = webConfig(db.url);
  const staticDir = await ensureWebBuilt();
  const server: TestAppServer = await serveApp({ config, databaseUrl: db.url, staticDir });
  // Cube 0.33 races itself when many first queries ask for the same cold pre-aggregation at once.
  await server.cube.refreshPreAggregations();
  const on = await withUsers(db.url, server.base);
  return {
    ...on,
    db,
    logLines: server.logLines,
    flushAudit: () => server.flushAudit(),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** The same on a warehouse built elsewhere (the page-load bench's full demo); serves on an ephemeral port. */
export async function startWebAppOn(databaseUrl: string): Promise<WebAppOn> {
  const config = webConfig(databaseUrl);
  const staticDir = await ensureWebBuilt();
  const server = await createAppServer({
    config,
    databaseUrl,
    logger: silentLogger,
    port: 0,
    host: '127.0.0.1',
    docsDir: false,
    staticDir,
    preAggregationRefreshSeconds: 0,
  });
  await server.cube.refreshPreAggregations();
  const on = await withUsers(databaseUrl, server.base);
  return { ...on, close: () => server.close() };
}

function webConfig(databaseUrl: string): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    HDW_JWT_SECRET: secret,
    HDW_LOG_LEVEL: 'silent',
    // Every browser test signs in from 127.0.0.1: the per-address limit would count them all together.
    HDW_SIGNIN_MAX_FAILURES_PER_IP: '1000',
  });
}

async function withUsers(databaseUrl: string, base: string): Promise<Omit<WebAppOn, 'close'>> {
  const pool = createPool(databaseUrl, 2);
  try {
    const { rows } = await pool.query<{ hospital_code: string }>(
      `select hospital_code from ref.hospitals order by hospital_code limit 2`,
    );
    const [a, b] = rows.map((r) => r.hospital_code);
    const wanted: Record<WebRole, WebUser> = {
      manager: { username: 'web_manager', password: 'manager-pass-1', role: 'manager' },
      analyst: { username: 'web_analyst', password: 'analyst-pass-1', role: 'analyst' },
      steward: { username: 'web_steward', password: 'steward-pass-1', role: 'steward' },
      memberA: { username: 'web_member_a', password: 'member-pass-a1', role: 'member', hospital_code: a! },
      memberB: { username: 'web_member_b', password: 'member-pass-b1', role: 'member', hospital_code: b! },
    };
    for (const u of Object.values(wanted)) {
      await pool.query(`delete from ops.app_users where username = $1`, [u.username]);
      await addAppUser(pool, {
        username: u.username,
        role: u.role,
        password: u.password,
        ...(u.hospital_code ? { hospitalCode: u.hospital_code } : {}),
      });
    }
    return { base, users: wanted, tokenFor: (u) => tokenFor(base, u), cubeLoad: (t, q) => cubeLoad(base, t, q) };
  } finally {
    await pool.end();
  }
}

async function tokenFor(base: string, user: WebUser): Promise<string> {
  const response = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token) throw new Error(`sign-in of ${user.username} failed: ${response.status} ${body.error}`);
  return body.token;
}

async function cubeLoad(base: string, token: string, query: unknown): Promise<Record<string, unknown>[]> {
  for (;;) {
    const response = await fetch(`${base}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, {
      headers: { authorization: token },
    });
    const body = (await response.json()) as { data?: Record<string, unknown>[]; error?: string };
    if (body.error === 'Continue wait') continue;
    if (!response.ok || !body.data) throw new Error(`Cube answered ${response.status}: ${body.error}`);
    return body.data;
  }
}
