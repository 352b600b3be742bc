import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { buildStage, ingestStage, seedStage, type IngestStageSummary } from '../../pipelines/run-pipeline.ts';
import {
  poolTruth,
  readIpps,
  readMsDrgWeights,
  type IppsRow,
  type Member,
  type PoolTruth,
} from '../support/benchmark-truth.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

/**
 * External benchmark tables (issue 15 item 2) on real data: the CMS IPPS provider summary and the
 * MS-DRG weights table (../shared/datasets/cms-ipps, skipped where absent) are delivered as CMS
 * publishes them into `<inbox>/P840000/benchmark/` and load through their declarations
 * (pipelines/sources/benchmark/cms-ipps.ts, no code of their own); the benchmark marts are built
 * and every DRG × state mean, percentile and provider rank, every DRG × referral-region mean and
 * percentile, and every provider's CMI equal this test's own computation from the files
 * (test/support/benchmark-truth.ts). A five-provider table of a made-up period, worked by hand,
 * loads beside it.
 */
const CMS_IPPS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'cms-ipps');
const PUBLISHER = 'P840000';
const IPPS = 'cms_ipps_provider_summary';
// The external tables' models only (the alliance's own peer marts share the folder but read the demo's marts).
const SELECT =
  'path:models/staging/benchmark fct_benchmark_external_distribution fct_benchmark_external_providers fct_benchmark_external_case_mix';

/** The measures the IPPS summary publishes, with the CSV field each comes from. */
const MEASURES = {
  mean_charge: (r: IppsRow) => r.charge,
  mean_total_payment: (r: IppsRow) => r.totalPayment,
  mean_fund_payment: (r: IppsRow) => r.medicarePayment,
} as const;

const HEADER =
  'Code,Definition,Provider.Id,Provider.Name,Provider.Street.Address,Provider.City,Provider.State,Provider.Zip.Code,Hospital.Referral.Region.Description,Total.Discharges,Average.Covered.Charges,Average.Total.Payments,Average.Medicare.Payments';
/**
 * Five providers of state ZZ for DRG 039, worked by hand (period 2099; the IPPS period is 2011):
 *   charges 100, 200, 200, 400, 1000 with 10, 20, 30, 40, 100 discharges.
 *   weighted mean = (1,000 + 4,000 + 6,000 + 16,000 + 100,000) / 200 = 635
 *   percentile_cont over the 5 values, position p × 4: p10 = 100 + 0.4 × 100 = 140; p25 = value 1 =
 *   200; p50 = value 2 = 200; p75 = value 3 = 400; p90 = 400 + 0.6 × 600 = 760
 *   ranks (ascending, ties share the lowest) 1, 2, 2, 4, 5; percentiles (rank − 1) / 4 = 0, .25, .25, .75, 1
 *   CMI of Z1 (10 cases of 039, weight 1.0285; 30 of 064, weight 1.8424, FY2013 table):
 *   (10.285 + 55.272) / 40 = 1.638925 → 1.6389; Z2 (039 only) = 1.0285.
 * A sixth row's code has no three digits: quarantined, not loaded.
 */
const HAND = [
  HEADER,
  '039 - ,EXTRACRANIAL PROCEDURES W/O CC/MCC,Z1,ZED ONE,1 A ST,A,ZZ,1,ZZ - Alpha,10,100.00,90,80',
  '039 - ,EXTRACRANIAL PROCEDURES W/O CC/MCC,Z2,ZED TWO,2 A ST,A,ZZ,1,ZZ - Alpha,20,200.00,90,80',
  '039 - ,EXTRACRANIAL PROCEDURES W/O CC/MCC,Z3,ZED THREE,3 A ST,A,ZZ,1,ZZ - Beta,30,200.00,90,80',
  '039 - ,EXTRACRANIAL PROCEDURES W/O CC/MCC,Z4,ZED FOUR,4 A ST,A,ZZ,1,ZZ - Beta,40,400.00,90,80',
  '039 - ,EXTRACRANIAL PROCEDURES W/O CC/MCC,Z5,"ZED FIVE, INC",5 A ST,A,ZZ,1,ZZ - Beta,100,1000.00,90,80',
  '064 - ,INTRACRANIAL HEMORRHAGE OR CEREBRAL INFARCTION W MCC,Z1,ZED ONE,1 A ST,A,ZZ,1,ZZ - Alpha,30,5000.00,90,80',
  'XYZ - ,NOT A DRG,Z6,ZED SIX,6 A ST,A,ZZ,1,ZZ - Alpha,5,50.00,40,30',
].join('\n');

const close = (actual: string | number | null, expected: number) =>
  actual !== null && Math.abs(Number(actual) - expected) <= 1e-4 + Math.abs(expected) * 1e-12;

describe.skipIf(!existsSync(CMS_IPPS))('external benchmark tables: CMS IPPS through the declarations', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox = '';
  let ingest: IngestStageSummary;
  let published = '';
  let ipps: IppsRow[];

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    inbox = await mkdtemp(path.join(os.tmpdir(), 'hdw-benchmark-external-'));
    const dir = path.join(inbox, PUBLISHER, 'benchmark');
    await mkdir(dir, { recursive: true });
    for (const file of ['ipps_top100_drg_fy2011.csv', 'msdrg_weights_fy2013.tsv'])
      await cp(path.join(CMS_IPPS, file), path.join(dir, file));
    await writeFile(path.join(dir, 'ipps_top100_drg_fy2099.csv'), `${HAND}\n`);
    const config = loadConfig({
      HDW_INBOX: inbox,
      HDW_DATA_DIR: inbox,
      HDW_INBOX_QUIET_SECONDS: '0',
      DATABASE_URL: t.url,
    });
    const ctx = { pool, config, logger: silentLogger };
    await seedStage(ctx);
    ingest = await ingestStage(ctx);
    const build = await buildStage(ctx, undefined, { select: SELECT });
    published = build.publication === 'published' ? 'published' : build.blockedBy.join('; ');
    ipps = readIpps(CMS_IPPS);
  }, 180_000);

  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    if (inbox) await rm(inbox, { recursive: true, force: true });
  });

  it('loads both tables, every row read loaded, quarantined or counted duplicate', async () => {
    expect(ingest.rejected).toEqual([]);
    expect(published).toBe('published');
    const { rows } = await pool.query(
      `select source, period, rows_read, rows_loaded, rows_quarantined, rows_duplicate
       from ops.batches where hospital_code = $1 and status = 'loaded' order by source, period`,
      [PUBLISHER],
    );
    expect(rows).toEqual([
      {
        source: `benchmark.${IPPS}`,
        period: '2011',
        rows_read: 163_065,
        rows_loaded: 163_065,
        rows_quarantined: 0,
        rows_duplicate: 0,
      },
      {
        source: `benchmark.${IPPS}`,
        period: '2099',
        rows_read: 7,
        rows_loaded: 6,
        rows_quarantined: 1,
        rows_duplicate: 0,
      },
      // 751 MS-DRGs; after them a footnote and two lines of empty fields: the first quarantined with
      // the footnote, the second its exact duplicate.
      {
        source: 'benchmark.cms_msdrg_weights',
        period: '2013',
        rows_read: 754,
        rows_loaded: 751,
        rows_quarantined: 2,
        rows_duplicate: 1,
      },
    ]);
    const held = await pool.query(
      `select source, source_line, rule_id from ops.exceptions
       where hospital_code = $1 and severity = 'blocking' order by source, source_line, rule_id`,
      [PUBLISHER],
    );
    expect(held.rows.filter((r) => r.source === `benchmark.${IPPS}`)).toEqual([
      { source: `benchmark.${IPPS}`, source_line: 8, rule_id: 'unrecognised_group_code' },
    ]);
    // Line 754: empty fields; 755: the footnote (line 756, empty again, is 754's duplicate).
    expect(
      new Set(held.rows.filter((r) => r.source !== `benchmark.${IPPS}`).map((r) => r.source_line)),
    ).toEqual(new Set([754, 755]));
    const counts = await pool.query(
      `select count(distinct provider_code)::int as providers, count(distinct referral_region)::int as hrrs,
              count(distinct group_code)::int as drgs
       from staging.stg_benchmark__provider_groups where published_table = $1 and period = '2011'`,
      [IPPS],
    );
    expect(counts.rows[0]).toEqual({ providers: 3337, hrrs: 306, drgs: 100 });
    const weights = await pool.query(
      `select count(*)::int as n, min(group_code) as first, max(group_code) as last from staging.stg_benchmark__group_weights`,
    );
    expect(weights.rows[0]).toEqual({ n: 751, first: '001', last: '999' });
  });

  /** The pools of the CSV at one level (state or referral region), per DRG and measure. */
  const computed = new Map<string, Map<string, PoolTruth>>();
  const pools = (level: 'state' | 'hrr') => {
    const known = computed.get(level);
    if (known) return known;
    const out = new Map<string, PoolTruth>();
    const members = new Map<string, Member[]>();
    for (const r of ipps)
      for (const [measure, value] of Object.entries(MEASURES)) {
        const key = `${r.drg}|${r[level]}|${measure}`;
        const list = members.get(key) ?? [];
        list.push({ id: r.provider, value: value(r), cases: r.discharges });
        members.set(key, list);
      }
    for (const [key, list] of members) out.set(key, poolTruth(list));
    computed.set(level, out);
    return out;
  };

  const checkDistribution = async (regionLevel: string, truth: Map<string, PoolTruth>) => {
    const { rows } = await pool.query<Record<string, string>>(
      `select group_code, region, measure, provider_count, cases, weighted_mean, p10, p25, p50, p75, p90
       from marts.fct_benchmark_external_distribution
       where published_table = $1 and period = '2011' and region_level = $2`,
      [IPPS, regionLevel],
    );
    expect(rows.length).toBe(truth.size);
    const wrong: string[] = [];
    for (const r of rows) {
      const key = `${r.group_code}|${r.region}|${r.measure}`;
      const x = truth.get(key);
      if (!x) {
        wrong.push(`${key}: not in the CSV`);
        continue;
      }
      if (Number(r.provider_count) !== x.count || Number(r.cases) !== x.cases)
        wrong.push(`${key}: ${r.provider_count} providers, ${r.cases} cases`);
      if (!close(r.weighted_mean!, x.weightedMean))
        wrong.push(`${key}: mean ${r.weighted_mean} ≠ ${x.weightedMean}`);
      for (const p of ['p10', 'p25', 'p50', 'p75', 'p90'] as const)
        if (!close(r[p]!, x.percentiles[p])) wrong.push(`${key}: ${p} ${r[p]} ≠ ${x.percentiles[p]}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  };

  it('every DRG × state discharge-weighted mean and percentile equals the CSV’s', async () => {
    await checkDistribution('region', pools('state'));
  });

  it('every DRG × referral-region discharge-weighted mean and percentile equals the CSV’s', async () => {
    await checkDistribution('referral_region', pools('hrr'));
  });

  it('every provider’s rank and percentile per DRG × state equals the CSV’s', async () => {
    const truth = pools('state');
    const columns = Object.keys(MEASURES)
      .map((m) => `${m}_region_rank, ${m}_region_percentile, ${m}_region_peers`)
      .join(', ');
    const { rows } = await pool.query<Record<string, string>>(
      `select group_code, region, provider_code, ${columns}
       from marts.fct_benchmark_external_providers where published_table = $1 and period = '2011'`,
      [IPPS],
    );
    expect(rows.length).toBe(ipps.length);
    const wrong: string[] = [];
    for (const r of rows)
      for (const m of Object.keys(MEASURES)) {
        const key = `${r.group_code}|${r.region}|${m}`;
        const pool = truth.get(key);
        const x = pool?.ranks.get(r.provider_code!);
        const [rank, percentile, peers] = ['rank', 'percentile', 'peers'].map((c) => r[`${m}_region_${c}`]!);
        if (!pool || !x) wrong.push(`${key}|${r.provider_code}: not in the CSV`);
        else if (Number(rank) !== x.rank || !close(percentile!, x.percentile) || Number(peers) !== pool.count)
          wrong.push(`${key}|${r.provider_code}: rank ${rank} (${percentile}) ≠ ${x.rank} (${x.percentile})`);
      }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('every provider’s case-mix index is Σ(discharges × weight) / Σ discharges', async () => {
    const weights = readMsDrgWeights(CMS_IPPS);
    const sums = new Map<string, { weighted: number; cases: number }>();
    for (const r of ipps) {
      const w = weights.get(r.drg);
      if (w === undefined) continue;
      const s = sums.get(r.provider) ?? { weighted: 0, cases: 0 };
      s.weighted += r.discharges * w;
      s.cases += r.discharges;
      sums.set(r.provider, s);
    }
    const { rows } = await pool.query<Record<string, string>>(
      `select provider_code, case_mix_index, weighted_cases, cases, weights_period
       from marts.fct_benchmark_external_case_mix where published_table = $1 and period = '2011'`,
      [IPPS],
    );
    expect(rows.length).toBe(3337);
    const wrong = rows
      .filter((r) => {
        const s = sums.get(r.provider_code!)!;
        return !close(r.case_mix_index!, s.weighted / s.cases) || Number(r.weighted_cases) !== s.cases;
      })
      .map((r) => `${r.provider_code}: ${r.case_mix_index}`);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(new Set(rows.map((r) => r.weights_period))).toEqual(new Set(['2013']));
  });

  it('a five-provider table worked by hand', async () => {
    const dist = await pool.query(
      `select region_level, region, provider_count::int, cases::int, weighted_mean::float8, p10::float8, p25::float8,
              p50::float8, p75::float8, p90::float8
       from marts.fct_benchmark_external_distribution
       where period = '2099' and group_code = '039' and measure = 'mean_charge' order by region_level, region`,
    );
    expect(dist.rows).toEqual([
      {
        region_level: 'referral_region',
        region: 'ZZ - Alpha',
        provider_count: 2,
        cases: 30,
        // (1,000 + 4,000) / 30; 100 + p × 100
        weighted_mean: 166.6667,
        p10: 110,
        p25: 125,
        p50: 150,
        p75: 175,
        p90: 190,
      },
      {
        region_level: 'referral_region',
        region: 'ZZ - Beta',
        provider_count: 3,
        cases: 170,
        // (6,000 + 16,000 + 100,000) / 170 = 717.647…; values 200, 400, 1000 at p × 2
        weighted_mean: 717.6471,
        p10: 240,
        p25: 300,
        p50: 400,
        p75: 700,
        p90: 880,
      },
      {
        region_level: 'region',
        region: 'ZZ',
        provider_count: 5,
        cases: 200,
        weighted_mean: 635,
        p10: 140,
        p25: 200,
        p50: 200,
        p75: 400,
        p90: 760,
      },
    ]);
    const ranks = await pool.query(
      `select provider_code, mean_charge_region_rank::int as peer_rank,
              mean_charge_region_percentile::float8 as peer_percentile, mean_charge_region_peers::int as peer_count
       from marts.fct_benchmark_external_providers
       where period = '2099' and group_code = '039' order by provider_code`,
    );
    expect(ranks.rows).toEqual([
      { provider_code: 'Z1', peer_rank: 1, peer_percentile: 0, peer_count: 5 },
      { provider_code: 'Z2', peer_rank: 2, peer_percentile: 0.25, peer_count: 5 },
      { provider_code: 'Z3', peer_rank: 2, peer_percentile: 0.25, peer_count: 5 },
      { provider_code: 'Z4', peer_rank: 4, peer_percentile: 0.75, peer_count: 5 },
      { provider_code: 'Z5', peer_rank: 5, peer_percentile: 1, peer_count: 5 },
    ]);
    const cmi = await pool.query(
      `select provider_code, case_mix_index::float8, weights_period
       from marts.fct_benchmark_external_case_mix where period = '2099' and provider_code in ('Z1', 'Z2') order by 1`,
    );
    expect(cmi.rows).toEqual([
      { provider_code: 'Z1', case_mix_index: 1.6389, weights_period: '2013' },
      { provider_code: 'Z2', case_mix_index: 1.0285, weights_period: '2013' },
    ]);
  });
});
