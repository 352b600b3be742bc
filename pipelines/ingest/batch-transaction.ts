import type pg from 'pg';
import { withTransaction } from '../../core/db/transaction.ts';

/**
 * Runs one batch's work in one transaction, serialised with any other work on the same source,
 * hospital and period (an advisory lock on `lockKey`): it commits when `work` returns and rolls
 * back when it throws, so a batch is written whole or not at all.
 */
export async function inBatchTransaction<T>(
  pool: pg.Pool,
  lockKey: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(
    pool,
    async (client) => {
      await client.query(`set local work_mem = '256MB'`);
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey]);
      return work(client);
    },
    // The load table is a temp table: give it room in memory. Only possible before the session's
    // first temp table, so a pooled connection that already had one keeps its setting.
    (client) => client.query(`set temp_buffers = '256MB'`).catch(() => undefined),
  );
}
