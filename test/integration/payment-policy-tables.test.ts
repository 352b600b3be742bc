import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { buildStage, ingestStage, seedStage, type IngestStageSummary } from '../../pipelines/run-pipeline.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * Payment policy as data, on real 医保局 tables (../shared/datasets/chs-drg-1.1, skipped where
 * absent): five cities' DRG payment tables of different shapes are delivered as each city's
 * `drg_groups_<year>.csv` and load through the one declaration `insurance.drg_groups` (their
 * column names are its aliases) into int_payment_policy__drg_standards; the only rows held back
 * are two malformed ones of 武汉's, quarantined with their reason. 盐城 2023's published
 * 三级 standard is reproduced as RW × 7938.24 × the group's 三级 coefficient for all 580 groups
 * that have one.
 */
const CHS_DRG = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'chs-drg-1.1');
const TABLES = [
  { publisher: 'P320900', file: 'payment_yancheng_2023.csv', year: 2023 },
  { publisher: 'P320500', file: 'payment_suzhou_2023.csv', year: 2023 },
  { publisher: 'P320200', file: 'payment_wuxi_2022.csv', year: 2022 },
  { publisher: 'P420100', file: 'payment_wuhan_2022.csv', year: 2022 },
  { publisher: 'P321200', file: 'payment_taizhou_2022.csv', year: 2022 },
] as const;
/** 盐城 2023's 费率 (yuan per RW), as announced: the table's standards use it unrounded (7938.23699…). */
const YANCHENG_BASE_RATE = 7938.24;

describe.skipIf(!existsSync(CHS_DRG))('payment policy as data: five cities’ DRG payment tables', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox = '';
  let ingest: IngestStageSummary;
  let published = '';

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-payment-tables-'));
    for (const table of TABLES) {
      const dir = path.join(inbox, table.publisher, 'insurance');
      await mkdir(dir, { recursive: true });
      await cp(path.join(CHS_DRG, table.file), path.join(dir, `drg_groups_${table.year}.csv`));
    }
    // 盐城's 费率 notice: one rate for both insurance types at 二级 and 三级 (the coefficients are per group).
    await writeFile(
      path.join(inbox, 'P320900', 'insurance', 'drg_base_rates_2023.csv'),
      [
        '年度,险种类型,医院等级,费率',
        ...['310', '390'].flatMap((ins) =>
          ['2', '3'].map((level) => `2023,${ins},${level},${YANCHENG_BASE_RATE}`),
        ),
      ].join('\n') + '\n',
    );
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: inbox,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: t.url,
    });
    const ctx = { pool, config, logger: silentLogger };
    await seedStage(ctx);
    ingest = await ingestStage(ctx);
    const build = await buildStage(ctx, undefined, { select: '+int_payment_policy__drg_standards' });
    published = build.publication;
  }, 300_000);

  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    if (inbox) await rm(inbox, { recursive: true, force: true });
  });

  it('loads every table through the one declaration, no row lost, and builds the policy model', async () => {
    expect(ingest.rejected).toEqual([]);
    expect(published).toBe('published');
    const { rows } = await pool.query<{ hospital_code: string; read: number; loaded: number }>(
      `select hospital_code, sum(rows_read)::int as read, sum(rows_loaded)::int as loaded
       from ops.batches where source = 'insurance.drg_groups' and status = 'loaded' group by 1 order by 1`,
    );
    const lines = (file: string) =>
      readFileSync(path.join(CHS_DRG, file), 'utf8').trim().split('\n').length - 1;
    // Every row loads except two of 武汉's, whose name was split at a comma when the table was
    // made (the name's second half sits in RW): quarantined as invalid values, with their lines.
    const shifted = { P420100: 2 } as Record<string, number>;
    expect(rows).toEqual(
      [...TABLES]
        .sort((a, b) => (a.publisher < b.publisher ? -1 : 1))
        .map((x) => ({
          hospital_code: x.publisher,
          read: lines(x.file),
          loaded: lines(x.file) - (shifted[x.publisher] ?? 0),
        })),
    );
    const quarantined = await pool.query(
      `select hospital_code, source_line, record_key, rule_id from ops.exceptions
       where source = 'insurance.drg_groups' and severity = 'blocking' order by 1, 2`,
    );
    expect(quarantined.rows).toEqual([
      { hospital_code: 'P420100', source_line: 8, record_key: 'AH11', rule_id: 'invalid_value' },
      { hospital_code: 'P420100', source_line: 9, record_key: 'AH1B', rule_id: 'invalid_value' },
    ]);
    const staged = await pool.query<{ publisher_code: string; year: number; n: number }>(
      `select publisher_code, year, count(*)::int as n from staging.stg_insurance__drg_groups group by 1, 2 order by 1`,
    );
    expect(staged.rows.map((r) => `${r.publisher_code}/${r.year}`)).toEqual(
      [...TABLES].map((x) => `${x.publisher}/${x.year}`).sort(),
    );
    // Each shape lands in the long form: 武汉 per insurance type at 二级 only, 苏州 at three levels.
    const shapes = await pool.query<{ publisher_code: string; levels: string; standards: number }>(
      `select publisher_code, string_agg(distinct hospital_level, '') as levels,
              count(distinct payment_standard)::int as standards
       from intermediate.int_payment_policy__drg_standards where standard_basis = 'published'
       group by 1 order by 1`,
    );
    expect(Object.fromEntries(shapes.rows.map((r) => [r.publisher_code, r.levels]))).toEqual({
      P320200: '123',
      P320500: '123',
      P320900: '23',
      P321200: '2',
      P420100: '2',
    });
    const wuhan = await pool.query(
      `select insurance_type, payment_standard::text from intermediate.int_payment_policy__drg_standards
       where publisher_code = 'P420100' and drg_code = 'AA19' order by 1`,
    );
    expect(wuhan.rows).toEqual([
      { insurance_type: '310', payment_standard: '301657.38' },
      { insurance_type: '390', payment_standard: '278418' },
    ]);
  });

  it('reproduces 盐城 2023’s published 三级 standard as RW × 7938.24 × the 三级 coefficient for all 580 groups', async () => {
    const { rows } = await pool.query<{
      drg_code: string;
      rw: string;
      coef: string;
      published: string;
      computed: string;
    }>(
      `select drg_code, drg_weight::text as rw, level_coefficient::text as coef,
              published_standard::text as published, computed_standard::text as computed
       from intermediate.int_payment_policy__drg_standards
       where publisher_code = 'P320900' and year = 2023 and hospital_level = '3' and insurance_type = '310'
         and published_standard is not null
       order by drg_code`,
    );
    expect(rows).toHaveLength(580);
    for (const r of rows) {
      const units = Number(r.rw) * Number(r.coef);
      // The model's standard, to the cent, is RW × 7938.24 × coefficient rounded.
      expect(Number(r.computed), r.drg_code).toBeCloseTo(
        Math.round(units * YANCHENG_BASE_RATE * 100) / 100,
        6,
      );
      // The table computed with the unrounded 费率 (7938.23699…) and printed more places: 7938.24 is
      // that rate to the cent, so each standard may differ by the rate's rounding, ≤ half a cent per
      // RW × coefficient unit, plus the standard's own half cent.
      expect(Math.abs(Number(r.computed) - Number(r.published)), r.drg_code).toBeLessThanOrEqual(
        units * 0.005 + 0.005,
      );
      // Equivalently: the table's implied 费率 is 7938.24 to the cent, for every group.
      expect(Math.round((Number(r.published) / units) * 100) / 100, r.drg_code).toBe(YANCHENG_BASE_RATE);
    }
  });
});
