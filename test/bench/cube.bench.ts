/**
 * `npm run bench cube`: the dashboard's typical queries through Cube's REST API, once with the
 * pre-aggregations of the data model and once with them removed, on the full demo data: the demo
 * generator's `full` alliance (≥ 50,000 cases, ≥ 2,000,000 charge lines) run through the whole
 * pipeline (ingest, models, security). `HDW_BENCH_SYNTHETIC=1` instead synthesises a mart of the
 * same shape with generate_series, for a quick run (about a minute). Each round adds a filter that
 * changes nothing but the query's text (visit_type ≠ a value that does not exist), so Cube's result
 * cache never answers and the figures are the database's work, as for a user's new question.
 */
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import express from 'express';
import pg from 'pg';
import { loadConfig } from '../../core/config/config.ts';
import { createDb } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { applyWarehouseSecurity } from '../../core/security/warehouse-security.ts';
import { defaultSharingPolicy } from '../../core/security/sharing-policy.ts';
import { keepConnectionsOpen, mountCube } from '../../cube/server.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { runPipeline } from '../../pipelines/run-pipeline.ts';
import { signToken } from '../../cube/security/token.ts';
import type { BenchContext } from './run.ts';

const secret = 'bench-secret-0123456789-abcdefghijklmn';
const rounds = 30;
const v = 'department_charge_analysis';
const dashboard: ReadonlyArray<Record<string, unknown>> = [
  {
    measures: [`${v}.total_charge_amount`, `${v}.drug_charge_ratio`, `${v}.material_charge_ratio`],
    dimensions: [`${v}.hospital_name`],
  },
  {
    measures: [`${v}.total_charge_amount`, `${v}.drug_charge_ratio`],
    dimensions: [`${v}.hospital_name`],
    timeDimensions: [{ dimension: `${v}.month`, granularity: 'month' }],
  },
  {
    measures: [`${v}.total_charge_amount`, `${v}.line_count`, `${v}.drug_charge_ratio`],
    dimensions: [`${v}.department_name`],
    order: { [`${v}.total_charge_amount`]: 'desc' },
    limit: 20,
  },
  { measures: [`${v}.total_charge_amount`], dimensions: [`${v}.charge_category_name`, `${v}.visit_type`] },
  {
    measures: [`${v}.drug_charge_ratio_excl_herbal`, `${v}.material_charge_ratio`],
    dimensions: [`${v}.department_name`],
    timeDimensions: [
      { dimension: `${v}.month`, granularity: 'quarter', dateRange: ['2025-01-01', '2025-06-30'] },
    ],
  },
];

export default async function bench(ctx: BenchContext): Promise<void> {
  const admin = new pg.Client(ctx.pgAdminUrl);
  await admin.connect();
  await admin.query('create database bench_cube');
  await admin.end();
  const url = new URL(ctx.pgAdminUrl);
  url.pathname = '/bench_cube';
  const db = createDb(url.toString());
  await migrateToLatest(db, silentLogger);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  if (process.env.HDW_BENCH_SYNTHETIC === '1') {
    await synthesiseMart(pool);
    await applyWarehouseSecurity(pool, silentLogger, defaultSharingPolicy);
  } else {
    await fullDemoWarehouse(pool, url.toString(), ctx);
  }
  const mart = await pool.query<{ n: number }>(
    'select count(*)::int as n from marts.fct_department_charges_monthly',
  );
  ctx.report('mart_rows', mart.rows[0]!.n);

  // The same model without its pre_aggregations sections (they close each cube file).
  const withoutDir = path.join(ctx.workDir, 'model-without-preaggs');
  await cp(fileURLToPath(new URL('../../cube/model', import.meta.url)), withoutDir, { recursive: true });
  for (const file of await readdir(withoutDir, { recursive: true })) {
    if (!file.endsWith('.yml')) continue;
    const full = path.join(withoutDir, file);
    const text = await readFile(full, 'utf8');
    await writeFile(full, text.replace(/\n    pre_aggregations:\n[\s\S]*$/, '\n'));
  }

  const token = await signToken(
    { role: 'member', hospital_code: 'H32090200001', alliance_id: 'YH01' },
    secret,
  );
  const analyst = await signToken({ role: 'analyst', alliance_id: 'YH01' }, secret);
  const results: Record<string, { p50: number; p95: number }> = {};
  for (const [label, modelPath] of [
    ['no_preagg', withoutDir],
    ['preagg', undefined],
  ] as const) {
    const app = express();
    const cube = await mountCube(app, {
      databaseUrl: url.toString(),
      jwtSecret: secret,
      logger: silentLogger,
      ...(modelPath ? { modelPath } : {}),
    });
    const server: Server = keepConnectionsOpen(app.listen(0, '127.0.0.1'));
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cubejs-api/v1/load`;
    try {
      if (label === 'preagg') await cube.refreshPreAggregations();
      const timings: number[] = [];
      for (let round = 0; round < rounds + 2; round += 1) {
        for (const query of dashboard) {
          for (const bearer of [analyst, token]) {
            const started = performance.now();
            const uncached = { member: `${v}.visit_type`, operator: 'notEquals', values: [`none-${round}`] };
            await load(base, { ...query, filters: [uncached] }, bearer);
            if (round >= 2) timings.push(performance.now() - started); // two warm-up rounds
          }
        }
      }
      timings.sort((a, b) => a - b);
      const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
      results[label] = { p50: at(0.5), p95: at(0.95) };
      ctx.report(`${label}.queries`, timings.length);
      ctx.report(`${label}.p50_ms`, at(0.5).toFixed(1));
      ctx.report(`${label}.p95_ms`, at(0.95).toFixed(1));
    } finally {
      await cube.shutdown();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
  ctx.report('p95_ratio', (results.no_preagg!.p95 / results.preagg!.p95).toFixed(2));
  ctx.report('p95_target_met', results.preagg!.p95 <= 50 ? 'yes' : 'no');
  await pool.end();
  await db.destroy();
}

async function load(base: string, query: unknown, token: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const response = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { error?: string };
    if (body.error === 'Continue wait') continue;
    if (!response.ok) throw new Error(`Cube answered ${response.status}: ${body.error}`);
    return;
  }
  throw new Error('Cube kept answering "Continue wait"');
}

/** The full demo alliance, generated and run through the pipeline (which applies the security too). */
async function fullDemoWarehouse(pool: pg.Pool, databaseUrl: string, ctx: BenchContext): Promise<void> {
  const inbox = path.join(ctx.workDir, 'inbox');
  let started = performance.now();
  const demo = await generateDemo({ size: 'full', seed: 1, outDir: inbox });
  ctx.report('demo_charge_lines', demo.chargeLines);
  ctx.report('demo_generate_s', ((performance.now() - started) / 1000).toFixed(1));
  started = performance.now();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HDW_INBOX: inbox,
    HDW_INBOX_QUIET_SECONDS: '0',
    HDW_DATA_DIR: ctx.workDir,
    HDW_LOG_LEVEL: 'silent',
  });
  const summary = await runPipeline({
    pool,
    config,
    logger: silentLogger,
    targetDir: path.join(ctx.workDir, 'target'),
  });
  ctx.report('pipeline_s', ((performance.now() - started) / 1000).toFixed(1));
  if (!summary.ok) throw new Error('the pipeline run on the full demo data had failures');
}

/** A mart of full-demo size, with the hospitals of seeds/reference/hospitals.csv and a publish run. */
async function synthesiseMart(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table marts.fct_department_charges_monthly as
    with hospitals(hospital_code, hospital_name, hospital_level, weight) as (values
      ('H32090200001', '盐城市东湖中心医院', '3', 3.0), ('H32092100011', '响水县滨河人民医院', '2', 1.2), ('H32092500021', '建湖县芦荡人民医院', '2', 1.0))
    select concat_ws('|', h.hospital_code, 'D' || lpad(d::text, 2, '0'), to_char(m, 'YYYY-MM'), vt, lpad(c::text, 2, '0')) as department_charge_month_id,
           h.hospital_code, h.hospital_name, h.hospital_level,
           'D' || lpad(d::text, 2, '0') as department_code, '科室' || d as department_name,
           m::date as month, vt as visit_type,
           lpad(c::text, 2, '0') as charge_category_code, '类别' || c as charge_category_name,
           c in (9, 10, 11) as is_drug, c = 10 as is_herbal_pieces, c = 8 as is_material,
           round((h.weight * (500 + 9500 * random()))::numeric, 2)::numeric(18, 2) as charge_amount,
           (5 + floor(random() * 400))::bigint as line_count,
           0::numeric(9, 6) as share_of_department_month
    from hospitals h
    cross join generate_series(1, 35) d
    cross join generate_series('2025-01-01'::date, '2025-12-01'::date, interval '1 month') m
    cross join unnest(array['inpatient', 'outpatient']) vt
    cross join generate_series(1, 14) c`);
  await pool.query('analyze marts.fct_department_charges_monthly');
  await pool.query(
    `insert into ops.job_runs (job, status, finished_at) values ('publish', 'succeeded', now())`,
  );
}
