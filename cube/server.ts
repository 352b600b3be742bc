import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import serverCore, { type CreateOptions } from '@cubejs-backend/server-core';
import express from 'express';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logging/logger.ts';
import { createCubeLogger } from './cube-logger.ts';
import { dropLocalCacheEntries } from './cube-modules.ts';
import { stripErrorStacks, swallowAnsweredErrors } from './error-bodies.ts';
import { catalogOf } from './model-catalog.ts';
import { createModelRepository } from './model-repository.ts';
import { createPostgresDriverFactory } from './postgres-driver.ts';
import { constructQuietly } from './quiet-construction.ts';
import { RefreshGate } from './refresh-gate.ts';
import { createCheckAuth } from './security/check-auth.ts';
import { createQueryRewrite, type ModelCatalog } from './security/row-security.ts';
import { assertTokenKeys, type TokenKeys } from './security/token.ts';

export interface CubeServerOptions {
  /** The warehouse Cube reads (the `marts` schema). */
  readonly databaseUrl: string;
  /** HS256 secret the tokens are signed with; at least 32 characters. */
  readonly jwtSecret: string;
  readonly logger: Logger;
  /** Folder of the YAML data model; default: `cube/model` of this repository. */
  readonly modelPath?: string;
}

export interface CubeHandle {
  /** Drop compiled model + query caches so new mart data shows. */
  refresh(): Promise<void>;
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
 *   const cube = await mountCube(app, { databaseUrl, jwtSecret, logger });
 *   // after a mart build:
 *   await cube.refresh();
 */
export async function mountCube(app: express.Express, options: CubeServerOptions): Promise<CubeHandle> {
  const logger = options.logger.child({ component: 'cube' });
  // With this set, Cube accepts any token signed with it whenever our checkAuth refuses one.
  if (process.env.CUBEJS_PLAYGROUND_AUTH_SECRET) {
    throw new ConfigError(
      'CUBEJS_PLAYGROUND_AUTH_SECRET is set: it would let tokens bypass our checkAuth; unset it',
    );
  }
  const keys: TokenKeys = { kind: 'hs256', secret: options.jwtSecret };
  assertTokenKeys(keys);
  const modelPath = options.modelPath ?? defaultModelPath;
  await assertFolder(modelPath);
  const repository = createModelRepository(modelPath);

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

  const createOptions: CreateOptions = {
    dbType: 'postgres',
    driverFactory: createPostgresDriverFactory({
      databaseUrl: options.databaseUrl,
      logger,
    }) as unknown as CreateOptions['driverFactory'],
    repositoryFactory: () =>
      repository as unknown as ReturnType<NonNullable<CreateOptions['repositoryFactory']>>,
    // Required by Cube, though our checkAuth replaces its JWT check entirely.
    apiSecret: options.jwtSecret,
    checkAuth: createCheckAuth({ keys, logger }),
    queryRewrite: createQueryRewrite({ logger, catalog }) as unknown as CreateOptions['queryRewrite'],
    contextToOrchestratorId: orchestratorId,
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
  router.use(swallowAnsweredErrors());
  app.use((req, res, next) => {
    if (req.path === cubeApiPath || req.path.startsWith(`${cubeApiPath}/`)) router(req, res, next);
    else next();
  });
  logger.info({ modelPath, path: cubeApiPath }, 'Cube API mounted');

  return {
    async refresh() {
      if (stopped) return;
      const { drainTimedOut } = await gate.exclusive(async () => {
        const retired = orchestratorId();
        generation += 1;
        await cube.resetInstanceState();
        dropLocalCacheEntries(retired);
      });
      logger.info({ drainTimedOut }, 'Cube model and query caches refreshed');
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      for (const timer of constructed.intervals) clearInterval(timer);
      await cube.beforeShutdown();
      await cube.shutdown();
      dropLocalCacheEntries(orchestratorId());
      logger.info('Cube API shut down');
    },
  };
}

async function assertFolder(modelPath: string): Promise<void> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConfigError(`Cube model folder not found: ${modelPath}`);
}
