/**
 * Ingestion speed and memory: a generated charge-line file (2,000,000 lines; 10,000,000 too unless
 * HDW_BENCH_SKIP_10M=1) is ingested as one batch (decode, split, type, rules, quarantine, load) in a
 * child process, whose peak RSS is the figure that must stay flat; in the same run the same file is
 * loaded with a plain PostgreSQL `COPY … (format csv)` into a table of the same columns. Prints
 * ingest_rows_per_s, copy_rows_per_s, ingest_vs_copy_ratio and peak RSS (target: ratio ≥ 0.5,
 * RSS < 300 MB for both sizes).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb, createPool } from '../../core/db/database.ts';
import { migrateToLatest } from '../../core/db/migrate.ts';
import { createLogger, silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import type { BenchContext } from './run.ts';

const H1 = 'H32090200001';
const VISITS = 100_000;
const ITEMS = 300;
const DEPTS = 20;
const header =
  'line_id,visit_type,visit_id,charge_time,item_code,item_name,category_code,quantity,unit_price,amount,order_dept_code,exec_dept_code';

export default async function ingestBench(ctx: BenchContext): Promise<void> {
  const sizes = process.env.HDW_BENCH_LINES
    ? [Number(process.env.HDW_BENCH_LINES)]
    : process.env.HDW_BENCH_SKIP_10M === '1'
      ? [2_000_000]
      : [2_000_000, 10_000_000];
  for (const lines of sizes) {
    const label = lines >= 1_000_000 ? `${lines / 1_000_000}m` : String(lines);
    const url = await createDatabase(ctx.pgAdminUrl, `bench_ingest_${label}`);
    const inbox = path.join(ctx.workDir, `inbox-${label}`);
    await writeReferenceFiles(inbox);
    const file = path.join(inbox, H1, 'his', 'charge_lines_2025-01.csv');
    await writeChargeLines(file, lines);

    // Dictionaries and visits first (not timed), then the charge file alone, in a child process.
    await runChild(url, inbox, 'reference');
    const child = await runChild(url, inbox, 'charges');
    // Ingestion moved the file to _processed; COPY reads the same bytes from there.
    const copySeconds = await plainCopy(
      url,
      path.join(inbox, '_processed', H1, 'his', 'charge_lines_2025-01.csv'),
    );
    const ingestRate = child.rowsRead / child.seconds;
    const copyRate = lines / copySeconds;
    if (lines === 2_000_000) {
      ctx.report('ingest_rows_per_s', Math.round(ingestRate));
      ctx.report('copy_rows_per_s', Math.round(copyRate));
      ctx.report('ingest_vs_copy_ratio', (ingestRate / copyRate).toFixed(2));
      ctx.report('peak_rss_mb', Math.round(child.maxRssKb / 1024));
    }
    ctx.report(`lines_${label}`, lines);
    ctx.report(`ingest_seconds_${label}`, child.seconds.toFixed(1));
    ctx.report(`copy_seconds_${label}`, copySeconds.toFixed(1));
    ctx.report(`ingest_vs_copy_ratio_${label}`, (ingestRate / copyRate).toFixed(2));
    ctx.report(`peak_rss_mb_${label}`, Math.round(child.maxRssKb / 1024));
    ctx.report(`rows_loaded_${label}`, child.rowsLoaded);
    ctx.report(`rows_quarantined_${label}`, child.rowsQuarantined);
    await dropDatabase(ctx.pgAdminUrl, `bench_ingest_${label}`);
  }
}

/** Deliveries the charge lines refer to: departments, items, inpatient visits. */
async function writeReferenceFiles(inbox: string): Promise<void> {
  const his = path.join(inbox, H1, 'his');
  await mkdir(his, { recursive: true });
  const depts = Array.from({ length: DEPTS }, (_, i) => `D${i},科室${i},临床服务类,A03.04`);
  await writeFile(
    path.join(his, 'departments.csv'),
    `dept_code,dept_name,dept_class,std_dept_code\n${depts.join('\n')}\n`,
  );
  const items = Array.from(
    { length: ITEMS },
    (_, i) => `I${i},项目${i},${String((i % 14) + 1).padStart(2, '0')},X${i},${price(i)},次`,
  );
  await writeFile(
    path.join(his, 'charge_items.csv'),
    `item_code,item_name,category_code,insurance_code,unit_price,unit\n${items.join('\n')}\n`,
  );
  const visits = Array.from(
    { length: VISITS },
    (_, i) =>
      `V${i},P${i},${(i % 2) + 1},1960-01-01,2025-01-01 08:00:00,2025-01-20 10:00:00,D${i % DEPTS},D${i % DEPTS},1,310,0`,
  );
  await writeFile(
    path.join(his, 'inpatient_visits_2025-01.csv'),
    `visit_id,patient_id,gender,birth_date,admit_time,discharge_time,admit_dept_code,discharge_dept_code,discharge_way,insurance_type,total_amount\n${visits.join('\n')}\n`,
  );
}

function price(i: number): string {
  return (((i * 7919) % 50000) / 100 + 0.5).toFixed(2);
}

/** Charge lines like a ward's: a few quoted names, 0.1% unknown items (quarantined), 0.1% duplicates. */
async function writeChargeLines(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  out.write(`${header}\n`);
  let chunk = '';
  let previous = '';
  for (let n = 0; n < lines; n += 1) {
    let line: string;
    if (n % 1000 === 999) line = previous;
    else {
      const item = (n * 31) % ITEMS;
      const qty = (n % 3) + 1;
      const p = price(item);
      const amount = (Math.round(qty * Number(p) * 100) / 100).toFixed(2);
      const name = n % 50 === 0 ? `"复方氨基酸注射液(18AA,250ml)"` : `项目${item}`;
      const code = n % 1000 === 500 ? 'I_UNKNOWN' : `I${item}`;
      const day = String((n % 28) + 1).padStart(2, '0');
      line = `L${n},I,V${n % VISITS},2025-01-${day} 09:${String(n % 60).padStart(2, '0')}:00,${code},${name},01,${qty},${p},${amount},D${n % DEPTS},D${(n + 1) % DEPTS}`;
    }
    previous = line;
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Loads the file with nothing but COPY into a table of the same typed columns: the yardstick. */
async function plainCopy(url: string, file: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`create table copy_yardstick (line_id text, visit_type text, visit_id text, charge_time timestamp, item_code text,
      item_name text, category_code text, quantity numeric, unit_price numeric, amount numeric, order_dept_code text, exec_dept_code text)`);
    const started = performance.now();
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      client.query(copyFrom(`copy copy_yardstick from stdin (format csv, header true)`)),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

interface ChildFigures {
  readonly seconds: number;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsQuarantined: number;
  readonly maxRssKb: number;
}

const self = fileURLToPath(import.meta.url);

function runChild(url: string, inbox: string, phase: 'reference' | 'charges'): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    // The heap is capped: a reader that held the file (or fell behind COPY) would fail here, so the
    // peak RSS measured is what ingestion needs, not what V8 lazily keeps before collecting.
    const child = spawn(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', self], {
      env: { ...process.env, HDW_INGEST_BENCH_CHILD: JSON.stringify({ url, inbox, phase }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    if (process.env.HDW_BENCH_DEBUG === '1') child.stdout.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildFigures)
        : reject(new Error(`ingest child exited ${code}`)),
    );
  });
}

/** The child: ingests one phase of the inbox and prints its figures (its own peak RSS) as JSON. */
async function child(spec: { url: string; inbox: string; phase: 'reference' | 'charges' }): Promise<void> {
  const { ingestInbox } = await import('../../pipelines/ingest/ingest-inbox.ts');
  const { hisSources } = await import('../../pipelines/sources/his/index.ts');
  const pool = createPool(spec.url, 4);
  const sources = hisSources.filter((s) => (spec.phase === 'charges') === (s.entity === 'charge_lines'));
  const started = performance.now();
  const logger = process.env.HDW_BENCH_DEBUG === '1' ? createLogger('debug') : silentLogger;
  const summary = await ingestInbox(pool, { inbox: spec.inbox, sources, logger });
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  if (summary.rejected.length > 0) throw new Error(summary.rejected.map((r) => r.reason).join('; '));
  const sum = (pick: (b: (typeof summary.batches)[number]) => number) =>
    summary.batches.reduce((n, b) => n + pick(b), 0);
  const figures: ChildFigures = {
    seconds,
    rowsRead: sum((b) => b.rowsRead),
    rowsLoaded: sum((b) => b.rowsLoaded),
    rowsQuarantined: sum((b) => b.rowsQuarantined),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const db = createDb(u.toString());
  await migrateToLatest(db, silentLogger);
  await db.destroy();
  const pool = new pg.Pool({ connectionString: u.toString(), max: 1 });
  await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
  await pool.end();
  return u.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

if (process.env.HDW_INGEST_BENCH_CHILD) {
  await child(
    JSON.parse(process.env.HDW_INGEST_BENCH_CHILD) as {
      url: string;
      inbox: string;
      phase: 'reference' | 'charges';
    },
  );
}
