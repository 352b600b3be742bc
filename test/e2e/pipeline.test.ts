import { cp, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { signToken } from '../../cube/security/token.ts';
import { ingestStage, type PipelineSummary } from '../../pipelines/run-pipeline.ts';
import { notQuarantined, ruleFor } from '../support/ground-truth.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { serveCube, type CubeApi } from '../support/cube-api.ts';
import { createPool } from '../../core/db/database.ts';

interface Defect {
  file: string;
  line: number;
  defect: string;
  record_key: string;
}

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';

describe('end to end: generate → run → Cube', () => {
  let t: DemoWarehouse;
  let pool: pg.Pool;
  let first: PipelineSummary;
  let defects: Defect[];
  let api: CubeApi;
  let base: string;

  // The small demo generated and run once (seeds → ingest → build → test → publish) by the shared
  // fixture; this file gets its own copy of the warehouse and the run's summary.
  beforeAll(async () => {
    t = await demoWarehouse();
    first = t.firstRun;
    pool = createPool(t.url, 6);
    defects = (
      parse(await readFile(path.join(t.generatedDir, '_ground_truth', 'defects.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[]
    )
      .map((d) => ({
        file: d.file!,
        line: Number(d.line),
        defect: d.defect!,
        record_key: d.record_key ?? '',
      }))
      .filter((d) => d.file.includes('/his/'));
    api = await serveCube({ databaseUrl: t.url, jwtSecret: SECRET });
    base = api.base;
  }, 1_200_000);

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await t?.drop();
  });

  it('builds every model and passes every model test', () => {
    expect(first.ingest.rejected).toEqual([]);
    expect(first.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(first.tests.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(first.ok).toBe(true);
  });

  it('reconciles every batch: read = loaded + quarantined + duplicates', async () => {
    const { rows } = await pool.query(`select * from ops.batches`);
    expect(rows.length).toBeGreaterThan(30);
    for (const b of rows) expect(b.rows_read).toBe(b.rows_loaded + b.rows_quarantined + b.rows_duplicate);
  });

  it('leaves every raw table analysed as a whole, so the staging views are planned on real row counts', async () => {
    // PostgreSQL analyses only the batch partitions by itself; the ingest analyses the tables above them.
    const { rows } = await pool.query<{ raw_table: string; analysed: number; rows: number; inherited_stats: number }>(
      `select n.nspname || '.' || c.relname as raw_table, c.reltuples::float8 as analysed,
              coalesce((select sum(greatest(p.reltuples, 0)) from pg_inherits i join pg_class p on p.oid = i.inhrelid
                        where i.inhparent = c.oid), 0)::float8 as rows,
              (select count(*) from pg_stats s where s.schemaname = n.nspname and s.tablename = c.relname and s.inherited)::int
                as inherited_stats
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'p' and n.nspname like 'raw\\_%'`,
    );
    const loaded = rows.filter((r) => r.rows > 0);
    expect(loaded.length).toBeGreaterThan(10);
    for (const r of loaded) {
      expect(r.analysed, r.raw_table).toBeGreaterThan(0);
      expect(r.inherited_stats, r.raw_table).toBeGreaterThan(0);
    }
    // The planner's estimate of a join of two staging views is now within an order of magnitude of
    // what it returns (PostgreSQL's default guess, 200 distinct visits on each side, is not).
    const plan = await pool.query<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }>(
      `explain (format json) select * from staging.stg_emr__front_pages f
       join staging.stg_his__inpatient_visits v using (hospital_code, visit_id)`,
    );
    const actual = await pool.query<{ n: number }>(
      `select count(*)::int as n from staging.stg_emr__front_pages f
       join staging.stg_his__inpatient_visits v using (hospital_code, visit_id)`,
    );
    const estimated = plan.rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows'];
    expect(estimated / actual.rows[0]!.n).toBeGreaterThan(0.1);
    expect(estimated / actual.rows[0]!.n).toBeLessThan(10);
  });

  it('finds every ground-truth defect of the HIS files with the rule meant for it, and flags no clean row', async () => {
    expect(defects.length).toBeGreaterThan(20);
    const { rows: exceptions } = await pool.query<{
      source_file: string;
      source_line: number;
      rule_id: string;
    }>(`select source_file, source_line, rule_id from ops.exceptions where source like 'his.%'`);
    const found = new Set(exceptions.map((e) => `${e.source_file}:${e.source_line}:${e.rule_id}`));
    const missed = defects.filter((d) => !found.has(`${d.file}:${d.line}:${ruleFor[d.defect]}`));
    expect(missed).toEqual([]);

    const defectLines = new Set(defects.map((d) => `${d.file}:${d.line}`));
    const flaggedClean = exceptions.filter((e) => !defectLines.has(`${e.source_file}:${e.source_line}`));
    expect(flaggedClean).toEqual([]);

    const { rows: quarantined } = await pool.query<{ source_file: string; source_line: number }>(
      `select source_file, source_line from ops.quarantine where source like 'his.%'`,
    );
    const expected = defects
      .filter((d) => !notQuarantined.has(d.defect))
      .map((d) => `${d.file}:${d.line}`)
      .sort();
    expect(quarantined.map((q) => `${q.source_file}:${q.source_line}`).sort()).toEqual(expected);
  });

  it('serves charges through Cube whose sum equals the generated charge lines minus the quarantined ones, to the cent', async () => {
    const expected = await independentTotals(t.generatedDir, defects);
    const token = await signToken({ role: 'analyst', alliance_id: 'YH01' }, SECRET, 600);
    const query = {
      measures: ['department_charge_analysis.total_charge_amount'],
      dimensions: ['department_charge_analysis.hospital_code'],
    };
    const response = await fetch(
      `${base}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`,
      {
        headers: { Authorization: token },
      },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Record<string, string>[] };
    const served = Object.fromEntries(
      body.data.map((r) => [
        r['department_charge_analysis.hospital_code'],
        toCents(r['department_charge_analysis.total_charge_amount']!),
      ]),
    );
    expect(served).toEqual(expected);
    expect(Object.keys(served)).toHaveLength(10);
  });

  it('loads nothing the second time the same inbox is run', async () => {
    // Deliver the same files again.
    const inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-e2e-'));
    await cp(t.generatedDir, inbox, { recursive: true });
    const before = await pool.query(`select count(*)::int as n from ops.batches`);
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: inbox,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: t.url,
    });
    // The ingest of a second run (its build is the corrections test's subject): every one of the
    // demo's files is read and hashed again, and each is recognised as already loaded.
    const second = await ingestStage({ pool, config, logger: silentLogger });
    expect(second.batches.length).toBe(first.ingest.batches.length);
    expect(second.batches.every((b) => b.outcome === 'skipped')).toBe(true);
    const after = await pool.query(`select count(*)::int as n from ops.batches`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    await rm(inbox, { recursive: true, force: true });
  }, 400_000);
});

/**
 * Sums charge-line amounts per hospital straight from the generated files, in integer cents,
 * leaving out the rows the ground truth says must not load (everything but price spikes, and
 * the duplicate copies).
 */
async function independentTotals(generated: string, defects: Defect[]): Promise<Record<string, number>> {
  const skip = new Set(defects.filter((d) => d.defect !== 'price_spike').map((d) => `${d.file}:${d.line}`));
  const manifest = JSON.parse(
    await readFile(path.join(generated, '_ground_truth', 'manifest.json'), 'utf8'),
  ) as {
    hospitals: { code: string; encoding: string }[];
  };
  const totals: Record<string, number> = {};
  const { readdir } = await import('node:fs/promises');
  for (const hospital of manifest.hospitals) {
    const dir = path.join(generated, hospital.code, 'his');
    for (const name of (await readdir(dir)).filter((n) => n.startsWith('charge_lines_'))) {
      const bytes = await readFile(path.join(dir, name));
      const text = /gb/i.test(hospital.encoding)
        ? iconv.decode(bytes, 'gbk')
        : bytes.toString('utf8').replace(/^\uFEFF/, '');
      const records = parse(text, { relax_column_count: true }) as string[][];
      records.slice(1).forEach((record, i) => {
        const line = i + 2;
        if (skip.has(`${hospital.code}/his/${name}:${line}`)) return;
        totals[hospital.code] = (totals[hospital.code] ?? 0) + toCents(record[9]!);
      });
    }
  }
  return totals;
}

function toCents(amount: string | number): number {
  const [whole, fraction = ''] = String(amount).split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}
