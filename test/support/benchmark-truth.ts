import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/**
 * Peer statistics computed in TypeScript, independently of the benchmark marts' SQL, with the
 * definitions the marts state (models/marts/benchmark/_peer_statistics.ts): percentiles as
 * PostgreSQL's percentile_cont (linear interpolation at position p × (n − 1) over the members'
 * values, unweighted), rank ascending with ties sharing the lowest rank, percentile = (rank − 1) /
 * (n − 1) (0 when alone), and the case-weighted mean Σ(cases × value) / Σ cases.
 */
export function percentileCont(sorted: readonly number[], p: number): number {
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface Member {
  readonly id: string;
  readonly value: number;
  readonly cases: number;
}

export interface PoolTruth {
  readonly count: number;
  readonly cases: number;
  readonly weightedMean: number;
  readonly percentiles: Readonly<Record<'p10' | 'p25' | 'p50' | 'p75' | 'p90', number>>;
  /** Each member's rank and percentile. */
  readonly ranks: ReadonlyMap<string, { readonly rank: number; readonly percentile: number }>;
}

export function poolTruth(members: readonly Member[]): PoolTruth {
  const sorted = members.map((m) => m.value).sort((a, b) => a - b);
  const ranks = new Map<string, { rank: number; percentile: number }>();
  for (const m of members) {
    // rank = 1 + the number of members with a strictly lower value (binary search in `sorted`).
    let below = 0;
    let above = sorted.length;
    while (below < above) {
      const mid = (below + above) >> 1;
      if (sorted[mid]! < m.value) below = mid + 1;
      else above = mid;
    }
    ranks.set(m.id, {
      rank: below + 1,
      percentile: members.length === 1 ? 0 : below / (members.length - 1),
    });
  }
  const counted = members.filter((m) => m.cases > 0);
  const cases = counted.reduce((s, m) => s + m.cases, 0);
  return {
    count: members.length,
    cases: members.reduce((s, m) => s + m.cases, 0),
    weightedMean: counted.reduce((s, m) => s + m.cases * m.value, 0) / cases,
    percentiles: {
      p10: percentileCont(sorted, 0.1),
      p25: percentileCont(sorted, 0.25),
      p50: percentileCont(sorted, 0.5),
      p75: percentileCont(sorted, 0.75),
      p90: percentileCont(sorted, 0.9),
    },
    ranks,
  };
}

/** One provider × DRG row of the CMS IPPS provider summary, as the CSV says. */
export interface IppsRow {
  readonly drg: string;
  readonly provider: string;
  readonly state: string;
  readonly hrr: string;
  readonly discharges: number;
  readonly charge: number;
  readonly totalPayment: number;
  readonly medicarePayment: number;
}

/** The IPPS provider summary read with csv-parse (not the warehouse's reader). */
export function readIpps(dir: string): IppsRow[] {
  const rows = parse(readFileSync(path.join(dir, 'ipps_top100_drg_fy2011.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  return rows.map((r) => ({
    drg: /^(\d{3})/.exec(r.Code!)![1]!,
    provider: r['Provider.Id']!,
    state: r['Provider.State']!,
    hrr: r['Hospital.Referral.Region.Description']!,
    discharges: Number(r['Total.Discharges']),
    charge: Number(r['Average.Covered.Charges']),
    totalPayment: Number(r['Average.Total.Payments']),
    medicarePayment: Number(r['Average.Medicare.Payments']),
  }));
}

/** MS-DRG → weight from Table 5 (tab-separated, a title line before the header). */
export function readMsDrgWeights(dir: string): Map<string, number> {
  const lines = readFileSync(path.join(dir, 'msdrg_weights_fy2013.tsv'), 'utf8').split(/\r?\n/);
  const header = lines[1]!.split('\t').map((h) => h.trim());
  const drgAt = header.indexOf('MS-DRG');
  const weightAt = header.indexOf('Weights');
  const weights = new Map<string, number>();
  for (const line of lines.slice(2)) {
    const fields = line.split('\t');
    const drg = fields[drgAt]?.trim() ?? '';
    if (/^\d{3}$/.test(drg)) weights.set(drg, Number(fields[weightAt]));
  }
  return weights;
}
