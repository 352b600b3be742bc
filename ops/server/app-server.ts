import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type pg from 'pg';
import type { Config } from '../../core/config/config.ts';
import { resolveJwtSecret } from '../../core/config/jwt-secret.ts';
import { createPool } from '../../core/db/database.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { projectPaths } from '../../core/paths.ts';
import { createAccessAuditWriter, purgeAccessAudit } from '../../core/security/access-audit.ts';
import { warmUpSignIn } from '../../core/security/app-users.ts';
import { loadJwtPublicKey } from '../../core/security/jwt-public-key.ts';
import { sharingPolicyOf } from '../../core/security/sharing-policy.ts';
import { writeDocsSite } from '../../core/engine/docs-site.ts';
import { healthzHandler } from '../../cube/healthz.ts';
import { cubeApiPath, keepConnectionsOpen, mountCube, type CubeHandle } from '../../cube/server.ts';
import { prepareTokenVerifier } from '../../cube/security/token.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { apiErrors } from './api-auth.ts';
import { cubeAuditMiddleware } from './cube-audit.ts';
import { downloadRoutes } from './download-routes.ts';
import { sessionRoutes } from './session-routes.ts';

export interface AppServerOptions {
  readonly config: Config;
  /** The warehouse's pool (the caller keeps owning it), or its URL (a pool is made and closed here). */
  readonly pool?: pg.Pool;
  readonly databaseUrl: string;
  readonly logger: Logger;
  /** The built web application; default `target/web`. Non-API GET paths fall back to its index.html. */
  readonly staticDir?: string;
  /** Default HDW_PORT; 0 for an ephemeral one. */
  readonly port?: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Where the model docs are written and served from (`/docs`); false: no docs. Default `target/docs`. */
  readonly docsDir?: string | false;
  /** Seconds between pre-aggregation checks (see CubeServerOptions); default 30. */
  readonly preAggregationRefreshSeconds?: number;
}

export interface AppServer {
  readonly app: express.Express;
  /** `http://<host>:<port>` as listened on (127.0.0.1 or localhost for 0.0.0.0). */
  readonly base: string;
  readonly cube: CubeHandle;
  /** Waits for the access-audit rows in flight (written in the background so answers never wait). */
  flushAudit(): Promise<void>;
  /** Stops answering, waits for audit rows in flight, shuts Cube down and closes a pool made here. */
  close(): Promise<void>;
}

/** Where an API path lives: these never fall back to the web application's index.html. */
const apiPrefixes = ['/api', cubeApiPath, '/docs', '/healthz'];

/** Headers and body fields that must never reach a log line, whatever a handler logs. */
const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'body.password',
  'body.token',
  '*.password',
  '*.token',
];

/**
 * What `hdw serve` serves, on one port: `/healthz`; `/api` (sign-in, the signed-in user, data
 * freshness, Excel exports and reports, violation reviews; see session-routes.ts and
 * download-routes.ts); Cube's REST and GraphQL API under `/cubejs-api`, every request recorded in
 * the access audit trail (cube-audit.ts); the model docs under `/docs`; and the web application
 * from `staticDir`, any other GET path answered with its index.html (client-side routes). Audit
 * rows older than HDW_AUDIT_RETENTION_DAYS are purged at start and daily.
 *
 * @example
 *   const server = await createAppServer({ config, databaseUrl: warehouse.url, pool: warehouse.pool, logger });
 *   console.log(server.base); // http://localhost:4000
 */
export async function createAppServer(options: AppServerOptions): Promise<AppServer> {
  const { config } = options;
  // Every line of the server, Cube's included, goes through the redaction.
  const redacting = options.logger.child({}, { redact: { paths: redactedPaths, censor: '[redacted]' } });
  const logger = redacting.child({ component: 'app' });
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? createPool(options.databaseUrl, 5, 'hdw app');
  const jwtSecret = await resolveJwtSecret(config);
  const jwtPublicKey = await loadJwtPublicKey(config.HDW_JWT_PUBLIC_KEY);
  const verifier = await prepareTokenVerifier({
    hs256Secret: jwtSecret,
    ...(jwtPublicKey !== undefined ? { rs256PublicKey: jwtPublicKey } : {}),
  });
  const audit = createAccessAuditWriter(pool, logger);
  const exportMark = randomBytes(16).toString('hex');
  const allianceId = config.HDW_ALLIANCE_ID;
  void warmUpSignIn();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxyOf(config.HDW_TRUST_PROXY));
  app.use(accessLog(logger));
  // Before Cube and its token check: monitoring asks without a token (and gets no data).
  app.get('/healthz', healthzHandler(pool, { publishMaxAgeHours: config.HDW_PUBLISH_MAX_AGE_HOURS }));

  let base = '';
  const api = express.Router();
  api.use(express.json({ limit: '100kb' }));
  api.use(sessionRoutes({ config, pool, verifier, jwtSecret, audit }));
  api.use(
    downloadRoutes({
      config,
      pool,
      databaseUrl: options.databaseUrl,
      verifier,
      audit,
      logger,
      exportMark,
      cubeBase: () => base,
    }),
  );
  api.use((_req, res) => void res.status(404).json({ error: apiErrors.notFound }));
  api.use(((error, _req, res, _next) => {
    const status = (error as { status?: number }).status;
    if (status === 400 || status === 413) {
      res.status(status).json({ error: apiErrors.badRequest });
      return;
    }
    logger.error({ err: (error as Error).message }, 'API request failed');
    if (!res.headersSent) res.status(500).json({ error: apiErrors.internal });
  }) as express.ErrorRequestHandler);
  app.use('/api', api);

  app.use(cubeAuditMiddleware({ verifier, allianceId, audit, exportMark }));
  const cube = await mountCube(app, {
    databaseUrl: options.databaseUrl,
    jwtSecret,
    ...(jwtPublicKey !== undefined ? { jwtPublicKey } : {}),
    // Rollups are rebuilt when a pipeline run (in this or another process) publishes new marts.
    preAggregationRefreshSeconds: options.preAggregationRefreshSeconds ?? 30,
    sharingPolicy: sharingPolicyOf(config),
    allianceId,
    queryConcurrency: config.HDW_CUBE_QUERY_CONCURRENCY,
    logger: redacting,
  });

  if (options.docsDir !== false) {
    // Rebuilt at start-up from the model files (no database needed), so /docs matches the code.
    const docsDir = options.docsDir ?? path.join(projectPaths.target, 'docs');
    await writeDocsSite(await loadProject(), docsDir);
    app.use('/docs', express.static(docsDir));
  }
  const staticDir = options.staticDir ?? path.join(projectPaths.target, 'web');
  // Vite names every built asset by its content hash: a browser may keep them for good and reload
  // only index.html (revalidated each time), which names the current ones.
  app.use('/assets', express.static(path.join(staticDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use(express.static(staticDir, { index: 'index.html' }));
  app.get(/.*/, (req, res, next) => {
    const isApi = apiPrefixes.some((p) => req.path === p || req.path.startsWith(`${p}/`));
    const index = path.join(staticDir, 'index.html');
    if (isApi || !existsSync(index)) next();
    else res.sendFile(index);
  });

  const purge = () =>
    purgeAccessAudit(pool, config.HDW_AUDIT_RETENTION_DAYS).then(
      (purged) =>
        purged > 0 &&
        logger.info(
          { purged, retentionDays: config.HDW_AUDIT_RETENTION_DAYS },
          'old access audit rows purged',
        ),
      (error: unknown) => logger.warn({ err: (error as Error).message }, 'access audit purge failed'),
    );
  void purge();
  const purgeTimer = setInterval(() => void purge(), 24 * 3600 * 1000);
  purgeTimer.unref();

  const host = options.host ?? '0.0.0.0';
  const server: Server = keepConnectionsOpen(app.listen(options.port ?? config.HDW_PORT, host));
  try {
    await once(server, 'listening');
  } catch (error) {
    clearInterval(purgeTimer);
    await cube.shutdown();
    if (ownPool) await pool.end();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  let closed = false;
  return {
    app,
    base: host === '0.0.0.0' ? `http://localhost:${port}` : base,
    cube,
    flushAudit: () => audit.flush(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(purgeTimer);
      const stopped = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await stopped;
      await audit.flush();
      await cube.shutdown();
      if (ownPool) await pool.end();
    },
  };
}

/**
 * One line per request: method, path without its query string (a GET query may hold filter
 * values), status and time. Authorization headers, passwords and tokens are redacted by the logger.
 */
function accessLog(logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      logger.debug(
        {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    next();
  };
}

/** HDW_TRUST_PROXY as Express's `trust proxy` value: a boolean, a hop count, or the addresses as given. */
function trustProxyOf(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
