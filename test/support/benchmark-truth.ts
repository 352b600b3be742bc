import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { demoFileReader } from './drg-truth.ts';

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

/** A stay's 病种 and department as the peer pools take them, from the generated files. */
export interface StaySubjects {
  /** Principal diagnosis: the front page's (main flag, lowest sequence), else the settlement list's. */
  readonly disease: string | undefined;
  /** Standard department: the front page's discharge department through the hospital's department
   * dictionary, else the settlement list's discharge department (dscg_caty, already standard). */
  readonly department: string | undefined;
}

/**
 * Every stay's principal diagnosis and standard department (key `hospital|visit id`), read from a
 * generated demo's delivered files (rows a blocking rule quarantines left out, as the warehouse
 * leaves them out), never from the warehouse: front pages, their diagnoses, the HIS department
 * dictionary, settlement lists and their diagnoses (西医 diagnoses only: 诊断类别 1 or empty; of
 * several settlement lists of a stay, the latest 结算ID).
 */
export function staySubjects(dir: string, seedsDir: string): Map<string, StaySubjects> {
  const { manifest, readEntity } = demoFileReader(dir, seedsDir);
  const out = new Map<string, StaySubjects>();
  for (const { code: h } of manifest.hospitals) {
    const standard = new Map<string, string>();
    for (const d of readEntity(h, 'his/departments'))
      if (d.dept_code && d.std_dept_code) standard.set(d.dept_code, d.std_dept_code);
    const frontMain = new Map<string, { seq: number; code: string }>();
    for (const d of readEntity(h, 'emr/front_page_diagnoses')) {
      if (d.main_flag !== '1' || !d.diag_code) continue;
      const seen = frontMain.get(d.visit_id!);
      if (!seen || Number(d.diag_seq) < seen.seq)
        frontMain.set(d.visit_id!, { seq: Number(d.diag_seq), code: d.diag_code });
    }
    const settlementMain = new Map<string, { setl: string; code: string }>();
    for (const d of readEntity(h, 'insurance/settlement_diagnoses')) {
      if (d.maindiag_flag !== '1' || !d.diag_code || !['', '1', undefined].includes(d.diag_type)) continue;
      const seen = settlementMain.get(d.mdtrt_id!);
      if (!seen || d.setl_id! > seen.setl)
        settlementMain.set(d.mdtrt_id!, { setl: d.setl_id!, code: d.diag_code });
    }
    const frontDept = new Map<string, string>();
    for (const f of readEntity(h, 'emr/front_pages'))
      if (f.discharge_dept_code) frontDept.set(f.visit_id!, f.discharge_dept_code);
    const settlementDept = new Map<string, string>();
    for (const s of readEntity(h, 'insurance/settlements'))
      if (s.dscg_caty) settlementDept.set(s.mdtrt_id!, s.dscg_caty);
    const visits = new Set([
      ...frontMain.keys(),
      ...settlementMain.keys(),
      ...frontDept.keys(),
      ...settlementDept.keys(),
    ]);
    for (const v of visits) {
      const dept = frontDept.get(v);
      out.set(`${h}|${v}`, {
        disease: frontMain.get(v)?.code ?? settlementMain.get(v)?.code,
        department: (dept === undefined ? undefined : standard.get(dept)) ?? settlementDept.get(v),
      });
    }
  }
  return out;
}
