/**
 * The alliance's own peer benchmark (issue 15, items 1 and 4) on the small demo (and the full one with
 * `HDW_FULL=1`): every hospital's
 * value, rank and percentile per subject — DRG group, 病种 (principal diagnosis), standard department —
 * level and period — year and month —, and every pool's case-weighted mean and p10–p90, against the
 * test's own computation from the generated files (the DRG case classification of drg-truth.ts:
 * groups, lengths of stay, charges, deaths and weights; each stay's principal diagnosis and standard
 * department from benchmark-truth.ts); the two cost measures take
 * each case's cost from the cost mart (fct_case_costs, checked against the generator's estimate in
 * cost-case.test.ts), since the files carry no case cost. Then what a member's own PostgreSQL login
 * reads: its own rows of shared.member_vs_peers, pool statistics only for pools the sharing policy
 * allows, nothing of the per-hospital mart or regional_benchmark. The hand-worked examples (ties,
 * interpolation, the gap to the best quartile) are the marts' unit tests, run with every build.
 * The fund indicators (住院/门诊次均费用, 药占比, 耗占比, 平均住院日) per hospital, level and month
 * the same way, from the files as fund-truth.ts reads them.
 * Cube's side (member_vs_peers scoped to one hospital, regional_benchmark refused to members) is in
 * security-leak.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';
import { defaultSharingPolicy } from '../../core/security/sharing-policy.ts';
import {
  PEER_MEASURES,
  fundPeerMeasureCodes,
  peerMeasureCodes,
} from '../../models/intermediate/benchmark/_peer_measures.ts';
import { demoHookTimeout, demoSizes } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { staySubjects } from '../support/benchmark-truth.ts';
import { drgTruth } from '../support/drg-truth.ts';
import { fundTruth } from '../support/fund-truth.ts';
import { asLogin, createLogin, dropLogins, type Login } from './security-harness.ts';
import { createPool } from '../../core/db/database.ts';

type Row = Record<string, unknown>;

/** A ratio num / den to 4 decimals, half away from zero like PostgreSQL's round(numeric, 4), in 1/10 000. */
function units4(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new Error('division by zero');
  const negative = num < 0n !== den < 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const q = (n * 20_000n + d) / (2n * d);
  return negative ? -q : q;
}

/** percentile_cont(f) over sorted values (linear interpolation at position f × (n − 1)). */
function percentileCont(sorted: readonly number[], f: number): number {
  const position = f * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

interface MemberTruth {
  /** The mart's keys: the member row's id and its pool's id. */
  readonly id: string;
  readonly pool: string;
  /** The pool's dimension and grain (`drg|year`, `disease|month`, …); none for the fund pools. */
  readonly cut?: string;
  readonly hospital: string;
  readonly level: string;
  readonly measure: string;
  /** Value in 1/10 000 (4 decimals), and the cases behind it. */
  readonly units: bigint;
  readonly cases: number;
}

interface Sums {
  n: number;
  charged: number;
  chargeCents: bigint;
  stayed: number;
  stayDays: bigint;
  deaths: number;
  costed: number;
  costCents: bigint;
  weighted: number;
  weightedCostCents: bigint;
  weight4: bigint;
}

for (const size of demoSizes)
  describe(`peer benchmark marts on the ${size} demo`, () => {
    let w: DemoWarehouse;
    let pool: pg.Pool;
    const logins: Login[] = [];
    let members: MemberTruth[] = [];
    let martMembers: Row[] = [];
    let martPools: Row[] = [];
    let fundMembers: MemberTruth[] = [];
    let fundMartMembers: Row[] = [];
    let fundMartPools: Row[] = [];

    beforeAll(async () => {
      w = await demoWarehouse(size);
      pool = createPool(w.url, 4);
      const manifest = JSON.parse(
        readFileSync(path.join(w.generatedDir, '_ground_truth', 'manifest.json'), 'utf8'),
      ) as { hospitals: { code: string; level_code: string }[] };
      const levelOf = new Map(manifest.hospitals.map((h) => [h.code, h.level_code]));
      const { cases } = drgTruth(w.generatedDir, projectPaths.seeds);
      const subjects = staySubjects(w.generatedDir, projectPaths.seeds);
      // Each case's cost as the cost mart holds it (the files carry none), in cents.
      const costs = new Map(
        (
          await pool.query<{ key: string; cents: string }>(
            `select hospital_code || '|' || visit_id as key, round(case_cost * 100)::bigint::text as cents
             from marts.fct_case_costs where case_cost is not null`,
          )
        ).rows.map((r) => [r.key, BigInt(r.cents)]),
      );
      const sums = new Map<string, Sums>();
      // Each grouped stay counts once per dimension (its DRG group, principal diagnosis, standard
      // department, where it has one) and once per grain (its discharge year, its discharge month).
      const poolKeysOf = (c: (typeof cases)[number]): string[] => {
        const subject = subjects.get(`${c.hospital}|${c.visitId}`);
        const bySubject: [string, string | undefined][] = [
          ['drg', c.drg],
          ['disease', subject?.disease],
          ['department', subject?.department],
        ];
        return bySubject.flatMap(([dimension, code]) =>
          code === undefined
            ? []
            : [
                `${c.hospital}|${dimension}|${code}|year|${c.year}`,
                `${c.hospital}|${dimension}|${code}|month|${c.month}`,
              ],
        );
      };
      for (const c of cases) {
        if (!c.grouped || c.drg === undefined) continue;
        for (const key of poolKeysOf(c)) {
          const s = sums.get(key) ?? {
            n: 0,
            charged: 0,
            chargeCents: 0n,
            stayed: 0,
            stayDays: 0n,
            deaths: 0,
            costed: 0,
            costCents: 0n,
            weighted: 0,
            weightedCostCents: 0n,
            weight4: 0n,
          };
          s.n += 1;
          if (c.totalCents !== undefined) {
            s.charged += 1;
            s.chargeCents += BigInt(c.totalCents);
          }
          if (c.losDays !== undefined) {
            s.stayed += 1;
            s.stayDays += BigInt(c.losDays);
          }
          if (c.died) s.deaths += 1;
          const cost = costs.get(`${c.hospital}|${c.visitId}`);
          if (cost !== undefined) {
            s.costed += 1;
            s.costCents += cost;
            if (c.rw4 > 0) {
              s.weighted += 1;
              s.weightedCostCents += cost;
              s.weight4 += BigInt(c.rw4);
            }
          }
          sums.set(key, s);
        }
      }
      members = [];
      for (const [key, s] of sums) {
        const [hospital, dimension, subject, grain, period] = key.split('|') as [
          string,
          string,
          string,
          string,
          string,
        ];
        const level = levelOf.get(hospital)!;
        const values: Record<string, [bigint, bigint, number]> = {
          cost_per_case: [s.costCents, BigInt(s.costed) * 100n, s.costed],
          charge_per_case: [s.chargeCents, BigInt(s.charged) * 100n, s.charged],
          length_of_stay: [s.stayDays, BigInt(s.stayed), s.stayed],
          mortality: [BigInt(s.deaths), BigInt(s.n), s.n],
          // Σ cost / Σ RW = (cents / 100) / (rw4 / 10 000).
          cost_per_weight: [s.weightedCostCents * 100n, s.weight4, s.weighted],
        };
        for (const measure of peerMeasureCodes) {
          const [num, den, n] = values[measure]!;
          if (n > 0 && den !== 0n)
            members.push({
              id: `${hospital}|${dimension}|${subject}|${period}|${measure}`,
              pool: `${dimension}|${subject}|${level}|${period}|${measure}`,
              cut: `${dimension}|${grain}`,
              hospital,
              level,
              measure,
              units: units4(num, den),
              cases: n,
            });
        }
      }
      // The fund indicators per hospital and month, from the files as fund-truth.ts reads them.
      fundMembers = [];
      for (const t of fundTruth(w.generatedDir, projectPaths.seeds).hospitalMonths) {
        const level = levelOf.get(t.hospital)!;
        const people = t.outpatientVisits + t.discharges;
        const values: Record<string, [bigint, bigint, number]> = {
          avg_inpatient_charge: [BigInt(t.dischargedTotalCents), BigInt(t.discharges) * 100n, t.discharges],
          avg_outpatient_charge: [
            BigInt(t.outpatientCents),
            BigInt(t.outpatientVisits) * 100n,
            t.outpatientVisits,
          ],
          drug_share: [BigInt(t.drugCents), BigInt(t.medicalCents), people],
          material_share: [BigInt(t.materialCents), BigInt(t.medicalCents), people],
          avg_length_of_stay: [BigInt(t.bedDays), BigInt(t.discharges), t.discharges],
        };
        for (const measure of fundPeerMeasureCodes) {
          const [num, den, n] = values[measure]!;
          if (n > 0 && den !== 0n)
            fundMembers.push({
              id: `${t.hospital}|${t.month}|${measure}`,
              pool: `${level}|${t.month}|${measure}`,
              hospital: t.hospital,
              level,
              measure,
              units: units4(num, den),
              cases: n,
            });
        }
      }
      fundMartMembers = (await pool.query('select * from marts.fct_benchmark_fund_peer_members')).rows;
      fundMartPools = (await pool.query('select * from marts.fct_benchmark_fund_peer_groups')).rows;
      martMembers = (await pool.query('select * from marts.fct_benchmark_peer_members')).rows;
      martPools = (await pool.query('select * from marts.fct_benchmark_peer_groups')).rows;
    }, demoHookTimeout(size));

    afterAll(async () => {
      await pool?.end();
      await w?.drop();
      await dropLogins(logins);
    });

    /** The pools of a truth: its members by pool. */
    const poolsOf = (truth: readonly MemberTruth[]) => {
      const out = new Map<string, MemberTruth[]>();
      for (const m of truth) out.set(m.pool, [...(out.get(m.pool) ?? []), m]);
      return out;
    };

    /** Every member of the truth in the mart with its value, cases, rank, percentile and pool size; returns the ties. */
    const expectMembers = (truth: readonly MemberTruth[], mart: readonly Row[]): number => {
      // The same member rows, named where they differ.
      const truthIds = new Set(truth.map((m) => m.id));
      const martIds = new Set(mart.map((r) => String(r.benchmark_member_id)));
      expect([...martIds].filter((id) => !truthIds.has(id)).slice(0, 20), 'in the mart only').toEqual([]);
      expect([...truthIds].filter((id) => !martIds.has(id)).slice(0, 20), 'in the files only').toEqual([]);
      expect(mart.length).toBe(truth.length);
      const byId = new Map(mart.map((r) => [String(r.benchmark_member_id), r]));
      const pools = poolsOf(truth);
      let ties = 0;
      for (const m of truth) {
        const r = byId.get(m.id);
        expect(r, m.id).toBeDefined();
        const peers = pools.get(m.pool)!;
        // rank(): 1 + how many are lower; percent_rank(): (rank − 1) / (n − 1), 0 when alone.
        const rank = 1 + peers.filter((p) => p.units < m.units).length;
        if (peers.some((p) => p !== m && p.units === m.units)) ties += 1;
        const percentile =
          peers.length === 1 ? 0 : Math.round(((rank - 1) / (peers.length - 1)) * 10_000) / 10_000;
        expect(
          {
            level: r!.hospital_level,
            value: BigInt(Math.round(Number(r!.value) * 10_000)),
            cases: Number(r!.cases),
            rank: Number(r!.pool_rank),
            percentile: Number(r!.pool_percentile),
            peers: Number(r!.pool_peers),
          },
          m.id,
        ).toEqual({ level: m.level, value: m.units, cases: m.cases, rank, percentile, peers: peers.length });
      }
      return ties;
    };

    /** Every pool of the truth in the mart with its hospitals, cases, weighted mean and p10–p90. */
    const expectPools = (truth: readonly MemberTruth[], mart: readonly Row[]): void => {
      const pools = poolsOf(truth);
      expect(mart.length).toBe(pools.size);
      const byId = new Map(mart.map((r) => [String(r.benchmark_pool_id), r]));
      for (const [key, peers] of pools) {
        const r = byId.get(key);
        expect(r, key).toBeDefined();
        const sorted = peers.map((p) => Number(p.units) / 10_000).sort((a, b) => a - b);
        const cases = peers.reduce((a, p) => a + p.cases, 0);
        const mean = units4(
          peers.reduce((a, p) => a + BigInt(p.cases) * p.units, 0n),
          BigInt(cases) * 10_000n,
        );
        expect(
          {
            hospitals: Number(r!.hospital_count),
            cases: Number(r!.cases),
            mean: BigInt(Math.round(Number(r!.weighted_mean) * 10_000)),
          },
          key,
        ).toEqual({ hospitals: peers.length, cases, mean });
        for (const p of [10, 25, 50, 75, 90])
          expect(
            Math.abs(Number(r![`p${p}`]) - percentileCont(sorted, p / 100)),
            `${key} p${p}`,
          ).toBeLessThan(0.000_101);
      }
    };

    it('has every hospital × dimension × subject × period × measure of the files, with its value, rank and percentile', () => {
      expect(members.length).toBeGreaterThan(500);
      const ties = expectMembers(members, martMembers);
      // The demo has ties (mortality 0 in most pools) and pools of several hospitals.
      expect(ties).toBeGreaterThan(10);
      // Every dimension at both grains, each with pools of several hospitals; the mart's keys agree.
      for (const dimension of ['drg', 'disease', 'department'])
        for (const grain of ['year', 'month']) {
          const cut = `${dimension}|${grain}`;
          const ofCut = members.filter((m) => m.cut === cut);
          expect(ofCut.length, cut).toBeGreaterThan(50);
          expect(
            [...poolsOf(ofCut).values()].filter((p) => p.length >= 3).length,
            `${cut} pools of 3 hospitals or more`,
          ).toBeGreaterThan(grain === 'year' ? 20 : 5);
          expect(
            martMembers.filter((r) => r.benchmark_dimension === dimension && r.period_grain === grain).length,
            cut,
          ).toBe(ofCut.length);
        }
      for (const r of martMembers)
        expect(r.period_grain === 'month' ? Number(r.month) : null, String(r.benchmark_member_id)).toBe(
          r.period_grain === 'month' ? new Date(r.period_start as Date).getMonth() + 1 : r.month,
        );
    });

    it('gives every pool its hospital count, cases, case-weighted mean and p10–p90 (percentile_cont across hospitals)', () => {
      expectPools(members, martPools);
    });

    it('fund indicators: every hospital × month × indicator of the files with its rank and percentile, every level × month pool with its statistics', () => {
      expect(fundMembers.length).toBeGreaterThan(100);
      expectMembers(fundMembers, fundMartMembers);
      expectPools(fundMembers, fundMartPools);
      for (const r of fundMartMembers)
        expect(Number(r.gap_to_best_quartile), String(r.benchmark_member_id)).toBeCloseTo(
          Number(r.value) - Number(r.p25),
          4,
        );
    });

    it("measures each hospital's gap to the best quartile of its pool (p25: lower is better)", () => {
      const pools = new Map(martPools.map((r) => [String(r.benchmark_pool_id), r]));
      for (const r of martMembers) {
        const period =
          r.period_grain === 'year' ? String(r.year) : `${r.year}-${String(r.month).padStart(2, '0')}`;
        const p = pools.get(
          `${r.benchmark_dimension}|${r.subject_code}|${r.hospital_level}|${period}|${r.measure}`,
        )!;
        expect(PEER_MEASURES[r.measure as keyof typeof PEER_MEASURES].better).toBe('lower');
        expect(Number(r.best_quartile_value)).toBe(Number(p.p25));
        expect(Number(r.gap_to_best_quartile)).toBeCloseTo(Number(r.value) - Number(p.p25), 4);
        expect(Number(r.p50)).toBe(Number(p.p50));
        expect(Number(r.pool_weighted_mean)).toBe(Number(p.weighted_mean));
      }
    });

    it("shows a member's login its own rows beside pools the policy allows, and nothing of its peers", async () => {
      const policy = defaultSharingPolicy;
      const level3 = 'H32090200001';
      const level2 = 'H32092100011';
      for (const [hospital, suffix] of [
        [level3, 'p3'],
        [level2, 'p2'],
      ] as const) {
        const login = await createLogin(pool, w, 'member', suffix, hospital);
        logins.push(login);
        const seen = (await asLogin(login, (c) => c.query('select * from shared.member_vs_peers')))
          .rows as Row[];
        const own = martMembers.filter((r) => r.hospital_code === hospital);
        expect(seen.length, hospital).toBe(own.length);
        expect(new Set(seen.map((r) => r.hospital_code))).toEqual(new Set([hospital]));
        const byId = new Map(own.map((r) => [String(r.benchmark_member_id), r]));
        let shown = 0;
        for (const r of seen) {
          const m = byId.get(String(r.benchmark_member_id))!;
          expect(Number(r.value)).toBe(Number(m.value));
          // Pool statistics of DRG × year pools only: the other dimensions and the months re-partition
          // the same cases, so their totals beside each other could give a suppressed pool away.
          const allowed =
            m.benchmark_dimension === 'drg' &&
            m.period_grain === 'year' &&
            Number(m.pool_peers) >= policy.minPeerHospitals &&
            Number(m.pool_cases) >= policy.minCellCases;
          expect(r.is_suppressed, String(r.benchmark_member_id)).toBe(!allowed);
          for (const c of [
            'pool_rank',
            'pool_percentile',
            'pool_peers',
            'pool_cases',
            'pool_weighted_mean',
            'p10',
            'p25',
            'p50',
            'p75',
            'p90',
            'best_quartile_value',
            'gap_to_best_quartile',
          ])
            expect(r[c] === null ? null : Number(r[c]), `${r.benchmark_member_id} ${c}`).toBe(
              allowed ? (m[c] === null ? null : Number(m[c])) : null,
            );
          if (allowed) shown += 1;
        }
        // The level-3 pools hold two hospitals: none is shown. Level 2 has pools of 3 and 4.
        if (hospital === level3) expect(shown).toBe(0);
        else expect(shown).toBeGreaterThan(0);
        expect(
          (
            await asLogin(login, (c) =>
              c.query('select distinct hospital_code from semantic.member_vs_peers'),
            )
          ).rows,
        ).toEqual([{ hospital_code: hospital }]);
        for (const relation of [
          'marts.fct_benchmark_peer_members',
          'marts.fct_benchmark_peer_groups',
          'intermediate.int_benchmark_hospital_groups__measured',
          'marts.fct_benchmark_fund_peer_members',
          'semantic.regional_benchmark',
        ])
          await expect(
            asLogin(login, (c) => c.query(`select 1 from ${relation} limit 1`)),
            `${relation} as ${hospital}`,
          ).rejects.toThrow(/permission denied|does not exist/);
      }
    });
  });
