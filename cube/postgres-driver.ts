import postgresDriverModule from '@cubejs-backend/postgres-driver';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logging/logger.ts';

/** Where Cube connects: the parts of a `postgres://` URL that the driver takes one by one. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  readonly ssl: boolean;
}

const urlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
  .transform((value, ctx) => {
    const url = new URL(value);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const host = url.searchParams.get('host') ?? decodeURIComponent(url.hostname);
    if (!database || !host) {
      ctx.addIssue({ code: 'custom', message: 'must name a host and a database' });
      return z.NEVER;
    }
    const sslmode = url.searchParams.get('sslmode');
    return {
      host,
      port: url.port ? Number(url.port) : 5432,
      database,
      user: decodeURIComponent(url.username) || 'postgres',
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ssl: sslmode !== null && !['disable', 'allow', 'prefer'].includes(sslmode),
    } satisfies PostgresConnection;
  });

/** Parses the warehouse URL; the error names the problem but never echoes the URL (it holds a password). */
export function parseDatabaseUrl(databaseUrl: string): PostgresConnection {
  const parsed = urlSchema.safeParse(databaseUrl);
  if (!parsed.success) {
    throw new ConfigError(
      `Cube database URL ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  return parsed.data;
}

/** The slice of a Cube driver that server-core relies on when it gets an instance from a factory. */
export interface CubeDriver {
  testConnection(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Cube's `driverFactory`: a fresh PostgreSQL driver for each orchestrator Cube creates. The pool
 * is kept small (queries queue inside Cube, HDW_CUBE_QUERY_CONCURRENCY at a time) and named, so the
 * connections are recognisable in pg_stat_activity. The driver's idle-client errors, which it
 * would print to the console, go to our logger instead.
 */
export function createPostgresDriverFactory(options: {
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly poolSize?: number;
}): () => CubeDriver {
  const connection = parseDatabaseUrl(options.databaseUrl);
  const { PostgresDriver } = postgresDriverModule;
  return () => {
    const driver = new PostgresDriver({
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: connection.user,
      ...(connection.password !== undefined ? { password: connection.password } : {}),
      ssl: connection.ssl,
      maxPoolSize: options.poolSize ?? 4,
      application_name: 'hdw-cube',
    });
    const pool = (driver as unknown as { pool: NodeJS.EventEmitter }).pool;
    pool.removeAllListeners('error');
    pool.on('error', (error: Error) => {
      options.logger.warn({ err: error.message }, 'Cube database connection lost while idle');
    });
    return driver;
  };
}
