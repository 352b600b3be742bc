/**
 * Data quality as models: the `fct_data_quality_*` marts, built by the engine from the ops ledger,
 * agree with counts computed here from the very rows inserted (replaced batches count nowhere but
 * in the reconciliation list; 'current' periods never pass for the latest month); exception detail
 * is for stewards only in PostgreSQL too; `hdw source freshness` judges fresh and stale sources by
 * the thresholds declared on them, exits 1 on an error, and the freshness mart shows its result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../core/engine/load-definitions.ts';
import { selectModels } from '../../core/engine/selection.ts';
import { freshnessExpectations, type FreshnessExpectationOf } from '../../core/engine/source-freshness.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths, projectRoot } from '../../core/paths.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { defaultSharingPolicy } from '../../core/security/sharing-policy.ts';
import { applyWarehouseSecurity } from '../../core/security/warehouse-security.ts';
import { buildDataQualityModels, failingDataQualityTests } from '../support/data-quality.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { asLogin, createLogin, dropLogins, type Login } from './security-harness.ts';
import { createPool } from '../../core/db/database.ts';

const [H1, H2] = ['H32090200001', 'H32092100011'] as const;

interface BatchFixture {
  readonly key: string;
  readonly source: string;
  readonly hospital: string;
  readonly period: string;
  readonly status: 'loaded' | 'replaced';
  readonly replaces?: string;
  /** 'fresh' | 'warn' | 'stale' relative to the thresholds declared on the source. */
  readonly age: 'fresh' | 'warn' | 'stale';
  readonly rows: readonly [
    read: number,
    loaded: number,
    quarantined: number,
    duplicate: number,
    warned: number,
  ];
  readonly flagged?: readonly string[];
}

const batches: readonly BatchFixture[] = [
  {
    key: 'jan',
    source: 'his.charge_lines',
    hospital: H1,
    period: '2025-01',
    status: 'loaded',
    age: 'fresh',
    rows: [10, 7, 2, 1, 2],
    flagged: ['unknown_item_code'],
  },
  {
    key: 'febOld',
    source: 'his.charge_lines',
    hospital: H1,
    period: '2025-02',
    status: 'replaced',
    age: 'fresh',
    rows: [5, 3, 2, 0, 0],
  },
  {
    key: 'febNew',
    source: 'his.charge_lines',
    hospital: H1,
    period: '2025-02',
    status: 'loaded',
    replaces: 'febOld',
    age: 'fresh',
    rows: [6, 5, 1, 0, 0],
  },
  {
    key: 'dept',
    source: 'his.departments',
    hospital: H1,
    period: 'current',
    status: 'loaded',
    age: 'warn',
    rows: [4, 4, 0, 0, 0],
  },
  {
    key: 'dec',
    source: 'his.charge_lines',
    hospital: H2,
    period: '2025-12',
    status: 'loaded',
    age: 'stale',
    rows: [3, 3, 0, 0, 1],
  },
  {
    key: 'inc',
    source: 'his.outpatient_visits',
    hospital: H2,
    period: '2025-01-01 00:00:00..2025-01-31 23:59:59',
    status: 'loaded',
    age: 'fresh',
    rows: [2, 2, 0, 0, 0],
  },
];

// [batch, rule, severity, line, days before today it was found, resolved by a replay]
const exceptions: ReadonlyArray<readonly [string, string, 'blocking' | 'warning', number, number, boolean]> =
  [
    ['jan', 'unknown_item_code', 'blocking', 2, 1, false],
    ['jan', 'required_fields', 'blocking', 3, 1, true],
    ['jan', 'unit_price_deviation', 'warning', 5, 1, false],
    ['jan', 'unit_price_deviation', 'warning', 6, 0, false],
    ['febOld', 'unknown_item_code', 'blocking', 2, 2, false],
    ['febOld', 'required_fields', 'blocking', 4, 2, false],
    ['febNew', 'unknown_item_code', 'blocking', 2, 0, false],
    ['dec', 'unit_price_deviation', 'warning', 1, 0, false],
  ];
// [batch, line, rules, status]
const quarantine: ReadonlyArray<readonly [string, number, readonly string[], string]> = [
  ['jan', 2, ['unknown_item_code'], 'quarantined'],
  ['jan', 3, ['required_fields'], 'replayed'],
  ['febOld', 2, ['unknown_item_code'], 'discarded'],
  ['febOld', 4, ['required_fields'], 'discarded'],
  ['febNew', 2, ['unknown_item_code'], 'quarantined'],
];
// [batch, rule, severity, checked, failed, flagged]
const ruleResults: ReadonlyArray<readonly [string, string, 'blocking' | 'warning', number, number, boolean]> =
  [
    ['jan', 'unknown_item_code', 'blocking', 10, 1, true],
    ['jan', 'required_fields', 'blocking', 10, 1, false],
    ['jan', 'unit_price_deviation', 'warning', 10, 2, false],
    ['febOld', 'unknown_item_code', 'blocking', 5, 1, false],
    ['febOld', 'required_fields', 'blocking', 5, 1, false],
    ['febNew', 'unknown_item_code', 'blocking', 6, 1, false],
    ['dec', 'unit_price_deviation', 'warning', 3, 1, false],
    ['dept', 'required_fields', 'blocking', 4, 0, false],
  ];

const active = (key: string) => batches.find((b) => b.key === key)!.status === 'loaded';
const batchOf = (key: string) => batches.find((b) => b.key === key)!;
const daysAgo = (days: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};

describe('data-quality marts and source freshness', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let expectations: FreshnessExpectationOf[];
  const ids = new Map<string, number>();
  let blockedRun: number;
  const logins: Login[] = [];
  const mart = async (query: string, values: unknown[] = []) => (await pool.query(query, values)).rows;

  /** Hours before now a batch of `source` was loaded, so that it is fresh, warned or stale by its declaration. */
  const hoursAgo = (source: string, age: BatchFixture['age']) => {
    const e = expectations.find((x) => x.source === source)!;
    return age === 'fresh'
      ? e.warnAfterHours / 2
      : age === 'warn'
        ? (e.warnAfterHours + e.errorAfterHours) / 2
        : e.errorAfterHours * 1.5;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    const { sources } = await loadDefinitions(projectPaths.models, []);
    expectations = freshnessExpectations(sources.map((s) => s.definition));

    for (const b of batches) {
      const [read, loaded, quarantined, duplicate, warned] = b.rows;
      const { rows } = await pool.query<{ batch_id: number }>(
        `insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status,
           rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_warned, flagged_rules, replaces_batch_id, loaded_at)
         values ($1, $2, $3, $4, $5, 'utf-8', $6, $7, $8, $9, $10, $11, $12, $13, now() - make_interval(secs => $14 * 3600))
         returning batch_id`,
        [
          b.source,
          b.hospital,
          b.period,
          `${b.hospital}/${b.key}.csv`,
          `sha-${b.key}`,
          b.status,
          read,
          loaded,
          quarantined,
          duplicate,
          warned,
          b.flagged ?? [],
          b.replaces ? ids.get(b.replaces) : null,
          hoursAgo(b.source, b.age),
        ],
      );
      ids.set(b.key, rows[0]!.batch_id);
    }
    for (const [key, rule, severity, line, days, resolved] of exceptions) {
      const b = batchOf(key);
      await pool.query(
        `insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message, created_at, resolved_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'broken', $9::date + time '12:00', case when $10 then now() end)`,
        [
          ids.get(key),
          rule,
          severity,
          b.source,
          b.hospital,
          `${b.hospital}/${key}.csv`,
          line,
          `K-${key}-${line}`,
          daysAgo(days),
          resolved,
        ],
      );
    }
    for (const [key, line, rules, status] of quarantine) {
      const b = batchOf(key);
      await pool.query(
        `insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          ids.get(key),
          b.source,
          b.hospital,
          `${b.hospital}/${key}.csv`,
          line,
          `K-${key}-${line}`,
          rules,
          JSON.stringify({ secret: `P-${key}-${line}` }),
          status,
        ],
      );
    }
    for (const [key, rule, severity, checked, failed, flagged] of ruleResults) {
      await pool.query(
        `insert into ops.batch_rule_results (batch_id, rule_id, category, severity, rows_checked, rows_failed, threshold, flagged)
         values ($1, $2, 'validity', $3, $4, $5, 0.05, $6)`,
        [ids.get(key), rule, severity, checked, failed, flagged],
      );
    }
    // A blocked run: a model that did not build and a test that failed, next to a success.
    const { rows: job } = await pool.query<{ run_id: number }>(
      `insert into ops.job_runs (job, status, finished_at) values ('build', 'failed', now()) returning run_id`,
    );
    await pool.query(
      `insert into ops.model_runs (job_run_id, model, status, kind, rows, duration_ms, message) values
         ($1, 'fct_ok', 'success', 'build', 10, 5, null),
         ($1, 'fct_broken', 'error', 'build', null, 7, 'division by zero'),
         ($1, 'fct_ok.not_null_id', 'fail', 'test', 3, 2, '3 failing rows')`,
      [job[0]!.run_id],
    );
    blockedRun = job[0]!.run_id;
    await buildDataQualityModels(pool);
    await applyWarehouseSecurity(pool, silentLogger, defaultSharingPolicy);
  });

  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    await dropLogins(logins);
  });

  it('passes the tests declared on the data-quality models', async () => {
    expect(await failingDataQualityTests(pool)).toEqual([]);
  });

  it('returns exactly the columns each data-quality model declares', async () => {
    const project = await loadProject();
    const models = selectModels(project, 'tag:data_quality');
    expect(models.map((m) => m.definition.name)).toEqual(
      expect.arrayContaining(['fct_data_quality_rule_pass_rates', 'fct_data_quality_source_freshness']),
    );
    for (const m of models) {
      const { rows } = await pool.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
        [m.schema, m.definition.name],
      );
      expect(
        rows.map((r) => r.column_name),
        m.definition.name,
      ).toEqual(Object.keys(m.definition.columns));
    }
  });

  it('gives rule pass rates of active batches, as computed from the rule results', async () => {
    const expected = new Map<string, { checked: number; failed: number }>();
    for (const [key, rule, , checked, failed] of ruleResults) {
      if (!active(key)) continue;
      const e = expected.get(rule) ?? { checked: 0, failed: 0 };
      expected.set(rule, { checked: e.checked + checked, failed: e.failed + failed });
    }
    const rows = await mart(
      `select rule_id, sum(rows_checked)::int as checked, sum(rows_failed)::int as failed,
              round(1 - sum(rows_failed)::numeric / sum(rows_checked), 6)::float8 as pass_rate
       from marts.fct_data_quality_rule_pass_rates group by 1 order by 1`,
    );
    expect(rows).toEqual(
      [...expected]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([rule, e]) => ({
          rule_id: rule,
          checked: e.checked,
          failed: e.failed,
          pass_rate: Number((1 - e.failed / e.checked).toFixed(6)),
        })),
    );
    expect(
      await mart(`select count(*)::int as n from marts.fct_data_quality_rule_pass_rates where is_flagged`),
    ).toEqual([{ n: 1 }]);
  });

  it('counts exceptions by source, rule, hospital and day for active batches only', async () => {
    const expected = new Map<string, { exceptions: number; open: number; quarantined: number }>();
    for (const [key, rule, , line, days, resolved] of exceptions) {
      if (!active(key)) continue;
      const b = batchOf(key);
      const id = [b.source, rule, b.hospital, daysAgo(days)].join(' ');
      const held = quarantine.some(
        ([k, l, rules, status]) =>
          k === key && l === line && rules.includes(rule) && status === 'quarantined',
      );
      const e = expected.get(id) ?? { exceptions: 0, open: 0, quarantined: 0 };
      expected.set(id, {
        exceptions: e.exceptions + 1,
        open: e.open + (resolved ? 0 : 1),
        quarantined: e.quarantined + (held ? 1 : 0),
      });
    }
    const rows = await mart(
      `select concat_ws(' ', source, rule_id, hospital_code, detected_on) as id, sum(exception_count)::int as exceptions,
              sum(open_exception_count)::int as open, sum(quarantined_count)::int as quarantined
       from marts.fct_data_quality_exceptions group by 1 order by 1`,
    );
    expect(rows).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, e]) => ({ id, ...e })));
    // The steward's detail: one row per exception of an active batch, payloads of held rows only.
    const detail = await mart(
      `select count(*)::int as n, count(quarantined_payload)::int as payloads from marts.fct_data_quality_exception_details`,
    );
    expect(detail).toEqual([
      {
        n: exceptions.filter(([key]) => active(key)).length,
        payloads: quarantine.filter(([key]) => active(key)).length,
      },
    ]);
  });

  it('lists every batch with its reconciliation, replaced ones named by their replacement', async () => {
    const rows = await mart(
      `select batch_id, status, is_active, replaced_by_batch_id, rows_read, is_reconciled, open_quarantine_count::int, period_kind, period_month::text
       from marts.fct_data_quality_batch_reconciliation order by batch_id`,
    );
    expect(rows).toEqual(
      batches.map((b) => ({
        batch_id: ids.get(b.key),
        status: b.status,
        is_active: b.status === 'loaded',
        replaced_by_batch_id: batches.find((x) => x.replaces === b.key)
          ? ids.get(batches.find((x) => x.replaces === b.key)!.key)
          : null,
        rows_read: b.rows[0],
        is_reconciled: true,
        open_quarantine_count: quarantine.filter(([k, , , s]) => k === b.key && s === 'quarantined').length,
        period_kind: b.period === 'current' ? 'snapshot' : b.period.includes('..') ? 'increment' : 'month',
        period_month: /^\d{4}-\d{2}$/.test(b.period) ? `${b.period}-01` : null,
      })),
    );
  });

  it("shows blocked model runs, and never lets 'current' pass for the latest month", async () => {
    expect(
      await mart(
        `select model, run_kind, run_status, is_failure, job from marts.fct_data_quality_model_runs
         where job_run_id = $1 order by model_run_id`,
        [blockedRun],
      ),
    ).toEqual([
      { model: 'fct_ok', run_kind: 'build', run_status: 'success', is_failure: false, job: 'build' },
      { model: 'fct_broken', run_kind: 'build', run_status: 'error', is_failure: true, job: 'build' },
      { model: 'fct_ok.not_null_id', run_kind: 'test', run_status: 'fail', is_failure: true, job: 'build' },
    ]);
    expect(
      await mart(
        `select hospital_code, max(latest_period) as latest, sum(active_batch_count)::int as batches
         from marts.fct_data_quality_source_freshness group by 1 order by 1`,
      ),
    ).toEqual([
      {
        hospital_code: H1,
        latest: '2025-02',
        batches: batches.filter((b) => b.hospital === H1 && b.status === 'loaded').length,
      },
      {
        hospital_code: H2,
        latest: '2025-12',
        batches: batches.filter((b) => b.hospital === H2 && b.status === 'loaded').length,
      },
    ]);
  });

  it('keeps exception detail to stewards in PostgreSQL; analysts read the counts', async () => {
    const analyst = await createLogin(pool, t, 'analyst', 'dq');
    const steward = await createLogin(pool, t, 'steward', 'dq');
    logins.push(analyst, steward);
    const count = (relation: string) => (client: pg.Client) =>
      client.query(`select count(*)::int as n from marts.${relation}`).then((r) => r.rows[0].n as number);
    await expect(asLogin(analyst, count('fct_data_quality_exception_details'))).rejects.toThrow(
      /permission denied/,
    );
    expect(await asLogin(analyst, count('fct_data_quality_exceptions'))).toBeGreaterThan(0);
    expect(await asLogin(steward, count('fct_data_quality_exception_details'))).toBe(
      exceptions.filter(([k]) => active(k)).length,
    );
  });

  it('hdw source freshness judges each source × hospital by its declared thresholds and exits 1 on an error', async () => {
    const run = await hdw(['source', 'freshness'], t.url);
    expect(run.code, run.stderr).toBe(1);
    const line = (source: string, hospital: string) =>
      run.stdout.split('\n').find((l) => l.startsWith(`${source} `) && l.includes(` ${hospital} `)) ?? '';
    expect(line('his.charge_lines', H1)).toMatch(/及时 pass$/);
    expect(line('his.departments', H1)).toMatch(/警告 warn$/);
    expect(line('his.charge_lines', H2)).toMatch(/超期 error$/);
    expect(line('his.outpatient_visits', H2)).toMatch(/及时 pass$/);
    expect(line('his.inpatient_visits', '-')).toMatch(/从未交付 never loaded.*超期 error$/);

    const statuses = await mart(
      `select source, coalesce(hospital_code, '-') as hospital, freshness_status from marts.fct_data_quality_source_freshness
       where source in ('his.charge_lines', 'his.departments', 'his.inpatient_visits') order by 1, 2`,
    );
    expect(statuses).toEqual([
      { source: 'his.charge_lines', hospital: H1, freshness_status: 'pass' },
      { source: 'his.charge_lines', hospital: H2, freshness_status: 'error' },
      { source: 'his.departments', hospital: H1, freshness_status: 'warn' },
      { source: 'his.inpatient_visits', hospital: '-', freshness_status: 'error' },
    ]);
  });

  it('hdw source freshness exits 0 once every declared source is delivered in time', async () => {
    for (const e of expectations) {
      for (const hospital of [H1, H2]) {
        await pool.query(
          `insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate)
           values ($1, $2, '2026-01', 'fresh.csv', 'sha-fresh', 'utf-8', 'loaded', 0, 0, 0, 0)`,
          [e.source, hospital],
        );
      }
    }
    const run = await hdw(['source', 'freshness'], t.url);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${expectations.length * 2} pass, 0 warn, 0 error`));
    expect(
      await mart(
        `select count(*)::int as n from marts.fct_data_quality_source_freshness where freshness_status <> 'pass'`,
      ),
    ).toEqual([{ n: 0 }]);
  });
});

/** Runs the real `hdw` CLI against the test database; returns its exit code and output. */
async function hdw(
  args: readonly string[],
  databaseUrl: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-dq-'));
  try {
    const child = spawn(process.execPath, [path.join(projectRoot, 'ops', 'bin', 'hdw.mjs'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, HDW_DATA_DIR: dataDir, HDW_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
