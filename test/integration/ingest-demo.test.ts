import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../pipelines/ingest/ingest-inbox.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { loadProject, type PipelineSummary } from '../../pipelines/run-pipeline.ts';
import { notQuarantined, ruleFor } from '../support/ground-truth.ts';
import type { TestDatabase } from '../support/database.ts';
import { demoHookTimeout } from '../support/demo-files.ts';
import { demoWarehouse } from '../support/demo-warehouse.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * Every system of the demo data (HIS, EMR, insurance, ERP, LIS/PACS) against the generator's
 * ground truth: each planted defect is found by the rule meant for it, and no clean row is
 * flagged. `small` by default; `HDW_FULL=1` runs it on the full demo (≈10 M charge lines).
 */
const full = process.env.HDW_FULL === '1';

describe(`ingestion of every demo system (${full ? 'full' : 'small'}) against the ground truth`, () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let generated: string;
  let run: PipelineSummary;
  let summary: IngestSummary;
  let defects: { file: string; line: number; defect: string }[];

  beforeAll(
    async () => {
      // The shared demo warehouse of that size (generated and run once for the whole test run).
      const demo = await demoWarehouse(full ? 'full' : 'small');
      t = demo;
      generated = demo.generatedDir;
      run = demo.firstRun;
      summary = run.ingest;
      pool = createPool(t.url, 4);
      defects = (
        parse(await readFile(path.join(generated, '_ground_truth', 'defects.csv'), 'utf8'), {
          columns: true,
        }) as Record<string, string>[]
      ).map((d) => ({ file: d.file!, line: Number(d.line), defect: d.defect! }));
    },
    demoHookTimeout(full ? 'full' : 'small'),
  );

  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('loads every file of every system and reconciles every batch exactly', async () => {
    expect(summary.rejected).toEqual([]);
    // Every file is recognised, the publishers' (P + division code) included, and loads as its own batch.
    expect(summary.unrecognised).toEqual([]);
    expect(summary.batches.some((b) => /^P\d{6}$/.test(b.delivery.hospitalCode))).toBe(true);
    const systems = new Set(summary.batches.map((b) => b.delivery.source.system));
    expect([...systems].sort()).toEqual(['emr', 'erp', 'his', 'insurance', 'lab']);
    const { rows } = await pool.query(`select * from marts.fct_data_quality_batch_reconciliation`);
    // A header-only month repeating the hospital's earlier header-only file (a small 一级 unit with no
    // procedures that month) is the same content: skipped, not a batch of its own.
    const loaded = summary.batches.filter((b) => b.outcome !== 'skipped');
    expect(summary.batches.length - loaded.length).toBeLessThan(0.05 * summary.batches.length);
    expect(rows.length).toBe(loaded.length);
    expect(rows.filter((b) => !b.is_reconciled)).toEqual([]);
  });

  it('finds every planted defect with the rule meant for it, and flags no clean row', async () => {
    for (const kind of Object.keys(ruleFor))
      expect(
        defects.some((d) => d.defect === kind),
        kind,
      ).toBe(true);
    const { rows: exceptions } = await pool.query<{
      source_file: string;
      source_line: number;
      rule_id: string;
    }>(`select source_file, source_line, rule_id from ops.exceptions`);
    const found = new Set(exceptions.map((e) => `${e.source_file}:${e.source_line}:${e.rule_id}`));
    const missed = defects.filter((d) => !found.has(`${d.file}:${d.line}:${ruleFor[d.defect]}`));
    expect(missed.slice(0, 20)).toEqual([]);

    const defectLines = new Set(defects.map((d) => `${d.file}:${d.line}`));
    const flaggedClean = exceptions.filter((e) => !defectLines.has(`${e.source_file}:${e.source_line}`));
    expect(flaggedClean.slice(0, 20)).toEqual([]);

    const { rows: quarantined } = await pool.query<{ source_file: string; source_line: number }>(
      `select source_file, source_line from ops.quarantine`,
    );
    const expected = defects
      .filter((d) => !notQuarantined.has(d.defect))
      .map((d) => `${d.file}:${d.line}`)
      .sort();
    expect(quarantined.map((q) => `${q.source_file}:${q.source_line}`).sort()).toEqual(expected);
  });

  it('reads every declared source in a staging model, and builds and tests every model green', async () => {
    const project = await loadProject();
    const staged = new Set(project.models.filter((m) => m.schema === 'staging').flatMap((m) => m.sources));
    // declarations that share one raw table (published benchmark tables of a kind) are read by the
    // staging model of that table
    const declared = allSources.map((s) => `${s.system}.${s.table ?? s.entity}`);
    expect(declared.filter((d) => !staged.has(d))).toEqual([]);
    // Built in the audit schemas, tested there, then published together.
    expect(run.models.filter((m) => m.status !== 'success')).toEqual([]);
    expect(run.models).toHaveLength(project.models.length);
    expect(
      run.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model}: ${t.test} ${t.message ?? ''}`),
    ).toEqual([]);
    expect(run.publication).toBe('published');
    const { rows } = await pool.query(
      `select (select count(*)::int from staging.stg_lab__workload) as workload,
              (select count(*)::int from marts.dim_drg_groups) as drg_groups,
              (select count(distinct cost_unit_class)::int from marts.dim_departments) as classes`,
    );
    expect(rows[0].workload).toBeGreaterThan(0);
    expect(rows[0].drg_groups).toBeGreaterThan(0);
    expect(rows[0].classes).toBe(4);
  });

  it('exposes the data-quality figures', async () => {
    const { rows: pass } = await pool.query(
      `select source, 1 - sum(rows_failed)::numeric / sum(rows_checked) as pass_rate
       from marts.fct_data_quality_rule_pass_rates where rule_id = 'unit_price_deviation' group by source`,
    );
    expect(pass).toHaveLength(1);
    expect(Number(pass[0].pass_rate)).toBeGreaterThan(0.9);
    const { rows: fresh } = await pool.query(
      `select count(*)::int as n from marts.fct_data_quality_source_freshness`,
    );
    expect(fresh[0].n).toBeGreaterThanOrEqual(15 * 3 - 1);
  });
});
