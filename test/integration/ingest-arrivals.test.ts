import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import {
  appendFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { scanInbox } from '../../pipelines/ingest/inbox-scan.ts';
import {
  ingestInbox,
  ingestScanned,
  type IngestOptions,
  type IngestSummary,
} from '../../pipelines/ingest/ingest-inbox.ts';
import type { SourceDefinition } from '../../pipelines/ingest/source-definition.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { projectPaths } from '../../core/paths.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CHARGE_HEADER, hisInbox } from '../support/his-inbox.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * Deliveries as they really arrive (issue 10): uploads written slowly, renamed from `.part`,
 * completed by a `.done` marker, changed while read, deleted or truncated between listing and
 * reading, links planted to other files; and a publisher's delivery in a folder of its own.
 */
const H1 = 'H32090200001';
const H2 = 'H32092100011';
const H3 = 'H32092500021';

/** A regional reference as a city 医保局 publishes it (declared here; the demo declares its own). */
const regionalReference: SourceDefinition = {
  system: 'insurance',
  entity: 'test_regional_reference',
  description: '测试：区域 DRG 参考值',
  deliveredBy: 'publisher',
  filePattern: /^test_regional_reference_(?<period>\d{4})\.csv$/,
  key: 'drg_code',
  uniqueKey: ['drg_code', 'hospital_level'],
  columns: [
    { name: 'drg_code', type: 'text', required: true },
    { name: 'hospital_level', type: 'text', required: true },
    { name: 'mean_charge', type: 'numeric', required: true },
  ],
  rules: [],
};
const sources = [...allSources, regionalReference];

const chargeLines = (prefix: string, from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, i) => `${prefix}${from + i},I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01\n`,
  ).join('');

describe('deliveries as they really arrive', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox: string;
  let outside: string;
  const his = (hospital: string, name: string) => path.join(inbox, hospital, 'his', name);
  const ingest = (options: Partial<IngestOptions> = {}): Promise<IngestSummary> =>
    ingestInbox(pool, { inbox, sources, logger: silentLogger, quietSeconds: 0, ...options });
  const batchesOf = async (file: string) =>
    (
      await pool.query<{ rows_read: number; file_bytes: number; status: string; hospital_code: string }>(
        `select rows_read, file_bytes, status, hospital_code from ops.batches where source_file = $1 order by batch_id`,
        [file],
      )
    ).rows;
  /** Makes a file look unmodified for an hour (what a quiet period waits for). */
  const settle = (file: string) =>
    utimes(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    ({ inbox } = await hisInbox(H1, 'hdw-arrivals-'));
    for (const hospital of [H2, H3]) {
      await mkdir(path.join(inbox, hospital, 'his'), { recursive: true });
      for (const name of ['departments.csv', 'charge_items.csv', 'inpatient_visits_2025-01.csv'])
        await writeFile(his(hospital, name), await readFile(his(H1, name)));
    }
    outside = await mkdtemp(path.join(os.tmpdir(), 'hdw-outside-'));
    await writeFile(
      path.join(outside, 'departments.csv'),
      'dept_code,dept_name,dept_class,std_dept_code\nX99,外部科室,临床服务类,A03.04\n',
    );
    const first = await ingest();
    expect(first.batches.filter((b) => b.outcome === 'loaded')).toHaveLength(9);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    await rm(inbox, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('never loads part of a file written slowly while ingests run; the next run after the upload loads all of it', async () => {
    const name = 'charge_lines_2025-01.csv';
    const rel = `${H1}/his/${name}`;
    // The writer: the first 600 lines, then the rest in pauses, while ingests keep running.
    await writeFile(his(H1, name), `${CHARGE_HEADER}\n${chargeLines('S', 0, 600)}`);
    let writing = true;
    const writer = (async () => {
      for (let n = 600; n < 1300; n += 100) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        await appendFile(his(H1, name), chargeLines('S', n, n + 100));
      }
      writing = false;
    })();
    const runs: IngestSummary[] = [];
    do runs.push(await ingest({ quietSeconds: 30 }));
    while (writing);
    await writer;
    for (const run of runs) {
      expect(run.batches.map((b) => b.delivery.relativePath)).not.toContain(rel);
      expect(run.deferred.find((d) => d.file === rel)?.reason).toMatch(/read once unchanged for 30 s/);
    }
    expect(await batchesOf(rel)).toEqual([]);
    // Upload complete and quiet: the next run loads every line.
    await settle(his(H1, name));
    const done = await ingest({ quietSeconds: 30 });
    const batch = done.batches.find((b) => b.delivery.relativePath === rel)!;
    expect(batch.rowsRead).toBe(1300);
    expect(batch.rowsRead).toBe(batch.rowsLoaded + batch.rowsQuarantined + batch.rowsDuplicate);
    const size = (await lstat(path.join(inbox, '_processed', rel))).size;
    expect(await batchesOf(rel)).toEqual([
      { rows_read: 1300, file_bytes: size, status: 'loaded', hospital_code: H1 },
    ]);
  });

  it('never reads a .part upload; once renamed it is read whole', async () => {
    const name = 'charge_lines_2025-02.csv';
    const part = his(H1, `${name}.part`);
    await writeFile(part, `${CHARGE_HEADER}\n${chargeLines('P', 0, 500)}`);
    const during = await ingest();
    expect(during.deferred).toContainEqual({
      file: `${H1}/his/${name}.part`,
      reason: 'upload in progress (temporary name)',
    });
    expect(during.batches).toEqual([]);
    await appendFile(part, chargeLines('P', 500, 800));
    await rename(part, his(H1, name));
    const after = await ingest();
    expect(after.batches.map((b) => [b.delivery.relativePath, b.rowsRead])).toEqual([
      [`${H1}/his/${name}`, 800],
    ]);
  });

  it('with completion markers, reads a file only once its .done has arrived and matches', async () => {
    const name = 'charge_lines_2025-03.csv';
    const rel = `${H2}/his/${name}`;
    await writeFile(his(H2, name), `${CHARGE_HEADER}\n${chargeLines('D', 0, 300)}`);
    const early = await ingest({ markerSenders: [H2] });
    expect(early.deferred.find((d) => d.file === rel)?.reason).toMatch(/waiting for its completion marker/);
    await appendFile(his(H2, name), chargeLines('D', 300, 700));
    const sha = createHash('sha256')
      .update(await readFile(his(H2, name)))
      .digest('hex');
    await writeFile(his(H2, `${name}.done`), `${sha}  ${name}\n`);
    const done = await ingest({ markerSenders: [H2] });
    expect(done.batches.map((b) => [b.delivery.relativePath, b.rowsRead])).toEqual([[rel, 700]]);
    expect((await lstat(path.join(inbox, '_processed', `${rel}.done`))).isFile()).toBe(true);
  });

  it('a stray .done whose file never came does not hold back the files of its folder', async () => {
    const name = 'charge_lines_2025-05.csv';
    const rel = `${H3}/his/${name}`;
    await writeFile(his(H3, 'charge_lines_2024-12.csv.done'), '');
    await writeFile(his(H3, name), `${CHARGE_HEADER}\n${chargeLines('S', 0, 50)}`);
    await settle(his(H3, name));
    const done = await ingest({ quietSeconds: 30 });
    expect(done.batches.map((b) => [b.delivery.relativePath, b.rowsRead])).toEqual([[rel, 50]]);
    expect(done.deferred).toEqual([]);
  });

  it('with a manifest listing sizes and SHA-256, reads the files it lists once they match', async () => {
    const name = 'charge_lines_2025-04.csv';
    const rel = `${H2}/his/${name}`;
    const content = `${CHARGE_HEADER}\n${chargeLines('M', 0, 200)}`;
    const sha = createHash('sha256').update(content).digest('hex');
    await writeFile(his(H2, name), content.slice(0, 1000));
    await writeFile(
      his(H2, 'upload-20250501.manifest'),
      `# sha256 bytes file\n${sha}  ${Buffer.byteLength(content)}  ${name}\n`,
    );
    const early = await ingest({ markerSenders: [H2], quietSeconds: 30 });
    expect(early.deferred.find((d) => d.file === rel)?.reason).toMatch(/does not match its marker yet/);
    await writeFile(his(H2, name), content);
    const done = await ingest({ markerSenders: [H2], quietSeconds: 30 });
    expect(done.batches.map((b) => [b.delivery.relativePath, b.rowsRead])).toEqual([[rel, 200]]);
    expect(
      (await lstat(path.join(inbox, '_processed', H2, 'his', 'upload-20250501.manifest'))).isFile(),
    ).toBe(true);
  });

  it('rolls a batch back when its file changes while it is read, and loads it whole on the next run', async () => {
    const name = 'charge_lines_2025-05.csv';
    const rel = `${H1}/his/${name}`;
    await writeFile(his(H1, name), `${CHARGE_HEADER}\n${chargeLines('C', 0, 400)}`);
    // A sender still writing: more lines land once the reader has copied the rows, before commit.
    let appended = false;
    const logger = pino(
      { level: 'debug' },
      {
        write(line: string) {
          if (!appended && line.includes('rows copied to the batch table')) {
            appended = true;
            appendFileSync(his(H1, name), chargeLines('C', 400, 450));
          }
        },
      },
    );
    const run = await ingest({ logger });
    expect(appended).toBe(true);
    expect(run.batches).toEqual([]);
    expect(run.deferred.find((d) => d.file === rel)?.reason).toMatch(/changed while it was read/);
    expect(await batchesOf(rel)).toEqual([]);
    const next = await ingest();
    expect(next.batches.map((b) => [b.delivery.relativePath, b.rowsRead])).toEqual([[rel, 450]]);
  });

  it('survives a file deleted and one truncated between listing and reading', async () => {
    const deleted = 'charge_lines_2025-06.csv';
    const truncated = 'charge_lines_2025-07.csv';
    const after = 'charge_lines_2025-08.csv';
    for (const name of [deleted, truncated, after])
      await writeFile(his(H3, name), `${CHARGE_HEADER}\n${chargeLines('T', 0, 100)}`);
    const scan = await scanInbox(inbox, sources);
    await unlink(his(H3, deleted));
    await truncate(his(H3, truncated), 200);
    const run = await ingestScanned(pool, scan, { inbox, sources, logger: silentLogger });
    expect(run.deferred).toEqual([
      { file: `${H3}/his/${deleted}`, reason: 'deleted before it was read' },
      { file: `${H3}/his/${truncated}`, reason: 'changed since it was listed; read on a later run' },
    ]);
    expect(run.batches.map((b) => b.delivery.relativePath)).toEqual([`${H3}/his/${after}`]);
    // The next run reads the truncated file as it now is (its last line cut: quarantined, counted).
    const next = await ingest();
    const batch = next.batches.find((b) => b.delivery.relativePath === `${H3}/his/${truncated}`)!;
    expect(batch.rowsRead).toBe(batch.rowsLoaded + batch.rowsQuarantined + batch.rowsDuplicate);
    expect(batch.rowsRead).toBeGreaterThan(0);
  });

  it("rejects links to another hospital's processed delivery and to a file outside the inbox, loading nothing", async () => {
    const processed = path.join(inbox, '_processed', H1, 'his', 'charge_lines_2025-01.csv');
    await symlink(processed, his(H3, 'charge_lines_2025-09.csv'));
    await unlink(his(H3, 'departments.csv')).catch(() => undefined);
    await symlink(path.join(outside, 'departments.csv'), his(H3, 'departments.csv'));
    // A link as a system folder, to another hospital's processed folder.
    await mkdir(path.join(inbox, 'H32092500099'), { recursive: true });
    await symlink(path.join(inbox, '_processed', H1, 'his'), path.join(inbox, 'H32092500099', 'his'));
    // A hard link to a file outside, and a named pipe named like a delivery (reading it would block).
    await link(path.join(outside, 'departments.csv'), his(H3, 'charge_lines_2025-10.csv'));
    execFileSync('mkfifo', [his(H3, 'charge_lines_2025-11.csv')]);
    const run = await ingest();
    expect(run.batches).toEqual([]);
    expect(run.rejected.find((r) => r.file === `${H3}/his/charge_lines_2025-10.csv`)?.reason).toMatch(
      /is a hard link/,
    );
    expect(run.rejected.find((r) => r.file === `${H3}/his/charge_lines_2025-11.csv`)?.reason).toMatch(
      /is not a regular file \(a named pipe\)/,
    );
    const links = [`${H3}/his/charge_lines_2025-09.csv`, `${H3}/his/departments.csv`, 'H32092500099/his'];
    for (const file of links) {
      expect(run.rejected.find((r) => r.file === file)?.reason).toMatch(/is a symbolic link/);
      const { rows } = await pool.query(
        `select code, moved_to from ops.rejected_files where source_file = $1`,
        [file],
      );
      expect(rows).toEqual([{ code: 'E_LINK', moved_to: `_rejected/${file}.link` }]);
      // Moved as a link, never followed: the targets are where they were.
      expect((await lstat(path.join(inbox, '_rejected', `${file}.link`))).isSymbolicLink()).toBe(true);
    }
    expect(await readlink(path.join(inbox, '_rejected', `${H3}/his/departments.csv.link`))).toBe(
      path.join(outside, 'departments.csv'),
    );
    expect((await lstat(processed)).isFile()).toBe(true);
    const { rows } = await pool.query(
      `select count(*)::int as n from ops.batches where hospital_code in ($1, 'H32092500099') and source_file like '%2025-09%'`,
      [H3],
    );
    expect(rows[0].n).toBe(0);
    const { rows: departments } = await pool.query(
      `select count(*)::int as n from raw_his.departments where dept_code = 'X99'`,
    );
    expect(departments[0].n).toBe(0);
  });

  it("loads a publisher's delivery as its own batch, and refuses sources under the other kind of folder", async () => {
    const content = 'drg_code,hospital_level,mean_charge\nFR23,3,12000.50\nFR23,2,9800.00\nGB15,3,30500.00\n';
    const own = `P320900/insurance/test_regional_reference_2025.csv`;
    await mkdir(path.join(inbox, 'P320900', 'insurance'), { recursive: true });
    await writeFile(path.join(inbox, own), content);
    // The same file under a member hospital, a member's source under a publisher, an undeclared publisher.
    await mkdir(path.join(inbox, H1, 'insurance'), { recursive: true });
    await writeFile(path.join(inbox, H1, 'insurance', 'test_regional_reference_2025.csv'), content);
    await mkdir(path.join(inbox, 'P320900', 'his'), { recursive: true });
    await writeFile(path.join(inbox, 'P320900', 'his', 'departments.csv'), 'dept_code\n');
    await mkdir(path.join(inbox, 'P999999', 'insurance'), { recursive: true });
    await writeFile(path.join(inbox, 'P999999', 'insurance', 'test_regional_reference_2025.csv'), content);
    const run = await ingest();
    expect(run.batches.map((b) => [b.delivery.relativePath, b.outcome, b.rowsRead, b.rowsLoaded])).toEqual([
      [own, 'loaded', 3, 3],
    ]);
    expect(await batchesOf(own)).toEqual([
      {
        rows_read: 3,
        file_bytes: Buffer.byteLength(content),
        status: 'loaded',
        hospital_code: 'P320900',
      },
    ]);
    const reasons = run.unrecognisedReasons;
    expect(reasons[`${H1}/insurance/test_regional_reference_2025.csv`]).toMatch(
      /insurance\.test_regional_reference is delivered by a publisher/,
    );
    expect(reasons['P320900/his/departments.csv']).toMatch(
      /his\.departments is delivered by member hospitals/,
    );
    expect(reasons['P999999/insurance/test_regional_reference_2025.csv']).toMatch(
      /publisher P999999 is not declared/,
    );
    const { rows } = await pool.query(
      `select hospital_code, drg_code, mean_charge::text from raw_insurance.test_regional_reference order by drg_code, hospital_level`,
    );
    expect(rows).toEqual([
      { hospital_code: 'P320900', drg_code: 'FR23', mean_charge: '9800.00' },
      { hospital_code: 'P320900', drg_code: 'FR23', mean_charge: '12000.50' },
      { hospital_code: 'P320900', drg_code: 'GB15', mean_charge: '30500.00' },
    ]);
  });
});
