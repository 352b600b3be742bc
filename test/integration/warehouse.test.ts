import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('warehouse migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('creates the schemas of the architecture doc', async () => {
    const { rows } = await sql<{ nspname: string }>`select nspname from pg_namespace`.execute(t.db);
    const names = rows.map((r) => r.nspname);
    for (const schema of [
      'raw_his',
      'raw_emr',
      'raw_lab',
      'raw_erp',
      'raw_insurance',
      'ref',
      'ops',
      'staging',
      'intermediate',
      'marts',
    ]) {
      expect(names).toContain(schema);
    }
  });

  it('refuses a batch whose reconciliation does not hold', async () => {
    const insert = (loaded: number) =>
      sql`insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status,
            rows_read, rows_loaded, rows_quarantined, rows_duplicate)
          values ('his.charge_lines', 'H1', '2025-01', 'f.csv', 'abc', 'utf-8', 'loaded', 10, ${loaded}, 2, 1)`.execute(
        t.db,
      );
    await expect(insert(6)).rejects.toThrow(/batches_reconcile/);
    await expect(insert(7)).resolves.toBeDefined();
  });
});
