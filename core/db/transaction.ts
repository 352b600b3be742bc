import type pg from 'pg';

/**
 * Runs `work` on one pooled connection inside one transaction: it commits when `work` returns and
 * rolls back when it throws, so what it writes lands whole or not at all. `prepare` runs on the
 * connection before `begin` (session settings that cannot change inside a transaction).
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  prepare?: (client: pg.PoolClient) => Promise<unknown>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await prepare?.(client);
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
