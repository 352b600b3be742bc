import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { exceptionRows, summariseExceptions } from '../../pipelines/ingest/exception-report.ts';
import { ingestInbox, type IngestSummary } from '../../pipelines/ingest/ingest-inbox.ts';
import { replayQuarantine } from '../../pipelines/ingest/replay-quarantine.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { projectPaths } from '../../core/paths.ts';
import { baseFiles, corpus, H1, workbookCases, type BadInputCase } from '../data/bad-input/corpus.ts';
import { buildDataQualityModels } from '../support/data-quality.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

describe('bad-input corpus', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox: string;
  let summary: IngestSummary;
  const ingest = () => ingestInbox(pool, { inbox, sources: allSources, logger: silentLogger });

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-bad-'));
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    for (const [file, bytes] of Object.entries(baseFiles)) await put(file, bytes);
    for (const c of corpus) await put(c.file, c.bytes);
    for (const c of workbookCases) await put(c.file, await c.build());
    await put(`${H1}/his/charge_lines_2020-01.xlsx`, await workbook());
    summary = await ingest();
    // The data-quality marts are views over the ledger: built once, they follow every later load and replay.
    await buildDataQualityModels(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    await rm(inbox, { recursive: true, force: true });
  });

  it(`has at least 30 kinds of defect`, () => {
    expect(new Set(corpus.map((c) => c.kind)).size).toBeGreaterThanOrEqual(30);
  });

  for (const c of [...corpus, ...workbookCases] as readonly Omit<BadInputCase, 'bytes'>[]) {
    it(`${c.kind}: ${'rejected' in c.expect ? 'rejected with a clear message' : 'unrecognised' in c.expect ? 'left in the inbox, reported' : 'quarantined or recorded with its reason'}`, async () => {
      const e = c.expect;
      if ('unrecognised' in e) {
        expect(summary.unrecognised).toContain(c.file);
        return;
      }
      if ('rejected' in e) {
        const rejected = summary.rejected.find((r) => r.file === c.file);
        expect(rejected?.reason).toMatch(e.rejected);
        const { rows } = await pool.query(
          `select code, reason, moved_to from ops.rejected_files where source_file = $1`,
          [c.file],
        );
        expect(rows).toEqual([
          { code: expect.stringMatching(/^E_/), reason: rejected!.reason, moved_to: `_rejected/${c.file}` },
        ]);
        return;
      }
      const batch = summary.batches.find((b) => b.delivery.relativePath === c.file);
      expect(batch, `${c.file} loaded as a batch`).toBeDefined();
      expect(batch!.rowsRead).toBe(batch!.rowsLoaded + batch!.rowsQuarantined + batch!.rowsDuplicate);
      expect({ rowsRead: batch!.rowsRead, loaded: batch!.rowsLoaded }).toEqual({
        rowsRead: e.rowsRead,
        loaded: e.loaded,
      });
      if (e.duplicates !== undefined) expect(batch!.rowsDuplicate).toBe(e.duplicates);
      if (e.note) expect(batch!.notes?.join('\n')).toMatch(e.note);
      const { rows: held } = await pool.query<{ source_line: number; rule_ids: string[] }>(
        `select source_line, rule_ids from ops.quarantine where batch_id = $1 order by source_line`,
        [batch!.batchId],
      );
      expect(held.map((q) => q.source_line)).toEqual((e.quarantined ?? []).map(([line]) => line));
      for (const [line, rule] of e.quarantined ?? [])
        expect(held.find((q) => q.source_line === line)!.rule_ids).toContain(rule);
      const { rows: messages } = await pool.query<{ source_line: number; rule_id: string; message: string }>(
        `select source_line, rule_id, message from ops.exceptions where batch_id = $1`,
        [batch!.batchId],
      );
      for (const [line, rule] of [...(e.quarantined ?? []), ...(e.warnings ?? [])]) {
        const m = messages.find((x) => x.source_line === line && x.rule_id === rule);
        expect(m?.message, `${rule} on line ${line}`).toMatch(e.reason ?? /\S{2,}/);
      }
      for (const [line, column, value] of e.values ?? []) {
        const { rows } = await pool.query<{ value: string }>(
          `select ${column}::text as value from raw_${batch!.delivery.source.system}.${batch!.delivery.source.entity}
           where batch_id = $1 and source_line = $2`,
          [batch!.batchId, line],
        );
        expect(rows, `${column} on line ${line}`).toEqual([{ value }]);
      }
    });
  }

  it('reads an .xlsx delivery as a stream, typed like a CSV', async () => {
    const batch = summary.batches.find((b) => b.delivery.relativePath.endsWith('.xlsx'))!;
    expect(batch).toMatchObject({ rowsRead: 3, rowsLoaded: 2, rowsQuarantined: 1, encoding: 'xlsx' });
    const { rows } = await pool.query(
      `select line_id, charge_time::text, amount::text from raw_his.charge_lines where batch_id = $1 order by line_id`,
      [batch.batchId],
    );
    expect(rows).toEqual([
      { line_id: 'X1', charge_time: '2025-01-02 09:00:00', amount: '50' },
      { line_id: 'X2', charge_time: '2025-01-03 00:00:00', amount: '21' },
    ]);
  });

  it('reports a delivery that failed unexpectedly, in one line, and loads the others', () => {
    const corrupt = corpus.find((c) => c.kind.startsWith('corrupt workbook'))!;
    expect(summary.failed).toEqual([
      { file: corrupt.file, reason: expect.stringMatching(/^\S+\.xlsx: could not be loaded: [^\n]+$/) },
    ]);
    const later = workbookCases.at(-1)!;
    expect(summary.batches.find((b) => b.delivery.relativePath === later.file)?.rowsLoaded).toBe(2);
  });

  it('reads workbook cells as the clerk sees them: cached formula results, dates, a zero', async () => {
    const formulas = workbookCases.find((c) => c.kind.startsWith('workbook: formulas'))!;
    const batch = summary.batches.find((b) => b.delivery.relativePath === formulas.file)!;
    const { rows } = await pool.query(
      `select line_id, charge_time::text, quantity::text, amount::text from raw_his.charge_lines where batch_id = $1 order by line_id`,
      [batch.batchId],
    );
    expect(rows).toEqual([
      { line_id: 'F1', charge_time: '2025-01-02 09:00:00', quantity: '1', amount: '50' },
      { line_id: 'F3', charge_time: '2025-01-02 09:00:00', quantity: '1', amount: '50' },
      { line_id: 'F5', charge_time: '2025-01-02 09:00:00', quantity: '0', amount: '0' },
    ]);
    const { rows: held } = await pool.query<{ message: string }>(
      `select message from ops.exceptions where batch_id = $1 and rule_id = 'invalid_cell' order by source_line`,
      [batch.batchId],
    );
    expect(held.map((h) => h.message)).toEqual([
      expect.stringMatching(/^J3 是没有缓存结果的公式 =H3\*I3/),
      expect.stringMatching(/^J5 公式结果是错误值/),
    ]);
  });

  it('never deletes a file: loaded ones are in _processed, rejected ones in _rejected, the rest stay', async () => {
    const processed = await listAll(path.join(inbox, '_processed'));
    expect(processed.length).toBe(summary.batches.length);
    const rejected = await listAll(path.join(inbox, '_rejected'));
    expect(rejected.length).toBe(summary.rejected.length);
    expect(await listAll(path.join(inbox, H1))).toEqual(['his/readme.txt']);
  });

  it('summarises exceptions by source, rule, hospital and day, and lists the rows behind a rule', async () => {
    const rows = await summariseExceptions(pool);
    const itemRule = rows.find((r) => r.rule_id === 'unknown_item_code' && r.source === 'his.charge_lines')!;
    expect(itemRule).toMatchObject({ hospital_code: H1, exceptions: 1, open_exceptions: 1, quarantined: 1 });
    const behind = await exceptionRows(pool, { rule: 'unknown_item_code' });
    expect(behind).toEqual([
      expect.objectContaining({
        source_file: expect.stringMatching(/charge_lines_/),
        source_line: 2,
        quarantine_status: 'quarantined',
      }),
    ]);
    expect(behind[0]!.message).toMatch(/I9/);
  });

  it('replays quarantined rows after a dictionary fix and reconciles again', async () => {
    // The steward adds I9 to the item dictionary (a corrected delivery of charge_items.csv) …
    await put(
      `${H1}/his/charge_items.csv`,
      Buffer.from(
        'item_code,item_name,category_code,insurance_code,unit_price,unit\nI1,床位费,01,X1,50.00,日\nI2,阿司匹林,09,X2,10.5000,盒\nI9,新项目,01,X9,50.00,次\n',
      ),
    );
    const fix = await ingest();
    expect(fix.batches.map((b) => b.outcome)).toEqual(['replaced']);
    // … and replays what the unknown item held.
    const results = await replayQuarantine(pool, {
      sources: allSources,
      logger: silentLogger,
      rule: 'unknown_item_code',
    });
    expect(results.reduce((n, r) => n + r.released, 0)).toBe(1);
    const { rows } = await pool.query(
      `select * from marts.fct_data_quality_batch_reconciliation where batch_id = $1`,
      [results[0]!.batchId],
    );
    expect(rows[0]).toMatchObject({
      rows_read: 1,
      rows_loaded: 1,
      rows_quarantined: 0,
      is_reconciled: true,
      open_quarantine_count: 0,
    });
    expect(await exceptionRows(pool, { rule: 'unknown_item_code' })).toEqual([]);
    const again = await replayQuarantine(pool, {
      sources: allSources,
      logger: silentLogger,
      rule: 'unknown_item_code',
    });
    expect(again).toEqual([]);
  });

  it('flags a batch whose failing share of a rule exceeds the rule threshold', async () => {
    const { rows } = await pool.query(
      `select flagged_rules from ops.batches where source_file like '%charge_lines_2021-06%'`,
    );
    expect(rows[0].flagged_rules).toEqual([]);
    const unknownItem = await pool.query(
      `select r.flagged, r.rows_failed, r.threshold::text from ops.batch_rule_results r join ops.batches b using (batch_id)
       where r.rule_id = 'amount_mismatch' and b.status = 'loaded' and r.rows_failed > 0`,
    );
    expect(unknownItem.rows).toEqual([{ flagged: true, rows_failed: 1, threshold: '0.05' }]);
  });

  async function put(file: string, bytes: Buffer): Promise<void> {
    await mkdir(path.dirname(path.join(inbox, file)), { recursive: true });
    await writeFile(path.join(inbox, file), bytes);
  }
});

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('收费明细');
  sheet.addRow([
    '明细流水号',
    '就诊类型',
    '就诊号',
    '收费时间',
    '项目编码',
    '项目名称',
    '费用类别',
    '数量',
    '单价',
    '金额',
    '开单科室',
    '执行科室',
  ]);
  sheet.addRow([
    'X1',
    'I',
    'V1',
    new Date(Date.UTC(2025, 0, 2, 9)),
    'I1',
    '床位费',
    '01',
    1,
    50,
    50,
    'D01',
    'D01',
  ]);
  sheet.addRow([
    'X2',
    'I',
    'V1',
    new Date(Date.UTC(2025, 0, 3)),
    'I2',
    '阿司匹林',
    '09',
    2,
    10.5,
    { formula: 'H3*I3', result: 21 },
    'D01',
    'D01',
  ]);
  sheet.addRow(['X3', 'I', 'V1', 'not a date', 'I1', '床位费', '01', 1, 50, 50, 'D01', 'D01']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
