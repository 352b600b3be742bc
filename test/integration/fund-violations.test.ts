import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { createPool } from '../../core/db/database.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { saveReview, rebuildViolationFlags } from '../../ops/commands/violations.ts';
import { buildStage, loadProject } from '../../pipelines/run-pipeline.ts';
import { demoHookTimeout, demoSizes } from '../support/demo-files.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import { violationTruth, type PlantedViolation } from '../support/violation-truth.ts';

/**
 * The fund-violation screens (fct_fund_violation_flags) on the small demo (and the full one with
 * `HDW_FULL=1`: the recall and evidence checks) against the violations
 * its generator planted (violation-truth.ts reads them from the ground truth and files, never from
 * the warehouse): every planted violation that survived ingest is flagged by its rule, each rule
 * flags clean cases no more than 10 % as often as violations were planted for it, recall and
 * precision per rule are printed; the model's hand-worked unit tests run; a review set with the
 * CLI's functions survives a full rebuild of the screens.
 */
/** The screens, as the rule seed lists them (one rule each here). */
const rules = (
  parse(readFileSync(path.join(projectPaths.seeds, 'fund', 'fund_violation_rules.csv'), 'utf8'), {
    columns: true,
  }) as { rule_code: string }[]
).map((r) => r.rule_code);

for (const size of demoSizes)
  describe(`fund violation flags (${size} demo)`, () => {
    let w: DemoWarehouse;
    let pool: pg.Pool;
    let planted: PlantedViolation[];
    let flags: { rule_code: string; hospital_code: string; visit_id: string; flag_key: string }[];

    beforeAll(async () => {
      w = await demoWarehouse(size);
      pool = createPool(w.url, 4);
      planted = violationTruth(w.generatedDir, projectPaths.seeds);
      flags = (
        await pool.query(
          'select rule_code, hospital_code, visit_id, flag_key from marts.fct_fund_violation_flags order by flag_key',
        )
      ).rows;
    }, demoHookTimeout(size));
    afterAll(async () => {
      await pool?.end();
      await w?.drop();
    });

    it('finds every planted violation that survived ingest, and few clean cases, rule by rule', () => {
      const flagged = new Set(flags.map((f) => `${f.rule_code}|${f.hospital_code}|${f.visit_id}`));
      const results = rules.map((rule) => {
        const mine = planted.filter((p) => p.ruleCode === rule);
        const plantedCount = mine.filter((p) => p.planted).length;
        const findable = mine.filter((p) => !p.lostAtIngest && !p.excludedByRule);
        const truthKeys = new Set(mine.map((p) => `${rule}|${p.hospital}|${p.visitId}`));
        const found = findable.filter((p) => flagged.has(`${rule}|${p.hospital}|${p.visitId}`));
        const missed = findable.filter((p) => !flagged.has(`${rule}|${p.hospital}|${p.visitId}`));
        const ruleFlags = flags.filter((f) => f.rule_code === rule);
        const clean = ruleFlags.filter((f) => !truthKeys.has(`${rule}|${f.hospital_code}|${f.visit_id}`));
        const row = {
          rule,
          planted: plantedCount,
          unplanted_true: mine.length - plantedCount,
          lost_at_ingest: mine.filter((p) => p.lostAtIngest).length,
          rule_excludes: mine.filter((p) => !p.lostAtIngest && p.excludedByRule).length,
          found: found.length,
          flags: ruleFlags.length,
          clean_flagged: clean.length,
          recall: findable.length ? (found.length / findable.length).toFixed(3) : '—',
          precision: ruleFlags.length
            ? ((ruleFlags.length - clean.length) / ruleFlags.length).toFixed(3)
            : '—',
        };
        return { row, plantedCount, found, missed, clean };
      });
      // Printed before any assertion, so a failing run still shows every rule's figures.
      console.table(results.map((r) => r.row));
      for (const { row, plantedCount, found, missed, clean } of results) {
        expect(plantedCount, `${row.rule}: the demo plants some`).toBeGreaterThan(0);
        expect(found.length, `${row.rule}: finds some`).toBeGreaterThan(0);
        expect(
          missed.map((p) => p.visitId),
          `${row.rule}: planted and not flagged`,
        ).toEqual([]);
        expect(
          clean.length,
          `${row.rule}: clean cases flagged ${clean.map((f) => f.visit_id).join(' ')}`,
        ).toBeLessThanOrEqual(0.1 * plantedCount);
      }
    });

    it('shows each flag with its rule, department and evidence, patients hashed only', async () => {
      const { rows } = await pool.query(`
      select count(*)::int as n,
        count(*) filter (where evidence is null or rule_name is null or responsible_department is null)::int as bare,
        count(*) filter (where patient_key is not null and patient_key !~ '^[0-9a-f]{64}$')::int as unhashed,
        count(*) filter (where rule_code = 'split_admission' and (related_visit_id is null or gap_days is null))::int as split_bare,
        count(*) filter (where rule_code = 'over_priced_charge' and not unit_price > catalogue_price)::int as price_bare,
        count(*) filter (where rule_code = 'duplicate_charge' and not line_count >= 2)::int as dup_bare
      from marts.fct_fund_violation_flags`);
      expect(rows[0]).toEqual({
        n: flags.length,
        bare: 0,
        unhashed: 0,
        split_bare: 0,
        price_bare: 0,
        dup_bare: 0,
      });
    });

    it.runIf(size === 'small')(
      'passes its data tests and the hand-worked unit tests of the screen and the mart',
      async () => {
        const ctx = { pool, config: loadConfig({ DATABASE_URL: w.url }), logger: silentLogger };
        const build = await buildStage(ctx, await loadProject(), {
          select:
            'int_fund_violations__diagnoses int_fund_violations__stays int_fund_violations__raising_cc int_fund_violations__screened fct_fund_violation_flags',
        });
        expect(build.blockedBy).toEqual([]);
        expect(build.tests.filter((t) => t.status !== 'pass').map((t) => `${t.model} ${t.test}`)).toEqual([]);
        expect(build.tests.filter((t) => /unit/i.test(t.test)).length).toBeGreaterThanOrEqual(5);
      },
    );

    it.runIf(size === 'small')('keeps a review across a full rebuild', async () => {
      const ctx = { pool, config: loadConfig({ DATABASE_URL: w.url }), logger: silentLogger };
      const key = flags.find((f) => f.rule_code === 'duplicate_charge')!.flag_key;
      await saveReview(pool, key, 'confirmed', '同一时间重复计费，已退费');
      await rebuildViolationFlags(ctx);
      const status = async () =>
        (
          await pool.query(
            'select review_status, review_note, reviewed_by is not null as has_reviewer from marts.fct_fund_violation_flags where flag_key = $1',
            [key],
          )
        ).rows;
      const expected = [
        { review_status: 'confirmed', review_note: '同一时间重复计费，已退费', has_reviewer: true },
      ];
      expect(await status()).toEqual(expected);
      // As `hdw build --full-refresh -s …` would: the screen and the mart built anew from scratch and
      // swapped into place (a new table), the review joined in again from ops.fund_violation_reviews.
      const table = async () =>
        (await pool.query("select 'marts.fct_fund_violation_flags'::regclass::oid::int as oid")).rows[0].oid;
      const before = await table();
      const build = await buildStage(ctx, await loadProject(), {
        select: 'stg_ops__fund_violation_reviews int_fund_violations__diagnoses+',
        fullRefresh: true,
      });
      expect(build.blockedBy).toEqual([]);
      expect(await table()).not.toBe(before);
      expect(await status()).toEqual(expected);
      const others = await pool.query(
        "select count(*)::int as n from marts.fct_fund_violation_flags where review_status <> 'pending'",
      );
      expect(others.rows[0].n).toBe(1);
      await expect(saveReview(pool, 'FV99:H0:V0', 'confirmed', undefined)).rejects.toThrow(/no such flag/);
    });
  });
