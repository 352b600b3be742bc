import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../cube/security/token.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  categories,
  closeDeliveries,
  insertChargeRows,
  post,
  startCube,
  type CubeApi,
} from './security-harness.ts';

const secret = 'cube-test-secret-0123456789-abcdefghij';
const view = 'department_charge_analysis';

interface Row {
  readonly hospital: 'H10000000001' | 'H10000000002';
  readonly department: string;
  readonly month: string;
  readonly visit: 'inpatient' | 'outpatient';
  readonly category: keyof typeof categories;
  readonly cents: number;
  readonly lines: number;
}

const hospitals = { H10000000001: ['第一人民医院', '3'], H10000000002: ['城东社区卫生院', '2'] } as const;
const departments: Record<string, string> = { D01: '内科', D02: '外科', D03: '全科' };

// Cents chosen so that float addition would drift (0.10 + 0.20 …); the API must return exact decimals.
const baseRows: readonly Row[] = [
  {
    hospital: 'H10000000001',
    department: 'D01',
    month: '2025-01-01',
    visit: 'inpatient',
    category: '09',
    cents: 123410,
    lines: 10,
  },
  {
    hospital: 'H10000000001',
    department: 'D01',
    month: '2025-01-01',
    visit: 'inpatient',
    category: '10',
    cents: 10020,
    lines: 3,
  },
  {
    hospital: 'H10000000001',
    department: 'D01',
    month: '2025-01-01',
    visit: 'inpatient',
    category: '08',
    cents: 30030,
    lines: 4,
  },
  {
    hospital: 'H10000000001',
    department: 'D02',
    month: '2025-02-01',
    visit: 'outpatient',
    category: '03',
    cents: 10,
    lines: 1,
  },
  {
    hospital: 'H10000000001',
    department: 'D02',
    month: '2025-02-01',
    visit: 'outpatient',
    category: '09',
    cents: 20,
    lines: 1,
  },
  {
    hospital: 'H10000000002',
    department: 'D03',
    month: '2025-01-01',
    visit: 'outpatient',
    category: '09',
    cents: 4510,
    lines: 5,
  },
  {
    hospital: 'H10000000002',
    department: 'D03',
    month: '2025-01-01',
    visit: 'outpatient',
    category: '03',
    cents: 7099,
    lines: 2,
  },
  {
    hospital: 'H10000000002',
    department: 'D03',
    month: '2025-02-01',
    visit: 'outpatient',
    category: '08',
    cents: 1,
    lines: 1,
  },
];

/** Independent expectation: integer cents, formatted as PostgreSQL prints numeric(18,2). */
function money(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
function sumCents(rows: readonly Row[], where: (row: Row) => boolean = () => true): number {
  return rows.filter(where).reduce((total, row) => total + row.cents, 0);
}

const insertRows = (t: TestDatabase, rows: readonly Row[]) =>
  insertChargeRows(t, rows, { hospitals, departments });

function start(t: TestDatabase, modelPath?: string): Promise<CubeApi> {
  return startCube(t, { jwtSecret: secret, allianceId: 'A1', ...(modelPath ? { modelPath } : {}) });
}

type DataRow = Record<string, string | number | boolean | null>;
async function load(base: string, query: unknown, token: string): Promise<DataRow[]> {
  const answer = await post(base, '/v1/load', { query }, token);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data as DataRow[];
}

const byHospital = {
  measures: [
    `${view}.total_charge_amount`,
    `${view}.drug_charge_amount`,
    `${view}.herbal_pieces_charge_amount`,
    `${view}.material_charge_amount`,
    `${view}.line_count`,
    `${view}.drug_charge_ratio`,
    `${view}.drug_charge_ratio_excl_herbal`,
    `${view}.material_charge_ratio`,
  ],
  dimensions: [`${view}.hospital_code`],
  order: { [`${view}.hospital_code`]: 'asc' },
};

function unsigned(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
async function signRaw(payload: Record<string, unknown>, key: string, expiresAt?: number): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (expiresAt !== undefined) jwt.setExpirationTime(expiresAt);
  return jwt.sign(new TextEncoder().encode(key));
}

describe('Cube API (REST + GraphQL) over the charges mart', () => {
  let t: TestDatabase;
  let api: CubeApi;
  let analyst: string;
  let member2: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    await insertRows(t, baseRows);
    api = await start(t);
    analyst = await signToken({ role: 'analyst', alliance_id: 'A1' }, secret);
    member2 = await signToken({ role: 'member', hospital_code: 'H10000000002', alliance_id: 'A1' }, secret);
  });
  afterAll(async () => {
    await api?.close();
    if (t) await closeDeliveries(t);
    await t?.drop();
  });

  it('gives an analyst every hospital with sums exact to the cent and ratios of the sums', async () => {
    const rows = await load(api.base, byHospital, analyst);
    expect(rows.map((row) => row[`${view}.hospital_code`])).toEqual(['H10000000001', 'H10000000002']);
    for (const row of rows) {
      const mine = baseRows.filter((r) => r.hospital === row[`${view}.hospital_code`]);
      const total = sumCents(mine);
      const drug = sumCents(mine, (r) => categories[r.category][1]);
      const herbal = sumCents(mine, (r) => categories[r.category][2]);
      const material = sumCents(mine, (r) => categories[r.category][3]);
      expect(row[`${view}.total_charge_amount`]).toBe(money(total));
      expect(row[`${view}.drug_charge_amount`]).toBe(money(drug));
      expect(row[`${view}.herbal_pieces_charge_amount`]).toBe(money(herbal));
      expect(row[`${view}.material_charge_amount`]).toBe(money(material));
      expect(Number(row[`${view}.line_count`])).toBe(mine.reduce((n, r) => n + r.lines, 0));
      expect(Number(row[`${view}.drug_charge_ratio`])).toBeCloseTo(drug / total, 12);
      expect(Number(row[`${view}.drug_charge_ratio_excl_herbal`])).toBeCloseTo((drug - herbal) / total, 12);
      expect(Number(row[`${view}.material_charge_ratio`])).toBeCloseTo(material / total, 12);
    }
  });

  it('groups by month and department', async () => {
    const rows = await load(
      api.base,
      {
        measures: [`${view}.total_charge_amount`],
        dimensions: [`${view}.hospital_code`, `${view}.department_name`],
        timeDimensions: [{ dimension: `${view}.month`, granularity: 'month' }],
        order: [
          [`${view}.month`, 'asc'],
          [`${view}.hospital_code`, 'asc'],
        ],
      },
      analyst,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        [`${view}.month.month`]: '2025-01-01T00:00:00.000',
        [`${view}.hospital_code`]: 'H10000000001',
        [`${view}.department_name`]: '内科',
        [`${view}.total_charge_amount`]: money(123410 + 10020 + 30030),
      }),
      expect.objectContaining({
        [`${view}.month.month`]: '2025-01-01T00:00:00.000',
        [`${view}.hospital_code`]: 'H10000000002',
        [`${view}.total_charge_amount`]: money(4510 + 7099),
      }),
      expect.objectContaining({
        [`${view}.month.month`]: '2025-02-01T00:00:00.000',
        [`${view}.hospital_code`]: 'H10000000001',
        [`${view}.total_charge_amount`]: money(30),
      }),
      expect.objectContaining({
        [`${view}.month.month`]: '2025-02-01T00:00:00.000',
        [`${view}.hospital_code`]: 'H10000000002',
        [`${view}.total_charge_amount`]: money(1),
      }),
    ]);
  });

  it('shows a member only its own hospital, grouped or not, whatever filter it adds', async () => {
    const grouped = await load(api.base, byHospital, member2);
    expect(grouped.map((row) => row[`${view}.hospital_code`])).toEqual(['H10000000002']);

    const own = money(sumCents(baseRows, (r) => r.hospital === 'H10000000002'));
    const totalOnly = await load(api.base, { measures: [`${view}.total_charge_amount`] }, member2);
    expect(totalOnly).toEqual([{ [`${view}.total_charge_amount`]: own }]);

    const sneaky = await load(
      api.base,
      {
        measures: [`${view}.total_charge_amount`],
        filters: [
          {
            or: [
              { member: `${view}.hospital_code`, operator: 'equals', values: ['H10000000001'] },
              { member: `${view}.hospital_code`, operator: 'set' },
            ],
          },
        ],
      },
      member2,
    );
    expect(sneaky).toEqual([{ [`${view}.total_charge_amount`]: own }]);
  });

  it('refuses queries on the private cube, whoever asks', async () => {
    for (const token of [member2, analyst]) {
      const direct = await post(
        api.base,
        '/v1/load',
        { query: { measures: ['department_charges.total_charge_amount'] } },
        token,
      );
      expect(direct).toEqual({
        status: 403,
        body: { error: 'Forbidden: department_charges is not public, query a view instead' },
      });
    }
  });

  it('lists the view with its Chinese titles and hides the private cube', async () => {
    const response = await fetch(`${api.base}/cubejs-api/v1/meta`, {
      headers: { authorization: `Bearer ${analyst}` },
    });
    expect(response.status).toBe(200);
    const { cubes } = (await response.json()) as {
      cubes: Array<{
        name: string;
        title: string;
        measures: Array<{ name: string; title: string; format?: string }>;
      }>;
    };
    const names = cubes.map((cube) => cube.name);
    expect(names).toContain(view);
    expect(names).not.toContain('department_charges');
    const ratio = cubes
      .find((cube) => cube.name === view)
      ?.measures.find((m) => m.name === `${view}.drug_charge_ratio`);
    expect(ratio).toMatchObject({ title: '科室费用分析 药占比', format: 'percent' });
  });

  it('answers GraphQL for an analyst, and scopes it for a member', async () => {
    const query = `{ cube(orderBy: { ${view}: { hospital_code: asc } }) { ${view} { hospital_code total_charge_amount } } }`;
    const answer = await post(api.base, '/graphql', { query }, analyst);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const data = answer.body.data as {
      cube: Array<Record<string, { hospital_code: string; total_charge_amount: number }>>;
    };
    expect(data.cube.map((entry) => entry[view]?.hospital_code)).toEqual(['H10000000001', 'H10000000002']);
    expect(data.cube[0]?.[view]?.total_charge_amount).toBeCloseTo(
      sumCents(baseRows, (r) => r.hospital === 'H10000000001') / 100,
      2,
    );

    const scoped = await post(api.base, '/graphql', { query }, member2);
    const scopedData = scoped.body.data as { cube: Array<Record<string, { hospital_code: string }>> };
    expect(scopedData.cube.map((entry) => entry[view]?.hospital_code)).toEqual(['H10000000002']);
  });

  it('refuses every token it cannot trust with a bare 403, and never logs the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { role: 'analyst', alliance_id: 'A1' };
    const refused: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['empty bearer', ''],
      ['alg none', unsigned({ ...good, exp: now + 3600 })],
      ['expired', await signRaw(good, secret, now - 60)],
      ['no exp', await signRaw(good, secret)],
      [
        'other secret',
        await signToken({ role: 'analyst', alliance_id: 'A1' }, 'another-secret-0123456789-abcdefghijkl'),
      ],
      ['unknown role', await signRaw({ role: 'admin', alliance_id: 'A1' }, secret, now + 3600)],
      ['member without hospital', await signRaw({ role: 'member', alliance_id: 'A1' }, secret, now + 3600)],
      ['no alliance', await signRaw({ role: 'analyst' }, secret, now + 3600)],
      ['another alliance', await signToken({ role: 'analyst', alliance_id: 'B2' }, secret)],
      ['garbage', 'not-a-jwt'],
    ];
    for (const [label, token] of refused) {
      const load = await post(
        api.base,
        '/v1/load',
        { query: { measures: [`${view}.total_charge_amount`] } },
        token,
      );
      expect(load.status, label).toBe(403);
      expect(Object.keys(load.body), label).toEqual(['error']);
      expect(String(load.body.error), label).toMatch(/^Forbidden: /);
      expect(JSON.stringify(load.body), label).not.toMatch(/\bat .*\.(js|ts):\d+/);

      const graphql = await post(
        api.base,
        '/graphql',
        { query: `{ cube { ${view} { total_charge_amount } } }` },
        token,
      );
      expect(graphql.status, `${label} (graphql)`).toBe(403);
    }

    const warnings = api.logLines
      .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string })
      .filter((line) => line.level === 40);
    expect(warnings.filter((line) => line.msg.includes('refused')).length).toBeGreaterThanOrEqual(
      refused.length,
    );
    expect(warnings.map((line) => line.reason)).toEqual(
      expect.arrayContaining([
        'missing token',
        'token expired',
        'bad signature',
        'token is for another alliance',
      ]),
    );
    const everything = api.logLines.join('\n');
    for (const [label, token] of refused) {
      if (token && token.length > 8)
        expect(everything.includes(token), `log holds the ${label} token`).toBe(false);
    }
    expect(everything.includes(analyst)).toBe(false);
    expect(everything.includes(member2)).toBe(false);
  });

  it('shows rows added after a refresh', async () => {
    const before = await load(api.base, { measures: [`${view}.total_charge_amount`] }, analyst);
    expect(before).toEqual([{ [`${view}.total_charge_amount`]: money(sumCents(baseRows)) }]);
    const added: Row = {
      hospital: 'H10000000002',
      department: 'D03',
      month: '2025-03-01',
      visit: 'inpatient',
      category: '10',
      cents: 101,
      lines: 1,
    };
    await insertRows(t, [added]);
    // A pipeline run publishes: the refresh keys of the cube and its pre-aggregations change.
    await sql`insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`.execute(
      t.db,
    );
    // What `hdw serve` does on its timer: rebuild the pre-aggregations whose refresh key changed.
    await api.cube.refreshPreAggregations();
    const after = await load(
      api.base,
      { measures: [`${view}.total_charge_amount`], renewQuery: true },
      analyst,
    );
    expect(after).toEqual([{ [`${view}.total_charge_amount`]: money(sumCents([...baseRows, added])) }]);
  });
});

describe('Cube row security with a cube that has no hospital_code', () => {
  let t: TestDatabase;
  let api: CubeApi;
  let modelPath: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    await insertRows(t, baseRows);
    modelPath = await mkdtemp(path.join(os.tmpdir(), 'hdw-cube-model-'));
    await cp(fileURLToPath(new URL('../../cube/model', import.meta.url)), modelPath, { recursive: true });
    await writeFile(
      path.join(modelPath, 'charge_categories.yml'),
      `cubes:
  - name: charge_categories
    sql: SELECT DISTINCT charge_category_code, charge_category_name FROM marts.fct_department_charges_monthly
    dimensions:
      - name: charge_category_code
        sql: charge_category_code
        type: string
        primary_key: true
        public: true
    measures:
      - name: count
        type: count
`,
    );
    api = await start(t, modelPath);
  });
  afterAll(async () => {
    await api?.close();
    if (t) await closeDeliveries(t);
    await t?.drop();
    await rm(modelPath, { recursive: true, force: true });
  });

  it('refuses a member outright but answers an analyst', async () => {
    const query = { measures: ['charge_categories.count'] };
    const member = await signToken(
      { role: 'member', hospital_code: 'H10000000001', alliance_id: 'A1' },
      secret,
    );
    const refused = await post(api.base, '/v1/load', { query }, member);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'Forbidden: charge_categories cannot be limited to one hospital' });

    const mixed = await post(
      api.base,
      '/v1/load',
      { query: { measures: ['charge_categories.count', `${view}.total_charge_amount`] } },
      member,
    );
    expect(mixed.status).toBe(403);

    const analyst = await signToken({ role: 'manager', alliance_id: 'A1' }, secret);
    const rows = await load(api.base, query, analyst);
    expect(rows).toEqual([{ 'charge_categories.count': 4 }]);
  });
});
