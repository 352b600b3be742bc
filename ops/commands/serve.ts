import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import { resolveJwtSecret } from '../../core/config/jwt-secret.ts';
import { loadJwtPublicKey } from '../../core/security/jwt-public-key.ts';
import { openWarehouse } from '../../core/db/database.ts';
import { sharingPolicyOf } from '../../core/security/sharing-policy.ts';
import { projectPaths } from '../../core/paths.ts';
import { healthzHandler } from '../../cube/healthz.ts';
import { keepConnectionsOpen, mountCube } from '../../cube/server.ts';
import { writeDocsSite } from '../../core/engine/docs-site.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import { commandContext } from '../context.ts';

/**
 * `hdw serve`: the Cube REST and GraphQL API and the dashboard on one port. Runs until SIGINT or
 * SIGTERM, then closes the HTTP server, Cube and the warehouse (stopping an embedded server it started).
 */
export async function serve(): Promise<void> {
  const { config, logger } = commandContext();
  const warehouse = await openWarehouse(config, logger);
  const app = express();
  app.disable('x-powered-by');
  // Before Cube and its token check: monitoring asks without a token (and gets no data).
  app.get(
    '/healthz',
    healthzHandler(warehouse.pool, { publishMaxAgeHours: config.HDW_PUBLISH_MAX_AGE_HOURS }),
  );
  const cube = await mountCube(app, {
    databaseUrl: warehouse.url,
    jwtSecret: await resolveJwtSecret(config),
    jwtPublicKey: await loadJwtPublicKey(config.HDW_JWT_PUBLIC_KEY),
    // Rollups are rebuilt when a pipeline run (in this or another process) publishes new marts.
    preAggregationRefreshSeconds: 30,
    sharingPolicy: sharingPolicyOf(config),
    allianceId: config.HDW_ALLIANCE_ID,
    logger,
  });
  app.use(express.static(projectPaths.web));
  // The model docs are rebuilt at start-up from the model files (no database needed), so /docs matches the code.
  const docsDir = path.join(projectPaths.target, 'docs');
  await writeDocsSite(await loadProject(), docsDir);
  app.use('/docs', express.static(docsDir));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = keepConnectionsOpen(app.listen(config.HDW_PORT, '0.0.0.0', () => resolve(s))).once(
      'error',
      reject,
    );
  });
  cube
    .refreshPreAggregations()
    .catch((error: unknown) =>
      logger.warn({ err: (error as Error).message }, 'pre-aggregations not built yet'),
    );
  const base = `http://localhost:${config.HDW_PORT}`;
  process.stdout.write(
    [
      '',
      `医联体数据仓库 is serving:`,
      `  dashboard   ${base}/`,
      `  REST API    ${base}/cubejs-api/v1/load`,
      `  GraphQL     ${base}/cubejs-api/graphql`,
      `  model docs  ${base}/docs/`,
      `  health      ${base}/healthz`,
      `get a token:  npx hdw token --role analyst`,
      `try:          curl -H "Authorization: $(npx hdw token --role analyst)" -G ${base}/cubejs-api/v1/load \\`,
      `                 --data-urlencode 'query={"measures":["department_charge_analysis.total_charge_amount"],"dimensions":["department_charge_analysis.hospital_name"]}'`,
      'stop with Ctrl+C',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await cube.shutdown();
  await warehouse.close();
}
