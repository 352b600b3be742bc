import { pino } from 'pino';
import type { Config } from '../../core/config/config.ts';
import { createAppServer, type AppServer } from '../../ops/server/app-server.ts';

export interface TestAppServer extends AppServer {
  /** Every log line the server wrote (JSON), for assertions such as "no token was logged". */
  readonly logLines: string[];
}

/**
 * The application server as `hdw serve` builds it, on 127.0.0.1 and an ephemeral port, without
 * the docs site and with its log lines kept. `staticDir` defaults to a folder that does not exist.
 */
export async function serveApp(options: {
  readonly config: Config;
  readonly databaseUrl: string;
  readonly staticDir?: string;
}): Promise<TestAppServer> {
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const server = await createAppServer({
    config: options.config,
    databaseUrl: options.databaseUrl,
    logger,
    port: 0,
    host: '127.0.0.1',
    docsDir: false,
    staticDir: options.staticDir ?? '/nonexistent/hdw-web',
    preAggregationRefreshSeconds: 0,
  });
  return Object.assign(server, { logLines });
}
