import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import { startEmbedded, stopEmbedded } from './embedded-postgres.ts';
import { migrateToLatest } from './migrate.ts';

// numeric and bigint arrive as strings by default; keep numeric exact (money!) but read counts as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Untyped database handle: the warehouse's tables are created by migrations and models at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>;

/** An open warehouse: the Kysely handle, its URL, and `close()` that also stops an embedded server we started. */
export interface Warehouse {
  readonly db: Db;
  /** The pool under `db`, for what Kysely does not do (COPY streams). */
  readonly pool: pg.Pool;
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/**
 * A pool whose connections may die under it (server restarted, backend terminated, network cut)
 * without crashing the process: the query in flight fails with the error and its transaction rolls
 * back, and the broken connection leaves the pool. Without these listeners Node would treat the
 * socket error of a connection in use (ECONNRESET, EPIPE mid-COPY) as an uncaught exception.
 */
export function createPool(url: string, poolSize = 10, applicationName?: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: applicationName });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createDb(urlOrPool: string | pg.Pool): Db {
  const pool = typeof urlOrPool === 'string' ? createPool(urlOrPool) : urlOrPool;
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens the warehouse the configuration points at: `DATABASE_URL` when set (the embedded server is
 * then never started), else the embedded PostgreSQL of the data folder, started on demand. Brings
 * the schema up to date. `close()` stops the embedded server only if this call started it, unless
 * `keepRunning` is set (the server then outlives the command, as after `hdw db start`).
 */
export async function openWarehouse(
  config: Config,
  logger: Logger,
  options: { keepRunning?: boolean; migrate?: boolean } = {},
): Promise<Warehouse> {
  let url = config.DATABASE_URL;
  let started = false;
  if (!url) {
    const embedded = await startEmbedded({ dataDir: config.HDW_DATA_DIR, logger });
    url = embedded.url;
    started = embedded.started;
  }
  // Named, so closing can tell this command's sessions from another's.
  const pool = createPool(url, 10, `hdw ${process.pid}`);
  const db = createDb(pool);
  const close = async () => {
    // Another command using the server it started (one waiting for the run lock, say) keeps it running.
    const stop = started && !options.keepRunning && (await otherSessions(pool)) === 0;
    await db.destroy();
    if (stop) await stopEmbedded(config.HDW_DATA_DIR, logger);
    else if (started && !options.keepRunning)
      logger.info('embedded PostgreSQL left running: another command is using it (hdw db stop stops it)');
  };
  try {
    if (options.migrate !== false) await migrateToLatest(db, logger);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, pool, url, embedded: !config.DATABASE_URL, close };
}

/** Client sessions of other processes on the server (0 when it cannot be asked). */
async function otherSessions(pool: pg.Pool): Promise<number> {
  try {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend'
         and application_name is distinct from $1 and application_name is distinct from 'hdw-cube'`,
      [`hdw ${process.pid}`],
    );
    return rows[0]?.n ?? 0;
  } catch {
    return 0;
  }
}
