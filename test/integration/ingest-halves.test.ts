import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { ingestInbox } from '../../pipelines/ingest/ingest-inbox.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { createTestDatabase } from '../support/database.ts';
import { CHARGE_HEADER, hisInbox } from '../support/his-inbox.ts';
import { createPool } from '../../core/db/database.ts';

const H1 = 'H32090200001';
const LINES = 20_000;

/** A charge file with a little of everything: unknown items, duplicates, a conflicting key, a bad date. */
async function makeInbox(): Promise<string> {
  const { inbox, his } = await hisInbox(H1, 'hdw-halves-');
  const lines = [CHARGE_HEADER];
  for (let n = 0; n < LINES; n += 1) {
    const item = n % 997 === 0 ? 'I_UNKNOWN' : 'I1';
    const time = n % 4999 === 0 ? '2025-02-30 09:00:00' : '2025-01-02 09:00:00';
    const amount = n % 1499 === 0 ? '51.00' : '50.00';
    lines.push(`L${n},I,V1,${time},${item},床位费,01,1,50.00,${amount},D01,D01`);
    if (n % 3001 === 0) lines.push(lines[lines.length - 1]!); // an exact duplicate
    if (n % 7001 === 0) lines.push(`L${n},I,V1,2025-01-03 09:00:00,I1,床位费,01,2,50.00,100.00,D01,D01`);
  }
  await writeFile(path.join(his, 'charge_lines_2025-01.csv'), `${lines.join('\n')}\n`);
  return inbox;
}

async function ingestWith(splitBytes: number | undefined) {
  const t = await createTestDatabase();
  const pool = createPool(t.url, 4);
  const inbox = await makeInbox();
  try {
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    const summary = await ingestInbox(pool, { inbox, sources: allSources, logger: silentLogger, splitBytes });
    const batch = summary.batches.find((b) => b.delivery.source.entity === 'charge_lines')!;
    const rows = await pool.query(
      `select source_line, line_id, charge_time::text, amount::text from raw_his.charge_lines order by source_line`,
    );
    const exceptions = await pool.query(
      `select source_line, rule_id, message from ops.exceptions where source = 'his.charge_lines' order by 1, 2, 3`,
    );
    const quarantine = await pool.query(
      `select source_line, rule_ids, payload from ops.quarantine where source = 'his.charge_lines' order by 1`,
    );
    const parts = await pool.query(
      `select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid where c.relname like 'charge\\_lines\\_\\_b%\\_%'`,
    );
    return {
      batch,
      rows: rows.rows,
      exceptions: exceptions.rows,
      quarantine: quarantine.rows,
      parts: parts.rows[0].n,
    };
  } finally {
    await pool.end();
    await t.drop();
    await rm(inbox, { recursive: true, force: true });
  }
}

describe('a large CSV read in two halves', () => {
  it('loads, quarantines and reports exactly what the same file read in one piece does', async () => {
    const whole = await ingestWith(undefined);
    const halves = await ingestWith(100_000);
    expect(whole.parts).toBe(0);
    expect(halves.parts).toBe(2);
    for (const key of ['rowsRead', 'rowsLoaded', 'rowsQuarantined', 'rowsDuplicate', 'rowsWarned'] as const)
      expect(halves.batch[key]).toBe(whole.batch[key]);
    expect(whole.batch.rowsRead).toBe(LINES + 7 + 3);
    expect(whole.batch.rowsQuarantined).toBeGreaterThan(20);
    expect(halves.rows).toEqual(whole.rows);
    expect(halves.exceptions).toEqual(whole.exceptions);
    expect(halves.quarantine).toEqual(whole.quarantine);
  });
});
