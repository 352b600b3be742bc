import { spawn } from 'node:child_process';
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.ts';
import { ingestInbox } from '../../pipelines/ingest/ingest-inbox.ts';
import { findSeeds, loadSeeds } from '../../pipelines/seeds/load-seeds.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { projectPaths, projectRoot } from '../../core/paths.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CHARGE_HEADER, hisInbox } from '../support/his-inbox.ts';
import { createPool } from '../../core/db/database.ts';

const H1 = 'H32090200001';
const LINES = 300_000;
const APP = 'hdw-kill-test';

describe.each([
  ['read in one piece', undefined],
  // A large file is COPYed in two halves by two more connections, each committing its part
  // before the batch's transaction attaches them: a killed run leaves parts nobody attached.
  ['read in two halves', 1_000_000],
])('a process killed in the middle of a batch %s', (_label, splitBytes) => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let inbox: string;
  const chargeFile = () => path.join(inbox, H1, 'his', 'charge_lines_2025-01.csv');

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    await loadSeeds(pool, await findSeeds(projectPaths.seeds), silentLogger);
    let his: string;
    ({ inbox, his } = await hisInbox(H1, 'hdw-kill-'));
    const lines = [CHARGE_HEADER];
    for (let n = 0; n < LINES; n += 1)
      lines.push(`L${n},I,V1,2025-01-02 09:00:00,I1,床位费,01,1,50.00,50.00,D01,D01`);
    await writeFile(path.join(his, 'charge_lines_2025-01.csv'), `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
    await rm(inbox, { recursive: true, force: true });
  });

  it('leaves no partial batch, and the next run loads the delivery whole', async () => {
    const url = new URL(t.url);
    url.searchParams.set('application_name', APP);
    const script = `
      import pg from 'pg';
      import { ingestInbox } from ${JSON.stringify(path.join(projectRoot, 'pipelines/ingest/ingest-inbox.ts'))};
      import { allSources } from ${JSON.stringify(path.join(projectRoot, 'pipelines/sources/index.ts'))};
      import { silentLogger } from ${JSON.stringify(path.join(projectRoot, 'core/logging/logger.ts'))};
      const pool = new pg.Pool({ connectionString: ${JSON.stringify(url.toString())} });
      await ingestInbox(pool, { inbox: ${JSON.stringify(inbox)}, sources: allSources, logger: silentLogger, splitBytes: ${splitBytes ?? 'undefined'} });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot,
      stdio: 'ignore',
      env: process.env,
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    // Kill it while the charge-line batch streams into its batch table.
    await waitFor(async () => {
      const { rows } = await pool.query(
        `select count(*)::int as n from pg_stat_activity where application_name = $1
           and query ilike 'copy raw_his.charge_lines__b%' and state = 'active'`,
        [APP],
      );
      return rows[0].n > 0;
    }, 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await waitFor(async () => {
      const { rows } = await pool.query(
        `select count(*)::int as n from pg_stat_activity where application_name = $1`,
        [APP],
      );
      return rows[0].n === 0;
    }, 30_000);

    const batches = await pool.query(`select source from ops.batches order by batch_id`);
    expect(batches.rows.map((b) => b.source)).not.toContain('his.charge_lines');
    const partial = await pool.query(`select count(*)::int as n from raw_his.charge_lines`);
    expect(partial.rows[0].n).toBe(0);
    expect((await stat(chargeFile())).size).toBeGreaterThan(0); // still in the inbox

    const next = await ingestInbox(pool, { inbox, sources: allSources, logger: silentLogger });
    const charges = next.batches.find((b) => b.delivery.source.entity === 'charge_lines')!;
    expect(charges).toMatchObject({
      outcome: 'loaded',
      rowsRead: LINES,
      rowsLoaded: LINES,
      rowsQuarantined: 0,
      rowsDuplicate: 0,
    });
    const loaded = await pool.query(`select count(*)::int as n from raw_his.charge_lines`);
    expect(loaded.rows[0].n).toBe(LINES);
    // No batch table or part left over from the killed run: each is attached or was dropped.
    const loose = await pool.query(
      `select count(*)::int as n from pg_class c
       where c.relname like 'charge\\_lines\\_\\_b%' and c.relkind in ('r', 'p')
         and not exists (select 1 from pg_inherits i where i.inhrelid = c.oid)`,
    );
    expect(loose.rows[0].n).toBe(0);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
