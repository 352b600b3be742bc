import path from 'node:path';
import { openWarehouse } from '../../core/db/database.ts';
import { projectPaths } from '../../core/paths.ts';
import { commandContext } from '../context.ts';
import { createAppServer } from '../server/app-server.ts';

/**
 * `hdw serve`: the web application, its /api, the Cube REST and GraphQL API and the model docs on
 * one port (ops/server/app-server.ts). Runs until SIGINT or SIGTERM, then closes the HTTP server,
 * Cube and the warehouse (stopping an embedded server it started). `signIn` replaces the banner's
 * token hint (hdw start prints where the demo accounts are).
 */
export async function serve(options: { readonly signIn?: readonly string[] } = {}): Promise<void> {
  const { config, logger } = commandContext();
  const warehouse = await openWarehouse(config, logger);
  const server = await createAppServer({
    config,
    pool: warehouse.pool,
    databaseUrl: warehouse.url,
    logger,
    staticDir: path.join(projectPaths.target, 'web'),
  });
  server.cube
    .refreshPreAggregations()
    .catch((error: unknown) =>
      logger.warn({ err: (error as Error).message }, 'pre-aggregations not built yet'),
    );
  const base = server.base;
  process.stdout.write(
    [
      '',
      `医联体数据仓库 is serving:`,
      `  web app     ${base}/`,
      `  REST API    ${base}/cubejs-api/v1/load`,
      `  GraphQL     ${base}/cubejs-api/graphql`,
      `  model docs  ${base}/docs/`,
      `  health      ${base}/healthz`,
      ...(options.signIn ?? [
        `sign in:      npx hdw user add <name> --role analyst   (then sign in at ${base}/)`,
        `or a token:   npx hdw token --role analyst`,
      ]),
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
  await server.close();
  await warehouse.close();
}
