import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import {
  keepConnectionsOpen,
  mountCube,
  type CubeHandle,
  type CubeServerOptions,
} from '../../cube/server.ts';

export interface CubeApi {
  readonly base: string;
  readonly cube: CubeHandle;
  readonly logLines: string[];
  close(): Promise<void>;
}

/** Cube on 127.0.0.1 and an ephemeral port, as `hdw serve` mounts it; its log lines are kept for assertions. */
export async function serveCube(options: Omit<CubeServerOptions, 'logger'>): Promise<CubeApi> {
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const app = express();
  const cube = await mountCube(app, { ...options, logger });
  const server: Server = keepConnectionsOpen(app.listen(0, '127.0.0.1'));
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    cube,
    logLines,
    async close() {
      await cube.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
