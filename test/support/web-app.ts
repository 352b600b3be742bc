// Stand-in for the lead's test/support/web-app.ts (not on main yet when this was written), with the
// interface the page helpers' brief gives: the small demo, the app server as `hdw serve` builds it
// (sign-in, exports, reports, Cube) serving the built web application, five users, a token per user
// and Cube queries with it. On a merge conflict take the lead's file.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../core/config/config.ts';
import { addAppUser } from '../../core/security/app-users.ts';
import { ensureWebBuilt } from '../../ops/web-build.ts';
import { serveApp } from './app-server.ts';
import { demoWarehouse } from './demo-warehouse.ts';

type Name = 'manager' | 'analyst' | 'steward' | 'memberA' | 'memberB';
export interface WebUser {
  username: string;
  password: string;
  role: 'manager' | 'analyst' | 'steward' | 'member';
  hospital_code?: string;
}

export async function startWebApp() {
  const [db, dist] = await Promise.all([demoWarehouse(), ensureWebBuilt()]);
  const users: Record<Name, WebUser> = {
    manager: { username: 'manager', password: 'pw-manager-1', role: 'manager' },
    analyst: { username: 'analyst', password: 'pw-analyst-1', role: 'analyst' },
    steward: { username: 'steward', password: 'pw-steward-1', role: 'steward' },
    memberA: { username: 'member-a', password: 'pw-member-a', role: 'member', hospital_code: 'H32090200001' },
    memberB: { username: 'member-b', password: 'pw-member-b', role: 'member', hospital_code: 'H32092100011' },
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  for (const u of Object.values(users))
    await addAppUser(pool, {
      username: u.username,
      role: u.role,
      password: u.password,
      ...(u.hospital_code ? { hospitalCode: u.hospital_code } : {}),
    });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'hdw-web-'));
  const config = loadConfig(
    {
      HDW_JWT_SECRET: 'web-app-shim-secret-0123456789-abcdef',
      HDW_ALLIANCE_ID: 'YH01',
      HDW_DATA_DIR: path.join(folder, 'data'),
      HDW_LOG_LEVEL: 'silent',
      HDW_SIGNIN_MAX_FAILURES_PER_IP: '1000',
    },
    folder,
  );
  const server = await serveApp({ config, databaseUrl: db.url, staticDir: dist });
  // Cube 0.33 races itself when cold pre-aggregations are asked for by many queries at once.
  await server.cube.refreshPreAggregations();
  const base = server.base;
  async function tokenFor(u: WebUser): Promise<string> {
    const r = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.username, password: u.password }),
    });
    return ((await r.json()) as { token: string }).token;
  }
  async function cubeLoad(token: string, query: unknown): Promise<Record<string, unknown>[]> {
    for (;;) {
      const r = await fetch(`${base}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      const body = (await r.json()) as { error?: string; data?: Record<string, unknown>[] };
      if (body.error === 'Continue wait') continue;
      if (!r.ok) throw new Error(`cube ${r.status}: ${body.error}`);
      return body.data ?? [];
    }
  }
  return {
    base,
    db,
    users,
    tokenFor,
    cubeLoad,
    async close() {
      await server.close();
      await pool.end();
      await db.drop();
    },
  };
}
