import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import serverCore, { type CreateOptions } from '@cubejs-backend/server-core';
import express from 'express';
import pg from 'pg';
import { defaultAllianceId } from '../core/config/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logging/logger.ts';
import { createCubeLogger } from './cube-logger.ts';
import { cubeSetting, dropLocalCacheEntries } from './cube-modules.ts';
import { stripErrorStacks, swallowAnsweredErrors } from './error-bodies.ts';
import { catalogOf } from './model-catalog.ts';
import { createModelRepository } from './model-repository.ts';
import { createPostgresDriverFactory } from './postgres-driver.ts';
import { useSimpleYamlStrings } from './yaml-strings.ts';
import { constructQuietly } from './quiet-construction.ts';
import { RefreshGate } from './refresh-gate.ts';
import { createCheckAuth } from './security/check-auth.ts';
import { createQueryRewrite, type ModelCatalog } from './security/row-security.ts';
import { prepareTokenVerifier } from './security/token.ts';
import { defaultSharingPolicy, type SharingPolicy } from '../core/security/sharing-policy.ts';
import type { SecurityContext } from './security/context.ts';

export interface CubeServerOptions {
  /** The warehouse Cube reads (the `marts` schema). */
  readonly databaseUrl: string;
  /** HS256 secret the tokens are signed with; at least 32 characters. */
  readonly jwtSecret?: string;
  /**
   * RS256 public key (SPKI PEM, see core/security/jwt-public-key.ts) of an external token issuer.
   * With both, either kind of token is accepted; at least one of the two is required.
   */
  readonly jwtPublicKey?: string;
  /**
   * When set, pre-aggregations are checked every so many seconds and rebuilt when their refresh
   * key (the last successful publish) changed, so a pipeline run in another process shows up
   * without waiting for a query to trigger the build. Without it, a query after a publish is
   * answered from the previous build while the new one is made in the background.
   */
  readonly preAggregationRefreshSeconds?: number;
  /** The alliance served (`HDW_ALLIANCE_ID`); tokens for another get 403. Default `defaultAllianceId`. */
  readonly allianceId?: string;
  /** What members may see of other hospitals; default `defaultSharingPolicy`. */
  readonly sharingPolicy?: SharingPolicy;
  readonly logger: Logger;
  /** How many queries Cube runs on PostgreSQL at once (HDW_CUBE_QUERY_CONCURRENCY); default 6. */
  readonly queryConcurrency?: number;
  /** Folder of the YAML data model; default: `cube/model` of this repository. */
  readonly modelPath?: string;
  /** Folder of the transform models the data model takes its titles from; default `models/`. */
  readonly modelsPath?: string;
}

export interface CubeHandle {
  /** Drop compiled model + query caches so new mart data shows. */
  refresh(): Promise<void>;
  /**
   * Builds every pre-aggregation whose refresh key changed (all of them on first call) in the
   * warehouse's `cube_pre_aggregations` schema, so the first dashboard query after start-up or a
   * pipeline run does not wait for it. Queries would build them on demand too; this only warms up.
   */
  refreshPreAggregations(): Promise<void>;
  /** Stop answering, release the database pools and Cube's timers. */
  shutdown(): Promise<void>;
}

/** Where Cube's REST (`/v1/load`, `/v1/meta`, `/v1/sql`, …) and GraphQL (`/graphql`) endpoints live. */
export const cubeApiPath = '/cubejs-api';

const defaultModelPath = fileURLToPath(new URL('./model', import.meta.url));

/**
 * Mounts Cube's REST and GraphQL API in-process on `app`, under `/cubejs-api`. Every request needs
 * a valid token (see `security/check-auth.ts`) and members only ever see their own hospital (see
 * `security/row-security.ts`). Nothing phones home, no dev server, playground, Cube Store or
 * scheduled refresh; Cube's logs go to `logger`. Only paths under `/cubejs-api` reach Cube, so `/`
 * stays free for the dashboard.
 *
 * @example
 *   const cube = await mountCube(app, { databaseUrl, jwtSecret, jwtPublicKey, logger });
 *   await cube.refreshPreAggregations(); // warm up after start-up
 */
export async function mountCube(app: express.Express, options: CubeServerOptions): Promise<CubeHandle> {
  const logger = options.logger.child({ component: 'cube' });
  useSimpleYamlStrings();
  // With this set, Cube accepts any token signed with it whenever our checkAuth refuses one.
  if (process.env.CUBEJS_PLAYGROUND_AUTH_SECRET) {
    throw new ConfigError(
      'CUBEJS_PLAYGROUND_AUTH_SECRET is set: it would let tokens bypass our checkAuth; unset it',
    );
  }
  const verifier = await prepareTokenVerifier({
    ...(options.jwtSecret !== undefined ? { hs256Secret: options.jwtSecret } : {}),
    ...(options.jwtPublicKey !== undefined ? { rs256PublicKey: options.jwtPublicKey } : {}),
  });
  const policy = options.sharingPolicy ?? defaultSharingPolicy;
  const modelPath = options.modelPath ?? defaultModelPath;
  await assertFolder(modelPath);
  const repository = createModelRepository(path.resolve(modelPath), options.modelsPath);
  // Checked now, not at the first query: a cube member whose mart column was renamed stops start-up.
  await repository.dataSchemaFiles();

  // One orchestrator id per instance and refresh generation: Cube's in-memory cache is shared by
  // the whole process and keyed by this id, so two instances never see each other's results and a
  // refresh never serves results cached before it.
  const instanceId = randomBytes(4).toString('hex');
  let generation = 0;
  const orchestratorId = () => `hdw_${instanceId}_${generation}`;

  let core: InstanceType<typeof serverCore.CubejsServerCore> | undefined;
  const catalog: ModelCatalog = async (context) => {
    if (!core) throw new Error('Cube is not started');
    const compilerApi = await core.getCompilerApi(context as Parameters<typeof core.getCompilerApi>[0]);
    return catalogOf(await compilerApi.metaConfig({ requestId: context.requestId }));
  };

  const concurrency = options.queryConcurrency ?? 6;
  const createOptions: CreateOptions = {
    dbType: 'postgres',
    driverFactory: createPostgresDriverFactory({
      databaseUrl: options.databaseUrl,
      logger,
      poolSize: concurrency + 2,
    }) as unknown as CreateOptions['driverFactory'],
    // A page's queries run side by side rather than two at a time (Cube's default). externalRefresh
    // stated: with these options given, building the original_sql pre-aggregation failed ("when
    // externalRefresh is true … you cannot wait for it using waitForRenew").
    orchestratorOptions: {
      queryCacheOptions: { queueOptions: { concurrency } },
      preAggregationsOptions: { externalRefresh: false },
    },
    repositoryFactory: () =>
      repository as unknown as ReturnType<NonNullable<CreateOptions['repositoryFactory']>>,
    // Required by Cube, though our checkAuth replaces its JWT check entirely.
    apiSecret: options.jwtSecret ?? randomBytes(32).toString('base64url'),
    checkAuth: createCheckAuth({ verifier, logger, allianceId: options.allianceId ?? defaultAllianceId }),
    queryRewrite: createQueryRewrite({ logger, catalog, policy }) as unknown as CreateOptions['queryRewrite'],
    contextToOrchestratorId: orchestratorId,
    // Views expose no primary key, so an ungrouped query (raw rows) could not be asked of one
    // otherwise; row security applies to it exactly as to a grouped one.
    allowUngroupedWithoutPrimaryKey: true,
    devServer: false,
    telemetry: false,
    scheduledRefreshTimer: false,
    // In-process cache and queue: in production Cube would otherwise look for Cube Store.
    cacheAndQueueDriver: 'memory',
    // Fixed, so it does not follow NODE_ENV (dev_/prod_pre_aggregations).
    preAggregationsSchema: 'cube_pre_aggregations',
    logger: createCubeLogger(logger),
  };
  const constructed = constructQuietly(() => new serverCore.CubejsServerCore(createOptions), logger);
  const cube = constructed.value;
  core = cube;
  shareModelCompiles(cube);

  const gate = new RefreshGate();
  let stopped = false;
  const router = express.Router();
  router.use((req, res, next) => {
    if (stopped) {
      res.status(503).json({ error: 'Cube is shut down' });
      return;
    }
    gate.enter().then(() => {
      let left = false;
      const leave = () => {
        if (!left) {
          left = true;
          gate.leave();
        }
      };
      res.once('finish', leave);
      res.once('close', leave);
      next();
    }, next);
  });
  router.use(stripErrorStacks());
  await cube.initApp(router as unknown as express.Application);
  askDevModeOncePerMetaFilter(cube);
  router.use(swallowAnsweredErrors());
  app.use((req, res, next) => {
    if (req.path === cubeApiPath || req.path.startsWith(`${cubeApiPath}/`)) router(req, res, next);
    else next();
  });
  logger.info({ modelPath, path: cubeApiPath }, 'Cube API mounted');

  let refreshing: Promise<void> | undefined;
  const buildPreAggregations = async () => {
    if (stopped) return;
    const started = Date.now();
    const before = await preAggregationTables(options.databaseUrl);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await cube.runScheduledRefresh(internalContext(refreshContext) as never, {
          concurrency: 1,
          throwErrors: true,
        });
        break;
      } catch (error) {
        // A build that outlasts Cube's wait answers "Continue wait"; it goes on, so ask again. Asked
        // again within the same second, Cube may start a second build of a table the first is still
        // writing, under the same name ("relation … already exists"): that build lost the race and
        // the first one's table serves, so ask again too, a moment later.
        const message = String((error as { error?: unknown }).error ?? (error as Error).message ?? error);
        const retry = message === 'Continue wait' || /relation "[^"]+" already exists/.test(message);
        if (!retry || attempt >= 120) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    // Cube keeps the list of pre-aggregation tables it knows in its caches; when a build made new
    // ones, queries would look for the new table in a stale list ("not found after it was
    // successfully created"). A fresh generation reads the list again.
    const rebuilt = (await preAggregationTables(options.databaseUrl)) !== before;
    if (rebuilt) await handle.refresh();
    logger.info({ ms: Date.now() - started, rebuilt }, 'Cube pre-aggregations up to date');
  };
  const handle: CubeHandle = {
    async refresh() {
      if (stopped) return;
      const { drainTimedOut } = await gate.exclusive(async () => {
        const retired = orchestratorId();
        generation += 1;
        await cube.resetInstanceState();
        dropLocalCacheEntries(retired);
        // Compiled before the gate opens: the queries held at the gate answer at once, instead of
        // meeting a compile in progress ("Continue wait").
        await (await cube.getCompilerApi(internalContext(refreshContext) as never)).getCompilers();
      });
      logger.info({ drainTimedOut }, 'Cube model and query caches refreshed');
    },
    refreshPreAggregations() {
      // One build at a time: a timer tick during a long build joins it instead of starting another.
      refreshing ??= buildPreAggregations().finally(() => (refreshing = undefined));
      return refreshing;
    },
    async shutdown() {
      if (stopped) return;
      if (timer) clearInterval(timer);
      stopped = true;
      for (const timer of constructed.intervals) clearInterval(timer);
      await cube.beforeShutdown();
      await cube.shutdown();
      dropLocalCacheEntries(orchestratorId());
      logger.info('Cube API shut down');
    },
  };
  const seconds = options.preAggregationRefreshSeconds;
  const timer =
    seconds !== undefined && seconds > 0
      ? setInterval(() => {
          handle.refreshPreAggregations().catch((error: unknown) => {
            logger.warn(
              { err: (error as Error).message },
              'Cube pre-aggregation refresh failed; retrying on the next tick',
            );
          });
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return handle;
}

/** The tables of `cube_pre_aggregations`, as one string to compare before and after a build. */
async function preAggregationTables(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'hdw-cube' });
  await client.connect();
  try {
    const { rows } = await client.query<{ tables: string | null }>(
      `select string_agg(table_name, ',' order by table_name) as tables
       from information_schema.tables where table_schema = 'cube_pre_aggregations'`,
    );
    return rows[0]?.tables ?? '';
  } finally {
    await client.end();
  }
}

/** Who the pre-aggregation refresh runs as: a steward sees everything, and it never reaches queryRewrite. */
const refreshContext: SecurityContext = { role: 'steward', alliance_id: 'hdw-refresh' };

/** A request context of our own (refresh, compile): Cube only needs a valid one. */
function internalContext(securityContext: SecurityContext): {
  securityContext: SecurityContext;
  requestId: string;
} {
  return { securityContext, requestId: `hdw-internal-${randomBytes(4).toString('hex')}` };
}

type CompilerApiLike = { getCompilers(options?: { requestId?: string }): Promise<unknown> };

/**
 * Cube compiles the model on the first query after start-up or a refresh, and caches it only once
 * the compile is done: every query arriving meanwhile starts a compile of its own
 * (`CompilerApi.getCompilers`). A dashboard's six tiles meant six compiles of some seconds of CPU
 * each, and on a busy machine the queries waited past a minute. Callers during a compile now share it.
 */
function shareModelCompiles(cube: InstanceType<typeof serverCore.CubejsServerCore>): void {
  const core = cube as unknown as { createCompilerApi(...args: unknown[]): CompilerApiLike };
  const create = core.createCompilerApi.bind(core);
  core.createCompilerApi = (...args: unknown[]) => {
    const api = create(...args);
    const compile = api.getCompilers.bind(api);
    let inFlight: Promise<unknown> | undefined;
    api.getCompilers = (options) => {
      inFlight ??= compile(options).finally(() => (inFlight = undefined));
      return inFlight;
    };
    return api;
  };
}

interface MetaMemberLike {
  readonly isVisible?: unknown;
}
interface MetaCubeLike {
  readonly isVisible?: unknown;
  readonly config: {
    readonly measures?: MetaMemberLike[];
    readonly dimensions?: MetaMemberLike[];
    readonly segments?: MetaMemberLike[];
  };
}
type MetaFilter = (
  context: { signedWithPlaygroundAuthSecret?: unknown },
  metaConfig: MetaCubeLike[],
) => unknown;

/**
 * Every `/load` has Cube's API gateway filter the whole model's members by visibility (for the
 * answer's annotation), and its filter asks `getEnv('devMode')` once per member: each ask goes
 * through env-var, which `require`s its accessors again, and under tsx each `require` resolves the
 * file anew. On this model (~2,400 members) that was about 20 ms of CPU per query, most of the
 * server's time per page (profile of 8 DRG page loads: 1.1 s of the 2.9 s the process was busy).
 * The same filter, with devMode asked once per call: the same members pass.
 */
function askDevModeOncePerMetaFilter(cube: InstanceType<typeof serverCore.CubejsServerCore>): void {
  const gateway = (
    cube as unknown as { apiGateway(): { filterVisibleItemsInMeta?: MetaFilter } }
  ).apiGateway();
  if (typeof gateway.filterVisibleItemsInMeta !== 'function') return; // a Cube upgrade changed it: keep Cube's
  gateway.filterVisibleItemsInMeta = (context, metaConfig) => {
    const all = Boolean(cubeSetting('devMode')) || Boolean(context.signedWithPlaygroundAuthSecret);
    const visible = (item: MetaMemberLike) => all || Boolean(item.isVisible);
    return metaConfig
      .map((entry) => ({
        config: {
          public: entry.isVisible,
          ...entry.config,
          measures: entry.config.measures?.filter(visible),
          dimensions: entry.config.dimensions?.filter(visible),
          segments: entry.config.segments?.filter(visible),
        },
      }))
      .filter(
        (entry) =>
          entry.config.measures?.length || entry.config.dimensions?.length || entry.config.segments?.length,
      );
  };
}

async function assertFolder(modelPath: string): Promise<void> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConfigError(`Cube model folder not found: ${modelPath}`);
}

/**
 * BI tools and proxies reuse connections; Node closes an idle one after 5 s, which can race a
 * request the client is just sending on it (it sees ECONNRESET). Keep idle connections for 65 s,
 * longer than common clients and load balancers do, so the client is the one that closes them.
 */
export function keepConnectionsOpen(server: Server): Server {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
