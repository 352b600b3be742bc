/**
 * Who is asking and what each may see, beyond the members' charges (security-leak.test.ts): RS256
 * tokens from an external issuer next to HS256 ones, refusals logged without the token, data-quality
 * views with steward-only exception detail, and pre-aggregations that member queries still hit.
 */
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../core/db/database.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { grantLogin } from '../../core/security/warehouse-logins.ts';
import { loadJwtPublicKey } from '../../core/security/jwt-public-key.ts';
import { defaultSharingPolicy } from '../../core/security/sharing-policy.ts';
import { signToken } from '../../cube/security/token.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  alliance,
  closeDeliveries,
  createMarts,
  createOpsRows,
  fixtureRows,
  hospitalA,
  hospitalB,
  hospitals,
  payloadMarker,
  post,
  secret,
  secureWarehouse,
  startCube,
  type CubeApi,
} from './security-harness.ts';

type Row = Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

describe('tokens, data-quality access and pre-aggregations', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let api: CubeApi;
  let privateKey: CryptoKey;
  let otherPrivateKey: CryptoKey;
  let publicPem: string;

  const rs256 = (payload: Record<string, unknown>, key: CryptoKey, exp = now() + 600) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime(exp).sign(key);
  const token = (role: 'analyst' | 'manager' | 'steward' | 'member', hospital?: string) =>
    signToken({ role, alliance_id: alliance, ...(hospital ? { hospital_code: hospital } : {}) }, secret);
  const load = (query: unknown, bearer: string) => post(api.base, '/v1/load', { query }, bearer);

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
    await createMarts(t, fixtureRows());
    await createOpsRows(t);
    await pool.query(
      `insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`,
    );
    await secureWarehouse(pool, defaultSharingPolicy);
    otherPrivateKey = (await generateKeyPair('RS256')).privateKey;
    const issuer = await generateKeyPair('RS256', { extractable: true });
    privateKey = issuer.privateKey;
    publicPem = (await loadJwtPublicKey(await exportSPKI(issuer.publicKey)))!;
    api = await startCube(t, { jwtPublicKey: publicPem });
  });
  afterAll(async () => {
    await api?.close();
    await pool?.end();
    if (t) await closeDeliveries(t);
    await t?.drop();
  });

  it('accepts RS256 tokens of the configured issuer next to HS256 ones', async () => {
    const query = {
      measures: ['department_charge_analysis.line_count'],
      dimensions: ['department_charge_analysis.hospital_code'],
    };
    const viaRsa = await load(
      query,
      await rs256({ role: 'member', hospital_code: hospitalB, alliance_id: alliance }, privateKey),
    );
    expect(viaRsa.status, JSON.stringify(viaRsa.body)).toBe(200);
    expect((viaRsa.body.data as Row[]).map((r) => r['department_charge_analysis.hospital_code'])).toEqual([
      hospitalB,
    ]);
    const viaSecret = await load(query, await token('analyst'));
    expect((viaSecret.body.data as Row[]).length).toBe(3);
  });

  it('refuses unsigned, expired, foreign-signed, confused and unknown-role tokens with a bare 403, logging no token', async () => {
    const good = { role: 'analyst', alliance_id: alliance };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const refused: Array<[string, string, string]> = [
      [
        'unsigned',
        `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...good, exp: now() + 600 })}.`,
        'signing algorithm not allowed',
      ],
      ['expired RS256', await rs256(good, privateKey, now() - 60), 'token expired'],
      ['RS256 of another issuer', await rs256(good, otherPrivateKey), 'bad signature'],
      [
        'HS256 signed with another secret',
        await signToken({ role: 'analyst', alliance_id: alliance }, 'another-secret-0123456789-abcdefghijkl'),
        'bad signature',
      ],
      [
        'HS256 keyed with the public key (algorithm confusion)',
        await new SignJWT(good)
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime(now() + 600)
          .sign(new TextEncoder().encode(publicPem)),
        'bad signature',
      ],
      [
        'unknown role',
        await rs256({ role: 'admin', alliance_id: alliance }, privateKey),
        'invalid security context (role: unknown or missing role)',
      ],
      [
        'HS512',
        await new SignJWT(good)
          .setProtectedHeader({ alg: 'HS512' })
          .setExpirationTime(now() + 600)
          .sign(new TextEncoder().encode(secret)),
        'signing algorithm not allowed',
      ],
    ];
    for (const [label, bearer, reason] of refused) {
      for (const route of ['/v1/load', '/graphql']) {
        const body =
          route === '/graphql'
            ? { query: '{ cube { department_charge_analysis { line_count } } }' }
            : { query: { measures: ['department_charge_analysis.line_count'] } };
        const answer = await post(api.base, route, body, bearer);
        expect(answer.status, `${label} ${route}`).toBe(403);
        expect(answer.body, `${label} ${route}`).toEqual({ error: `Forbidden: ${reason}` });
      }
    }
    const log = api.logLines.join('\n');
    const reasons = api.logLines
      .map((line) => JSON.parse(line) as { level: number; reason?: string })
      .filter((l) => l.level === 40)
      .map((l) => l.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['token expired', 'bad signature', 'signing algorithm not allowed']),
    );
    for (const [label, bearer] of refused) {
      expect(log.includes(bearer), `log holds the ${label} token`).toBe(false);
      expect(log.includes(bearer.split('.')[2] || bearer), `log holds the ${label} signature`).toBe(false);
    }
  });

  it('refuses a member login for a hospital that is not in the alliance', async () => {
    await expect(
      grantLogin(pool, silentLogger, { kind: 'member', hospitalCode: 'H99999999999' }),
    ).rejects.toMatchObject({ code: 'E_LOGIN_HOSPITAL' });
  });

  it('shows exception detail and quarantined payloads to stewards only', async () => {
    const review = {
      dimensions: [
        'exception_review.hospital_code',
        'exception_review.record_key',
        'exception_review.quarantined_payload',
      ],
      measures: ['exception_review.exception_count'],
    };
    const payloadOnly = { dimensions: ['exception_review.rule_id'] };
    for (const who of [await token('analyst'), await token('manager'), await token('member', hospitalA)]) {
      for (const query of [review, payloadOnly]) {
        expect(await load(query, who)).toEqual({
          status: 403,
          body: { error: 'Forbidden: exception_review is for data stewards only' },
        });
      }
      const graphql = await post(
        api.base,
        '/graphql',
        { query: '{ cube { exception_review { quarantined_payload } } }' },
        who,
      );
      expect(JSON.stringify(graphql.body)).not.toContain(payloadMarker);
    }
    const steward = await load(review, await token('steward'));
    expect(steward.status).toBe(200);
    const payloads = (steward.body.data as Row[])
      .map((r) => r['exception_review.quarantined_payload'])
      .filter(Boolean);
    expect(payloads).toHaveLength(hospitals.length);
    expect(String(payloads[0])).toContain(payloadMarker);
  });

  it('gives members their own hospital of the data-quality views, analysts the alliance', async () => {
    const byHospital = (view: string, measure: string) => ({
      measures: [`${view}.${measure}`],
      dimensions: [`${view}.hospital_code`],
    });
    for (const [view, measure] of [
      ['data_quality', 'exception_count'],
      ['batch_reconciliation', 'rows_quarantined'],
      ['source_freshness', 'hours_since_last_load'],
      ['rule_pass_rates', 'pass_rate'],
    ] as const) {
      const member = await load(byHospital(view, measure), await token('member', hospitalA));
      expect(member.status, JSON.stringify(member.body)).toBe(200);
      expect((member.body.data as Row[]).map((r) => r[`${view}.hospital_code`])).toEqual([hospitalA]);
      const analyst = await load(byHospital(view, measure), await token('analyst'));
      expect((analyst.body.data as Row[]).length, view).toBe(hospitals.length);
    }
    const counts = await load(
      {
        measures: ['data_quality.exception_count', 'data_quality.blocking_exception_count'],
        dimensions: ['data_quality.rule_id'],
        timeDimensions: [{ dimension: 'data_quality.detected_at', granularity: 'day' }],
      },
      await token('member', hospitalB),
    );
    expect(
      (counts.body.data as Row[])
        .map((r) => [
          r['data_quality.rule_id'],
          Number(r['data_quality.exception_count']),
          Number(r['data_quality.blocking_exception_count']),
        ])
        .sort(),
    ).toEqual([
      ['price_deviation', 2, 0],
      ['required_fields', 2, 2],
    ]);
    // Model runs carry no hospital: members are refused, analysts see the blocked runs too.
    const runs = { measures: ['model_run_outcomes.run_count', 'model_run_outcomes.failed_run_count'] };
    expect(await load(runs, await token('member', hospitalA))).toEqual({
      status: 403,
      body: { error: 'Forbidden: model_run_outcomes cannot be limited to one hospital' },
    });
    expect((await load(runs, await token('analyst'))).status).toBe(200);
    const reconciled = await load(
      { measures: ['batch_reconciliation.unreconciled_batch_count', 'batch_reconciliation.quarantine_rate'] },
      await token('analyst'),
    );
    expect(reconciled.body.data).toEqual([
      {
        'batch_reconciliation.unreconciled_batch_count': 0,
        'batch_reconciliation.quarantine_rate': expect.anything(),
      },
    ]);
  });

  it('answers the dashboard queries of analysts and members from the pre-aggregations', async () => {
    await api.cube.refreshPreAggregations();
    const tables = await pool.query(
      `select table_name from information_schema.tables where table_schema = 'cube_pre_aggregations'`,
    );
    expect(tables.rows.map((r: { table_name: string }) => r.table_name).join(' ')).toMatch(
      /department_charges_by_dept_.*department_charges_by_cat_|department_charges_by_cat_.*department_charges_by_dept_/,
    );
    const v = 'department_charge_analysis';
    const dashboard = [
      {
        measures: [`${v}.total_charge_amount`, `${v}.drug_charge_ratio`, `${v}.material_charge_ratio`],
        dimensions: [`${v}.hospital_name`],
      },
      {
        measures: [`${v}.total_charge_amount`, `${v}.drug_charge_ratio`],
        timeDimensions: [{ dimension: `${v}.month`, granularity: 'month' }],
      },
      {
        measures: [`${v}.total_charge_amount`, `${v}.line_count`],
        dimensions: [`${v}.department_name`, `${v}.visit_type`],
        order: { [`${v}.total_charge_amount`]: 'desc' },
        limit: 10,
      },
      {
        measures: [`${v}.total_charge_amount`],
        dimensions: [`${v}.charge_category_name`],
        filters: [{ member: `${v}.visit_type`, operator: 'equals', values: ['inpatient'] }],
      },
    ];
    const memberToken = await token('member', hospitalA);
    for (const bearer of [await token('analyst'), memberToken]) {
      for (const query of dashboard) {
        const answer = await load(query, bearer);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        // Cube 0.33 does not report this in /load; /sql shows the SQL that very query runs.
        const plan = (await post(api.base, '/v1/sql', { query }, bearer)).body.sql as {
          sql: [string, unknown[]];
        };
        expect(plan.sql[0], JSON.stringify(query)).toMatch(
          /FROM cube_pre_aggregations\.department_charges_by_(dept|cat)/,
        );
        if (bearer === memberToken) expect(plan.sql[0]).toMatch(/"department_charges__hospital_code" = \$\d/);
      }
    }
  });
});
