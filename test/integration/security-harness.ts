/**
 * Shared set-up of the security tests (not a test file itself): marts the engine builds from fixture
 * deliveries, and ops rows, for the three hospitals of seeds/reference/hospitals.csv, Cube on an ephemeral port, and PostgreSQL logins
 * that are unique per test database (roles belong to the whole test cluster) and dropped afterwards.
 *
 * Amounts are fingerprinted so that any sum reveals which hospitals it drew on: hospital A's rows
 * hold 1–99 cents, B's multiples of 10^4 cents (1–99 of them), C's multiples of 10^8 cents, and no
 * hospital's total reaches the next scale. `hospitalsIn(cents)` decodes a sum back into them.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../core/config/config.ts';
import { createPool } from '../../core/db/database.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { applyWarehouseSecurity } from '../../core/security/warehouse-security.ts';
import { grantLogin, type LoginKind } from '../../core/security/warehouse-logins.ts';
import type { SharingPolicy } from '../../core/security/sharing-policy.ts';
import type { CubeServerOptions } from '../../cube/server.ts';
import { serveCube, type CubeApi } from '../support/cube-api.ts';
import { modelsReadByCubes, readCubeModel } from '../../core/semantic/cube-model.ts';
import { projectPaths } from '../../core/paths.ts';

export type { CubeApi };
import { buildDataQualityModels } from '../support/data-quality.ts';
import { buildStage, ingestStage, seedStage, type StageContext } from '../../pipelines/run-pipeline.ts';
import { CHARGE_HEADER } from '../support/his-inbox.ts';
import { withDatabase, type TestDatabase } from '../support/database.ts';

export const secret = 'security-test-secret-0123456789-abcdef';
export const alliance = 'YH01';
export const [hospitalA, hospitalB, hospitalC] = ['H32090200001', 'H32092100011', 'H32092500021'] as const;
export type Hospital = typeof hospitalA | typeof hospitalB | typeof hospitalC;
export const hospitals: readonly Hospital[] = [hospitalA, hospitalB, hospitalC];
const hospitalInfo: Record<Hospital, readonly [string, string]> = {
  [hospitalA]: ['盐城市东湖中心医院', '3'],
  [hospitalB]: ['响水县滨河人民医院', '2'],
  [hospitalC]: ['建湖县芦荡人民医院', '2'],
};
const scale: Record<Hospital, bigint> = { [hospitalA]: 1n, [hospitalB]: 10_000n, [hospitalC]: 100_000_000n };

/** Departments D01, D02 exist everywhere; each hospital also has one of its own. */
export const ownDepartment: Record<Hospital, string> = {
  [hospitalA]: 'DA1',
  [hospitalB]: 'DB1',
  [hospitalC]: 'DC1',
};
const departmentNames: Record<string, string> = {
  D01: '内科',
  D02: '外科',
  DA1: '心内科',
  DB1: '全科',
  DC1: '康复科',
};
// 医保 charge categories: [name, is_drug, is_herbal_pieces, is_material]
export const categories = {
  '03': ['检查费', false, false, false],
  '08': ['卫生材料费', false, false, true],
  '09': ['西药费', true, false, false],
  '10': ['中药饮片费', true, true, false],
} as const;
export const months = ['2025-01-01', '2025-02-01', '2025-03-01'] as const;
/** The cost item each charge category's fingerprinted amount is booked under in the ERP ledger. */
const ledgerItem: Record<keyof typeof categories, string> = {
  '03': '07',
  '08': '02',
  '09': '03',
  '10': '01',
};
/**
 * The marts the harness builds (with everything upstream): every model a cube reads, so that Cube
 * starts and warms its pre-aggregations as it does in production. The fixture fills the charges
 * and cost marts; the others are built from whatever the fixture delivers (mostly nothing).
 */
export const harnessMarts = modelsReadByCubes(await readCubeModel(projectPaths.cubeModel));

export interface MartRow {
  readonly hospital: Hospital;
  readonly department: string;
  readonly month: string;
  readonly visit: 'inpatient' | 'outpatient';
  readonly category: keyof typeof categories;
  readonly cents: bigint;
  readonly lines: number;
}

/** A small deterministic PRNG (mulberry32), so a failing shape can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fixture rows: about 70% of hospital × department × month × visit × category, 1–8 lines each. */
export function fixtureRows(seed = 5): MartRow[] {
  const random = prng(seed);
  const rows: MartRow[] = [];
  for (const hospital of hospitals) {
    for (const department of ['D01', 'D02', ownDepartment[hospital]]) {
      for (const month of months) {
        for (const visit of ['inpatient', 'outpatient'] as const) {
          for (const category of Object.keys(categories) as Array<keyof typeof categories>) {
            if (random() < 0.3) continue;
            const units = BigInt(1 + Math.floor(random() * 99));
            rows.push({
              hospital,
              department,
              month,
              visit,
              category,
              cents: units * scale[hospital],
              lines: 1 + Math.floor(random() * 8),
            });
          }
        }
      }
    }
  }
  return rows;
}

/** Which hospitals a sum of fingerprinted amounts (in cents) drew on. */
export function hospitalsIn(cents: bigint): Hospital[] {
  const parts: Array<[Hospital, bigint]> = [
    [hospitalA, cents % 10_000n],
    [hospitalB, (cents / 10_000n) % 10_000n],
    [hospitalC, cents / 100_000_000n],
  ];
  return parts.filter(([, part]) => part !== 0n).map(([hospital]) => hospital);
}

export function toCents(value: unknown): bigint {
  return BigInt(Math.round(Number(value) * 100));
}

function money(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/**
 * The marts the engine builds from delivered data, with the fixture rows: HIS deliveries (see
 * `insertChargeRows`) ingested and the models built up to the charges and cost marts (and dim_hospitals).
 */
export async function createMarts(t: TestDatabase, rows: readonly MartRow[]): Promise<void> {
  await insertChargeRows(t, rows, { hospitals: hospitalInfo, departments: departmentNames });
}

/** A charges-mart row of a test fixture; amounts in integer cents so expectations stay exact. */
export interface ChargeFixtureRow {
  readonly hospital: string;
  readonly department: string;
  readonly month: string;
  readonly visit: 'inpatient' | 'outpatient';
  readonly category: keyof typeof categories;
  readonly cents: bigint | number;
  readonly lines: number;
}

interface Deliveries {
  readonly inbox: string;
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly rows: ChargeFixtureRow[];
}
const deliveries = new Map<string, Deliveries>();

/**
 * Makes the charges mart hold `rows` (on top of those of earlier calls) the way production does:
 * as HIS deliveries of each hospital (departments mapped to standard departments of the same code,
 * one item per charge category, a visit per month, and each fixture row as `lines` charge lines
 * summing to its cents) ingested through the declared sources and rules, then the models built by
 * the engine up to `harnessMarts`. Seeds are loaded first; hospitals and
 * the fixture's departments are standard departments of ref under the names given. A later call
 * delivers the affected months again (corrected deliveries replace their batch). Fails if any
 * line is quarantined, so the mart equals the fixture exactly. Each month's charges are also
 * delivered as the ERP cost ledger (by department and cost item), so the cost marts hold them too.
 */
export async function insertChargeRows(
  t: TestDatabase,
  rows: readonly ChargeFixtureRow[],
  names: {
    readonly hospitals: Readonly<Record<string, readonly [string, string]>>;
    readonly departments: Readonly<Record<string, string>>;
  },
): Promise<void> {
  let state = deliveries.get(t.url);
  if (!state) {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'hdw-harness-'));
    const config = loadConfig(
      {
        HDW_INBOX: path.join(folder, 'inbox'),
        HDW_DATA_DIR: path.join(folder, 'data'),
        HDW_LOG_LEVEL: 'silent',
        // The harness writes whole files itself: no upload is in progress.
        HDW_INBOX_QUIET_SECONDS: '0',
      },
      folder,
    );
    state = { inbox: config.HDW_INBOX, config, pool: createPool(t.url, 2), rows: [] };
    deliveries.set(t.url, state);
    await seedStage(stage(state));
  }
  for (const [code, [name, level]] of Object.entries(names.hospitals)) {
    await sql`insert into ref.hospitals (hospital_code, hospital_name, hospital_level, level_name, region_code, alliance_id)
      select ${code}, ${name}, ${level}, ${level === '3' ? '三级' : '二级'}, ${code.slice(1, 7)}, ${alliance}
      where not exists (select from ref.hospitals where hospital_code = ${code})`.execute(t.db);
  }
  for (const [code, name] of Object.entries(names.departments)) {
    // The fixture's codes are its standard departments, under the fixture's names.
    await sql`delete from ref.standard_departments where std_dept_code = ${code}`.execute(t.db);
    await sql`insert into ref.standard_departments (std_dept_code, std_dept_name, dept_class)
      values (${code}, ${name}, '临床服务类')`.execute(t.db);
  }
  const touched = new Set(rows.map((row) => `${row.hospital}|${row.month.slice(0, 7)}`));
  state.rows.push(...rows);
  for (const hospital of new Set(rows.map((row) => row.hospital))) {
    const his = path.join(state.inbox, hospital, 'his');
    await mkdir(his, { recursive: true });
    const mine = state.rows.map((row, index) => ({ row, index })).filter((r) => r.row.hospital === hospital);
    const departments = [...new Set(mine.map((r) => r.row.department))].sort();
    await writeFile(
      path.join(his, 'departments.csv'),
      [
        'dept_code,dept_name,dept_class,std_dept_code',
        ...departments.map((d) => `${d},${names.departments[d]},临床服务类,${d}`),
      ].join('\n'),
    );
    await writeFile(
      path.join(his, 'charge_items.csv'),
      [
        'item_code,item_name,category_code,insurance_code,unit_price,unit',
        ...Object.entries(categories).map(([code, [name]]) => `I${code},${name},${code},X${code},0.01,次`),
      ].join('\n'),
    );
    for (const period of [...new Set(mine.map((r) => r.row.month.slice(0, 7)))].sort()) {
      if (!touched.has(`${hospital}|${period}`)) continue;
      const ofMonth = mine.filter((r) => r.row.month.startsWith(period));
      const department = ofMonth[0]!.row.department;
      await writeFile(
        path.join(his, `inpatient_visits_${period}.csv`),
        'visit_id,patient_id,gender,birth_date,admit_time,discharge_time,admit_dept_code,discharge_dept_code,discharge_way,insurance_type,total_amount\n' +
          `I${period},P1,1,1960-01-01,${period}-01 08:00:00,${period}-20 10:00:00,${department},${department},1,310,0\n`,
      );
      await writeFile(
        path.join(his, `outpatient_visits_${period}.csv`),
        `visit_id,patient_id,gender,birth_date,visit_time,dept_code,insurance_type\nO${period},P2,2,1970-01-01,${period}-10 09:00:00,${department},310\n`,
      );
      const lines = ofMonth.flatMap(({ row, index }) => {
        const cents = BigInt(row.cents);
        const count = BigInt(row.lines);
        return Array.from({ length: row.lines }, (_, i) => {
          const share = cents / count + (BigInt(i) < cents % count ? 1n : 0n);
          const visit = row.visit === 'inpatient' ? 'I' : 'O';
          return `L${index}-${i},${visit},${visit}${period},${period}-10 10:00:00,I${row.category},,${row.category},${share},0.01,${money(share)},${row.department},${row.department}`;
        });
      });
      await writeFile(path.join(his, `charge_lines_${period}.csv`), [CHARGE_HEADER, ...lines].join('\n'));
      // The ERP ledger of the month: each department's charges again, as cost by item, so the
      // cost marts carry the same per-hospital fingerprints (all units clinical: nothing is allocated).
      const ledger = new Map<string, bigint>();
      for (const { row } of ofMonth) {
        const key = `${row.department},${ledgerItem[row.category]}`;
        ledger.set(key, (ledger.get(key) ?? 0n) + BigInt(row.cents));
      }
      const erp = path.join(state.inbox, hospital, 'erp');
      await mkdir(erp, { recursive: true });
      await writeFile(
        path.join(erp, `cost_ledger_${period}.csv`),
        [
          'period,dept_code,dept_name,cost_item_code,cost_item_name,cost_subitem_code,cost_subitem_name,amount',
          ...[...ledger].map(([key, cents]) => {
            const [department, item] = key.split(',');
            return `${period},${department},${names.departments[department!]},${item},,,,${money(cents)}`;
          }),
        ].join('\n'),
      );
    }
  }
  const ingest = await ingestStage(stage(state));
  const quarantined = await sql<{
    n: string;
  }>`select coalesce(sum(rows_quarantined), 0)::text as n from ops.batches
    where status = 'loaded' and content_sha256 not like 'sha-%'`.execute(t.db);
  if (
    quarantined.rows[0]?.n !== '0' ||
    ingest.rejected.length > 0 ||
    ingest.unrecognised.length > 0 ||
    ingest.deferred.length > 0
  ) {
    throw new Error(`the harness's deliveries were not loaded cleanly: ${JSON.stringify(ingest)}`);
  }
  const built = await buildStage(stage(state), undefined, {
    select: harnessMarts.map((m) => `+${m}`).join(' '),
  });
  if (built.publication !== 'published')
    throw new Error(`the harness's build was not published: ${built.blockedBy.join('; ')}`);
}

function stage(state: Deliveries): StageContext {
  return {
    pool: state.pool,
    config: state.config,
    logger: silentLogger,
    targetDir: path.join(state.inbox, '..', 'target'),
  };
}

/** Closes the harness's pool of a test database (call before dropping it). */
export async function closeDeliveries(t: TestDatabase): Promise<void> {
  const state = deliveries.get(t.url);
  deliveries.delete(t.url);
  await state?.pool.end();
}

/** A marker every quarantined payload carries, so a test can tell whether payloads leaked. */
export const payloadMarker = 'PATIENT-SECRET';

/**
 * Per hospital: two batches, a blocking exception with its quarantined row, and a warning; then
 * the data-quality models are built from them by the engine (Cube's data-quality cubes read those marts).
 */
export async function createOpsRows(t: TestDatabase): Promise<void> {
  for (const hospital of hospitals) {
    for (const [index, source] of ['his.charge_lines', 'his.outpatient_visits'].entries()) {
      const { rows } = await sql<{ batch_id: number }>`insert into ops.batches
        (source, hospital_code, period, source_file, content_sha256, encoding, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_warned)
        values (${source}, ${hospital}, '2024-12', ${`${hospital}/his/${source}.csv`}, ${`sha-${hospital}-${index}`}, 'utf-8', 'loaded', 12, 10, 1, 1, 1)
        returning batch_id`.execute(t.db);
      const batch = rows[0]!.batch_id;
      await sql`insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload)
        values (${batch}, ${source}, ${hospital}, 'f.csv', 7, ${`R-${hospital}`}, ${['required_fields']}, ${JSON.stringify({ patient: `${payloadMarker}-${hospital}` })}::jsonb)`.execute(
        t.db,
      );
      await sql`insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message)
        values (${batch}, 'required_fields', 'blocking', ${source}, ${hospital}, 'f.csv', 7, ${`R-${hospital}`}, 'visit_id missing'),
               (${batch}, 'price_deviation', 'warning', ${source}, ${hospital}, 'f.csv', 9, ${`W-${hospital}`}, 'unit price 30% off')`.execute(
        t.db,
      );
      await sql`insert into ops.batch_rule_results (batch_id, rule_id, category, severity, rows_checked, rows_failed, threshold, flagged)
        values (${batch}, 'required_fields', 'completeness', 'blocking', 12, 1, 0.05, true)`.execute(t.db);
    }
  }
  const pool = createPool(t.url, 2);
  try {
    await buildDataQualityModels(pool);
  } finally {
    await pool.end();
  }
}

/** Cube on 127.0.0.1 and an ephemeral port, signed with the harness's secret. */
export function startCube(
  t: TestDatabase,
  options: Partial<Omit<CubeServerOptions, 'databaseUrl' | 'logger'>> = {},
): Promise<CubeApi> {
  return serveCube({ databaseUrl: t.url, jwtSecret: secret, ...options });
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POST to the Cube API; waits out Cube's "Continue wait" (a query still running) like a real client. */
export async function post(base: string, route: string, body: unknown, token?: string): Promise<Answer> {
  // Bounded by time, not attempts: on a loaded machine Cube may ask to wait many times quickly, and
  // after a publish it rebuilds every pre-aggregation (eighteen now) before some queries answer.
  for (const until = Date.now() + 180_000; Date.now() < until;) {
    const response = await fetch(`${base}/cubejs-api${route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (json.error !== 'Continue wait') return { status: response.status, body: json };
  }
  throw new Error('Cube kept answering "Continue wait" for 180 s');
}

export interface Login {
  readonly roleName: string;
  readonly url: string;
}

/**
 * Logins for this test database, named `<kind>_<database>_<suffix>` so that test files running at
 * the same time on the cluster never share one. `dropLogins` removes them after the database.
 */
export async function createLogin(
  pool: pg.Pool,
  t: TestDatabase,
  kind: LoginKind,
  suffix: string,
  hospitalCode?: string,
): Promise<Login> {
  const database = new URL(t.url).pathname.slice(1);
  const login = await grantLogin(pool, silentLogger, {
    kind,
    roleName: `hdwt_${kind}_${database}_${suffix}`.toLowerCase(),
    ...(hospitalCode ? { hospitalCode } : {}),
  });
  const url = new URL(t.url);
  url.username = login.roleName;
  url.password = login.password;
  return { roleName: login.roleName, url: url.toString() };
}

/** Drops logins from the cluster; call after the test database is dropped (they hold nothing else). */
export async function dropLogins(logins: readonly Login[]): Promise<void> {
  const admin = new pg.Client(withDatabase(inject('pgAdminUrl'), 'postgres'));
  await admin.connect();
  try {
    for (const login of logins) await admin.query(`drop role if exists "${login.roleName}"`);
  } finally {
    await admin.end();
  }
}

/** Runs `fn` with a client connected as `login` (password auth on 127.0.0.1, like a BI tool). */
export async function asLogin<T>(login: Login, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: login.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Applies the warehouse's roles, grants, RLS policies and shared relations with `policy`. */
export async function secureWarehouse(pool: pg.Pool, policy: SharingPolicy): Promise<void> {
  await applyWarehouseSecurity(pool, silentLogger, policy);
}
