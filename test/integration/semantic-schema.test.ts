/**
 * The `semantic` schema answers SQL the way Cube answers the same question, for every Cube view,
 * through PostgreSQL logins of each kind; managers see aggregates only; `hdw revoke` drops a login;
 * the views follow the marts through a rebuild.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../core/db/database.ts';
import { projectPaths } from '../../core/paths.ts';
import { readCubeModel } from '../../core/semantic/cube-model.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { defaultSharingPolicy } from '../../core/security/sharing-policy.ts';
import { LoginError, revokeLogin } from '../../core/security/warehouse-logins.ts';
import { signToken } from '../../cube/security/token.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  alliance,
  asLogin,
  closeDeliveries,
  createLogin,
  createMarts,
  createOpsRows,
  dropLogins,
  fixtureRows,
  hospitalA,
  hospitals,
  insertChargeRows,
  post,
  secret,
  secureWarehouse,
  startCube,
  type CubeApi,
  type Login,
} from './security-harness.ts';

type Row = Record<string, unknown>;
type Role = 'analyst' | 'manager' | 'steward' | 'member';

interface Question {
  readonly view: string;
  readonly dimensions: readonly string[];
  readonly sums: readonly string[];
  readonly ratios: ReadonlyArray<{ name: string; numerator: string; denominator: string }>;
}

const formula = /（([a-z_0-9]+)）= sum\(([a-z_0-9]+)\) \/ nullif\(sum\(([a-z_0-9]+)\), 0\)/g;

/** Answers as comparable text: numbers to 6 decimals, everything else as it prints. */
function normalise(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
        ? Number(value)
        : undefined;
  return number === undefined ? String(value) : number.toFixed(6);
}

describe('the semantic schema gives Cube’s answers in SQL', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let api: CubeApi;
  const logins: Partial<Record<Role, Login>> = {};
  let questions: Question[] = [];

  const token = (role: Role) =>
    signToken(
      { role, alliance_id: alliance, ...(role === 'member' ? { hospital_code: hospitalA } : {}) },
      secret,
    );

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
    await createMarts(t, fixtureRows());
    await createOpsRows(t);
    await pool.query(
      `insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`,
    );
    await secureWarehouse(pool, defaultSharingPolicy);
    for (const role of ['analyst', 'manager', 'steward', 'member'] as const) {
      logins[role] = await createLogin(pool, t, role, 'sem', role === 'member' ? hospitalA : undefined);
    }
    api = await startCube(t);
    const { rows } = await pool.query<{ view: string; comment: string; columns: string[]; types: string[] }>(`
      select c.relname as view, obj_description(c.oid, 'pg_class') as comment,
             array_agg(a.attname::text order by a.attnum) as columns,
             array_agg(format_type(a.atttypid, a.atttypmod) order by a.attnum) as types
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
      where n.nspname = 'semantic' and c.relkind = 'v' group by c.oid, c.relname order by 1`);
    questions = rows.map((row) => {
      const ratios = [...row.comment.matchAll(formula)].map((m) => ({
        name: m[1]!,
        numerator: m[2]!,
        denominator: m[3]!,
      }));
      const additive = new Set(ratios.flatMap((r) => [r.numerator, r.denominator]));
      const numericColumns = row.columns.filter(
        (c, i) => /numeric|bigint|integer/.test(row.types[i]!) && !/_id$/.test(c),
      );
      const sums = numericColumns.filter((c) => additive.has(c) || /count|amount|rows_/.test(c));
      const dimensions = row.columns.filter(
        (c, i) =>
          !numericColumns.includes(c) &&
          /text|boolean|character/.test(row.types[i]!) &&
          !/payload|message|record_key|source_file/.test(c),
      );
      const preferred = dimensions.includes('hospital_code')
        ? ['hospital_code', ...dimensions.filter((d) => d !== 'hospital_code')]
        : dimensions;
      return { view: row.view, dimensions: preferred.slice(0, 2), sums, ratios };
    });
  });
  afterAll(async () => {
    await api?.close();
    await pool?.end();
    if (t) await closeDeliveries(t);
    await t?.drop();
    await dropLogins(Object.values(logins));
  });

  it('has one view per Cube view, with Chinese column comments', async () => {
    const cubeViews = (await readCubeModel(projectPaths.cubeModel)).flatMap((f) =>
      f.views.map((v) => v.name),
    );
    expect(questions.map((q) => q.view).sort()).toEqual([...cubeViews].sort());
    expect(cubeViews).toEqual(
      expect.arrayContaining(['department_charge_analysis', 'alliance_charge_benchmark']),
    );
    const { rows } = await pool.query<{ comment: string }>(
      `select col_description('semantic.department_charge_analysis'::regclass, a.attnum) as comment
       from pg_attribute a where a.attrelid = 'semantic.department_charge_analysis'::regclass and a.attname = $1`,
      ['hospital_name'],
    );
    expect(rows[0]?.comment).toMatch(/^医院名称：/);
  });

  for (const role of ['analyst', 'member', 'manager', 'steward'] as const) {
    it(`answers a BI query per view as Cube does, through a ${role}'s login`, async () => {
      const bearer = await token(role);
      const answered = new Set<string>();
      for (const q of questions) {
        expect(q.dimensions.length, q.view).toBeGreaterThan(0);
        const select = [
          ...q.dimensions,
          ...q.sums.map((s) => `sum(${s}) as ${s}`),
          ...q.ratios.map((r) => `sum(${r.numerator}) / nullif(sum(${r.denominator}), 0) as ${r.name}`),
        ].join(', ');
        const groups = q.dimensions.map((_, i) => i + 1).join(', ');
        const cube = await post(
          api.base,
          '/v1/load',
          {
            query: {
              dimensions: q.dimensions.map((d) => `${q.view}.${d}`),
              measures: [...q.sums, ...q.ratios.map((r) => r.name)].map((m) => `${q.view}.${m}`),
              limit: 50000,
            },
          },
          bearer,
        );
        const sqlAnswer = await asLogin(logins[role]!, (client) =>
          client.query<Row>(`select ${select} from semantic.${q.view} group by ${groups}`).then(
            (r) => r.rows,
            (error: Error) => error,
          ),
        );
        if (cube.status === 403) {
          expect(sqlAnswer, `${role} ${q.view}: Cube refuses, SQL must too`).toBeInstanceOf(Error);
          expect(String((sqlAnswer as Error).message)).toMatch(/permission denied/);
          continue;
        }
        expect(cube.status, `${role} ${q.view}: ${JSON.stringify(cube.body)}`).toBe(200);
        expect(sqlAnswer, `${role} ${q.view}: ${String(sqlAnswer)}`).not.toBeInstanceOf(Error);
        const key = (row: Row, prefix: string) =>
          q.dimensions.map((d) => normalise(row[`${prefix}${d}`])).join('|');
        const figures = (row: Row, prefix: string) =>
          [...q.sums, ...q.ratios.map((r) => r.name)].map((m) => normalise(row[`${prefix}${m}`]));
        const fromCube = new Map(
          (cube.body.data as Row[]).map((row) => [key(row, `${q.view}.`), figures(row, `${q.view}.`)]),
        );
        const fromSql = new Map((sqlAnswer as Row[]).map((row) => [key(row, ''), figures(row, '')]));
        expect(fromSql, `${role} ${q.view}`).toEqual(fromCube);
        // The fixture fills the charges, cost and data-quality marts; the DRG marts stay empty here
        // (they are compared on the demo in security-leak.test.ts).
        if (fromSql.size > 0) answered.add(q.view);
      }
      expect([...answered]).toEqual(
        expect.arrayContaining([
          'department_charge_analysis',
          'department_cost_analysis',
          'unit_cost_analysis',
        ]),
      );
    });
  }

  it('keeps a member to its own hospital, except in the shared aggregate', async () => {
    const own = await asLogin(logins.member!, (client) =>
      client.query<{ hospital_code: string }>(
        'select distinct hospital_code from semantic.department_charge_analysis',
      ),
    );
    expect(own.rows.map((r) => r.hospital_code)).toEqual([hospitalA]);
    const shared = await asLogin(logins.member!, (client) =>
      client.query<{ n: string }>(
        'select count(distinct hospital_code)::text as n from semantic.alliance_charge_benchmark',
      ),
    );
    expect(Number(shared.rows[0]!.n)).toBe(hospitals.length);
  });

  it('lets no login read the salt of the person keys (ops.key_salt), drawn once per warehouse', async () => {
    for (const role of ['analyst', 'manager', 'steward', 'member'] as const)
      await asLogin(logins[role]!, async (client) => {
        await expect(client.query('select salt from ops.key_salt'), role).rejects.toThrow(
          /permission denied/,
        );
      });
    const { rows } = await pool.query<{ salt: string }>('select salt from ops.key_salt');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.salt).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives managers every hospital’s aggregates but no mart table, no exception detail, no ungrouped rows', async () => {
    await asLogin(logins.manager!, async (client) => {
      const all = await client.query(
        'select distinct hospital_code from semantic.department_charge_analysis',
      );
      expect(all.rowCount).toBe(hospitals.length);
      await expect(
        client.query('select 1 from marts.fct_department_charges_monthly limit 1'),
      ).rejects.toThrow(/permission denied/);
      await expect(client.query('select 1 from semantic.exception_review limit 1')).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query('select 1 from ops.batches limit 1')).rejects.toThrow(/permission denied/);
    });
    const manager = await token('manager');
    const review = await post(
      api.base,
      '/v1/load',
      { query: { measures: ['exception_review.exception_count'] } },
      manager,
    );
    expect(review.status).toBe(403);
    const rows = await post(
      api.base,
      '/v1/load',
      { query: { dimensions: ['department_charge_analysis.hospital_code'], ungrouped: true } },
      manager,
    );
    expect(rows.body).toEqual({ error: 'Forbidden: managers see aggregates only, not ungrouped rows' });
  });

  it('follows the marts through a rebuild', async () => {
    const before = await asLogin(logins.analyst!, (c) =>
      c.query<{ total: string }>(
        'select sum(total_charge_amount)::text as total from semantic.department_charge_analysis',
      ),
    );
    await insertChargeRows(
      t,
      [
        {
          hospital: hospitalA,
          department: 'D01',
          month: '2025-04-01',
          visit: 'inpatient',
          category: '09',
          cents: 12345,
          lines: 2,
        },
      ],
      { hospitals: {}, departments: { D01: '内科' } },
    );
    const after = await asLogin(logins.analyst!, (c) =>
      c.query<{ total: string }>(
        'select sum(total_charge_amount)::text as total from semantic.department_charge_analysis',
      ),
    );
    expect(Number(after.rows[0]!.total) - Number(before.rows[0]!.total)).toBeCloseTo(123.45, 2);
  });

  it('revokes a login made by hdw grant, and refuses a name it did not make', async () => {
    const extra = await createLogin(pool, t, 'analyst', 'gone');
    await asLogin(extra, (c) => c.query('select 1'));
    const revoked = await revokeLogin(pool, silentLogger, extra.roleName);
    expect(revoked).toMatchObject({ roleName: extra.roleName, kind: 'analyst' });
    await expect(asLogin(extra, (c) => c.query('select 1'))).rejects.toThrow();
    const unknown = revokeLogin(pool, silentLogger, 'hdw_nobody_here');
    await expect(unknown).rejects.toBeInstanceOf(LoginError);
    await expect(revokeLogin(pool, silentLogger, 'hdw_nobody_here')).rejects.toThrow(
      'no login hdw_nobody_here made by hdw grant in this warehouse (nothing revoked)',
    );
    await expect(revokeLogin(pool, silentLogger, 'hdw_analyst')).rejects.toMatchObject({
      code: 'E_LOGIN_UNKNOWN',
    });
  });
});
