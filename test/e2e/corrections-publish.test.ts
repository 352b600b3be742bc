/**
 * What a steward and a reader rely on, on the small demo: every correction (a dictionary delivery
 * with a replay, a seed change, a corrected delivery of an old period) reaches the marts with an
 * ordinary run, exactly as a --full-refresh build would; and a delivery that breaks a blocking mart
 * test publishes nothing — readers keep the previous marts — until a corrected delivery arrives.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../core/config/config.ts';
import { createLogger, silentLogger } from '../../core/logging/logger.ts';
import { grantLogin } from '../../core/security/warehouse-logins.ts';
import { projectPaths } from '../../core/paths.ts';
import { signToken } from '../../cube/security/token.ts';
import { generateDemo } from '../../pipelines/demo/generate.ts';
import { replayQuarantine } from '../../pipelines/ingest/replay-quarantine.ts';
import {
  buildStage,
  ingestStage,
  loadProject,
  runPipeline,
  type StageContext,
} from '../../pipelines/run-pipeline.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { serveCube, type CubeApi } from '../support/cube-api.ts';
import { createPool } from '../../core/db/database.ts';

const SECRET = 'corrections-secret-that-is-long-enough-for-hs256';

let t: TestDatabase;
let pool: pg.Pool;
let inbox: string;
let config: Config;
let ctx: StageContext;
/** A UTF-8 hospital of the demo (the corrected files are written as it delivers them). */
let hospital: string;

/**
 * Every relation of `marts`, each ordered by its whole row: what a BI tool could read. The
 * data-quality marts are left out: they are live views of the ledger, which shows each run itself
 * (a full refresh, a blocked run), so they are meant to change.
 */
async function marts(db: pg.Pool | pg.Client = pool): Promise<Record<string, unknown[]>> {
  const { rows } = await pool.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'marts' and c.relkind in ('r', 'v', 'p')
        and c.relname not like 'fct\\_data\\_quality\\_%' order by 1`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of rows) {
    const readable = await db
      .query(`select * from marts.${name} as r order by r::text`)
      .then((r) => r.rows)
      .catch((error: Error) => [`not readable: ${error.message}`]);
    out[name] = readable;
  }
  return out;
}

/** An ordinary build, then a --full-refresh one; both must leave every mart the same. */
async function expectEqualToFullRefresh(): Promise<void> {
  const ordinary = await marts();
  const project = await loadProject();
  const full = await buildStage(ctx, project, { fullRefresh: true });
  expect(full.publication).toBe('published');
  expect(await marts()).toEqual(ordinary);
}

const processed = (...parts: string[]) => path.join(inbox, '_processed', hospital, ...parts);
const delivery = (...parts: string[]) => path.join(inbox, hospital, ...parts);

/** A charge-lines file's header and records, and a writer putting a changed copy back in the inbox. */
async function chargeFile(name: string) {
  const text = (await readFile(processed('his', name), 'utf8')).replace(/^\uFEFF/, '');
  const [header, ...records] = parse(text, { relax_column_count: true }) as string[][];
  const col = (column: string) => header!.indexOf(column);
  const write = async (rows: string[][]) =>
    writeFile(
      delivery('his', name),
      [header!, ...rows]
        .map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(','))
        .join('\n') + '\n',
    );
  return { header: header!, records, col, write };
}

beforeAll(async () => {
  t = await createTestDatabase();
  pool = createPool(t.url, 6);
  inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-corrections-'));
  await generateDemo({ size: 'small', seed: 7, outDir: inbox });
  const manifest = JSON.parse(await readFile(path.join(inbox, '_ground_truth', 'manifest.json'), 'utf8')) as {
    hospitals: { code: string; level_code: string; encoding: string; header_language?: string }[];
  };
  hospital = manifest.hospitals.find((h) => /utf-?8/i.test(h.encoding) && h.header_language !== 'zh')!.code;
  // Two members' deliveries (and the publishers') are enough to follow corrections; the whole
  // alliance is the end-to-end test's. The second is a 二级 hospital: it bills 挂号费 (category 13),
  // which the seed change below turns into a drug.
  const kept = new Set([hospital, manifest.hospitals.find((h) => h.level_code === '2')!.code]);
  for (const other of manifest.hospitals)
    if (!kept.has(other.code)) await rm(path.join(inbox, other.code), { recursive: true, force: true });
  config = loadConfig({
    HDW_INBOX: inbox,
    HDW_DATA_DIR: inbox,
    DATABASE_URL: t.url,
    HDW_INBOX_QUIET_SECONDS: '0',
  });
  ctx = {
    pool,
    config,
    logger: process.env.HDW_TEST_LOG ? createLogger('info') : silentLogger,
    targetDir: path.join(inbox, '_target'),
  };
  const first = await runPipeline(ctx);
  expect(first.ok).toBe(true);
}, 600_000);

afterAll(async () => {
  await pool?.end();
  await t?.drop();
  await rm(inbox, { recursive: true, force: true });
});

describe('corrections reach the marts with an ordinary run', () => {
  it('a corrected department dictionary, then a replay of the rows it releases', async () => {
    const { rows: held } = await pool.query<{ code: string }>(
      `select distinct c.code from ops.quarantine q
         cross join lateral (values (q.payload->>'order_dept_code'), (q.payload->>'exec_dept_code')) c (code)
        where q.source = 'his.charge_lines' and q.hospital_code = $1 and q.status = 'quarantined'
          and 'unknown_department_code' = any (q.rule_ids) and c.code is not null
          and c.code not in (select dept_code from raw_his.departments where hospital_code = $1)`,
      [hospital],
    );
    expect(held.length).toBeGreaterThan(0);
    const dictionary = (await readFile(processed('his', 'departments.csv'), 'utf8')).replace(/^\uFEFF/, '');
    const std = (parse(dictionary, { columns: true }) as Record<string, string>[])[0]!.std_dept_code!;
    await writeFile(
      delivery('his', 'departments.csv'),
      `${dictionary.trimEnd()}\n${held.map((h, i) => `${h.code},补录科室${i + 1},临床服务类,${std}`).join('\n')}\n`,
    );
    const linesBefore = await martLines();
    const ingest = await ingestStage(ctx);
    expect(ingest.batches.map((b) => b.outcome)).toEqual(['replaced']);
    const replay = await replayQuarantine(pool, {
      sources: allSources,
      logger: silentLogger,
      rule: 'unknown_department_code',
    });
    // visits held for the same rule are released too; the mart counts charge lines
    const released = replay
      .filter((r) => r.source === 'his.charge_lines')
      .reduce((n, r) => n + r.released, 0);
    expect(released).toBeGreaterThan(0);

    const run = await runPipeline(ctx);
    expect(run.ok).toBe(true);
    expect(await martLines()).toBe(linesBefore + released);
    await expectEqualToFullRefresh();
  });

  it("a seed change that remaps rows already merged (a charge category's drug flag)", async () => {
    const seeds = await findSeeds(projectPaths.seeds);
    const original = seeds.find((s) => s.name === 'charge_categories')!;
    const changed = path.join(inbox, '_seed', 'charge_categories.csv');
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(changed), { recursive: true }));
    await writeFile(
      changed,
      (await readFile(original.csv, 'utf8')).replace(/^13,([^,]*),false,/m, '13,$1,true,'),
    );
    await loadSeeds(
      pool,
      seeds.map((s) => (s === original ? { ...s, csv: changed } : s)),
      silentLogger,
    );
    const drugBefore = await drugAmount();
    const build = await buildStage(ctx, await loadProject());
    expect(build.publication).toBe('published');
    expect(build.models.find((m) => m.model === 'int_charge_lines__standardised')!.rebuiltFully).toBe(
      'ref.charge_categories changed',
    );
    expect(await drugAmount()).toBeGreaterThan(drugBefore);
    await expectEqualToFullRefresh();
    await loadSeeds(pool, seeds, silentLogger);
  });

  it('a corrected delivery replacing the oldest period, older than any look-back', async () => {
    const names = (await readdir(processed('his'))).filter((n) => n.startsWith('charge_lines_')).sort();
    const file = await chargeFile(names[0]!);
    await file.write(file.records.slice(0, -10));
    const ingest = await ingestStage(ctx);
    expect(ingest.batches.map((b) => b.outcome)).toEqual(['replaced']);
    const run = await runPipeline(ctx);
    expect(run.ok).toBe(true);
    await expectEqualToFullRefresh();
  });
});

describe('write-audit-publish', () => {
  let api: CubeApi;
  let base: string;

  beforeAll(async () => {
    api = await serveCube({ databaseUrl: t.url, jwtSecret: SECRET });
    base = api.base;
  });

  afterAll(async () => {
    await api?.close();
  });

  async function cubeTotals(role: 'analyst' | 'member'): Promise<unknown> {
    const token = await signToken(
      { role, alliance_id: 'YH01', ...(role === 'member' && { hospital_code: hospital }) },
      SECRET,
      600,
    );
    const query = {
      measures: ['department_charge_analysis.total_charge_amount'],
      dimensions: ['department_charge_analysis.hospital_code', 'department_charge_analysis.department_name'],
      order: {
        'department_charge_analysis.hospital_code': 'asc',
        'department_charge_analysis.department_name': 'asc',
      },
    };
    for (let attempt = 0; attempt < 60; attempt++) {
      const response = await fetch(
        `${base}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`,
        {
          headers: { Authorization: token },
        },
      );
      const body = (await response.json()) as { data?: unknown[]; error?: string };
      if (body.error === 'Continue wait') {
        await new Promise((r) => setTimeout(r, 1500));
        continue;
      }
      expect(response.status).toBe(200);
      return body.data;
    }
    throw new Error('Cube kept answering "Continue wait"');
  }

  it('a delivery breaking a blocking mart test publishes nothing; a corrected delivery publishes', async () => {
    const database = new URL(t.url).pathname.slice(1);
    const login = await grantLogin(pool, silentLogger, {
      kind: 'member',
      hospitalCode: hospital,
      roleName: `hdwt_member_${database}`.toLowerCase(),
    });
    const url = new URL(t.url);
    url.username = login.roleName;
    url.password = login.password;
    const member = new pg.Client({ connectionString: url.toString() });
    await member.connect();
    const shared = async () =>
      (await member.query(`select * from shared.alliance_charge_benchmark r order by r::text`)).rows;
    try {
      const before = {
        member: await marts(member),
        shared: await shared(),
        owner: await marts(),
        cubeAnalyst: await cubeTotals('analyst'),
        cubeMember: await cubeTotals('member'),
      };
      expect(before.member.fct_department_charges_monthly!.length).toBeGreaterThan(0);

      // a refund line far larger than its month's charges: the cell's net amount turns negative
      const names = (await readdir(processed('his'))).filter((n) => n.startsWith('charge_lines_')).sort();
      const name = names[names.length - 1]!;
      const file = await chargeFile(name);
      // a line that loaded (not one the demo made defective)
      const { rows: loaded } = await pool.query<{ line_id: string }>(
        `select c.line_id from raw_his.charge_lines c join ops.batches b using (batch_id)
          where b.status = 'loaded' and b.hospital_code = $1 and b.source_file like '%' || $2
            and c.amount > 0 order by c.source_line desc limit 1`,
        [hospital, name],
      );
      const last = file.records.find((r) => r[file.col('line_id')] === loaded[0]!.line_id)!;
      const refund = [...last];
      refund[file.col('line_id')] = `${last[file.col('line_id')]}-R`;
      refund[file.col('quantity')] = '-1';
      refund[file.col('unit_price')] = '9999999.00';
      refund[file.col('amount')] = '-9999999.00';
      await file.write([...file.records, refund]);
      await ingestStage(ctx);
      const blocked = await runPipeline(ctx);
      expect(blocked.ok).toBe(false);
      expect(blocked.publication).toBe('blocked');
      expect(blocked.blockedBy).toEqual([
        expect.stringMatching(
          /^fct_department_charges_monthly expression\(net_charges_not_negative\): 1 failing rows$/,
        ),
      ]);
      expect(await marts(member)).toEqual(before.member);
      expect(await shared()).toEqual(before.shared);
      expect(await marts()).toEqual(before.owner);
      expect(await cubeTotals('analyst')).toEqual(before.cubeAnalyst);
      expect(await cubeTotals('member')).toEqual(before.cubeMember);
      // the audit schema is the owner's alone
      const audit = await member
        .query(`select count(*) from marts__audit.fct_department_charges_monthly`)
        .then(
          () => 'readable',
          (error: Error) => error.message,
        );
      expect(audit).toMatch(/permission denied/);
      const { rows: jobs } = await pool.query(
        `select status, detail from ops.job_runs where job = 'build' order by run_id desc limit 1`,
      );
      expect(jobs[0]).toMatchObject({ status: 'failed', detail: { publication: 'blocked' } });
      const { rows: runs } = await pool.query(
        `select count(*)::int as n from ops.model_runs where kind = 'publish' and status = 'blocked'
            and model = 'fct_department_charges_monthly' and message like '%net_charges_not_negative%'`,
      );
      expect(runs[0].n).toBe(1);

      // the hospital delivers the month again, corrected: the refund had the wrong sign
      refund[file.col('quantity')] = '1';
      refund[file.col('unit_price')] = '99.00';
      refund[file.col('amount')] = '99.00';
      await file.write([...file.records, refund]);
      await ingestStage(ctx);
      const fixed = await runPipeline(ctx);
      expect(fixed.publication).toBe('published');
      expect(fixed.ok).toBe(true);
      expect(await marts(member)).not.toEqual(before.member);
      expect(
        (await member.query(`select distinct hospital_code from marts.fct_department_charges_monthly`)).rows,
      ).toEqual([{ hospital_code: hospital }]);
      expect((await pool.query(`select to_regnamespace('marts__audit') as s`)).rows[0].s).toBeNull();
    } finally {
      await member.end();
    }
  });
});

async function martLines(): Promise<number> {
  const { rows } = await pool.query(
    `select coalesce(sum(line_count), 0)::int as n from marts.fct_department_charges_monthly where hospital_code = $1`,
    [hospital],
  );
  return rows[0].n;
}

async function drugAmount(): Promise<number> {
  const { rows } = await pool.query(
    `select coalesce(sum(charge_amount), 0)::numeric as n from marts.fct_department_charges_monthly where is_drug`,
  );
  return Number(rows[0].n);
}
