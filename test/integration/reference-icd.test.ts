import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import {
  hasNationalCodeLists,
  loadNationalCodeLists,
} from '../../pipelines/reference/national-code-lists.ts';
import { seedStage } from '../../pipelines/run-pipeline.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createPool } from '../../core/db/database.ts';

/** Uses the national lists in ../shared/datasets/chs-drg-1.1 beside the checkout; skips where they are absent. */
describe.skipIf(!hasNationalCodeLists())('hdw reference load-icd', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  const ctx = () => ({ pool, config: loadConfig({}), logger: silentLogger });
  const count = async (table: string) =>
    (await pool.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 2);
    await seedStage(ctx());
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('loads the national lists into the dictionaries the demo lists fill, and they stay after a seed reload', async () => {
    const seeded = await count('ref.diagnoses');
    const counts = await loadNationalCodeLists(pool);
    expect(counts.diagnoses).toBeGreaterThan(30_000);
    expect(counts.procedures).toBeGreaterThan(10_000);
    await seedStage(ctx());
    expect(await count('ref.diagnoses')).toBeGreaterThan(seeded + 30_000);
    expect(await count('ref.procedures')).toBeGreaterThan(10_000);
    const { rows } = await pool.query(
      `select diag_code, sex_restriction from ref.diagnoses where diag_code in ('A00.000', 'O80.000', 'N40.x00') order by 1`,
    );
    expect(rows).toEqual([
      { diag_code: 'A00.000', sex_restriction: null },
      { diag_code: 'N40.x00', sex_restriction: '1' },
      { diag_code: 'O80.000', sex_restriction: '2' },
    ]);
  });

  it('keeps what the seed says about a code it lists', async () => {
    // C50.900 (breast cancer) and Z37.000 are restricted to women by the seed, not by the chapter rule.
    const { rows } = await pool.query(
      `select d.diag_code, d.sex_restriction, n.sex_restriction as national from ref.diagnoses d
       join ref.national_diagnoses n using (diag_code) where diag_code in ('C50.900', 'Z37.000') order by 1`,
    );
    expect(rows).toEqual([
      { diag_code: 'C50.900', sex_restriction: '2', national: null },
      { diag_code: 'Z37.000', sex_restriction: '2', national: null },
    ]);
  });
});
