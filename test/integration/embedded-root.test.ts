import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { embeddedStatus, startEmbedded, stopEmbedded } from '../../core/db/embedded-postgres.ts';
import { silentLogger } from '../../core/logging/logger.ts';

const asRoot = os.userInfo().uid === 0;

describe.skipIf(!asRoot)('embedded PostgreSQL started by root', () => {
  it('runs as the postgres user even when the data folder sits under a folder only root can enter', async () => {
    const closed = await mkdtemp(path.join(os.tmpdir(), 'hdw-closed-'));
    await chmod(closed, 0o700);
    const dataDir = path.join(closed, 'project', '.hdw');
    try {
      const { url, started } = await startEmbedded({
        dataDir,
        logger: silentLogger,
        settings: { fsync: 'off' },
      });
      expect(started).toBe(true);
      const client = new pg.Client(url);
      await client.connect();
      const { rows } = await client.query(`select current_setting('data_directory') as dir`);
      await client.end();
      expect(rows[0].dir.startsWith(closed)).toBe(false);
      const status = await embeddedStatus(dataDir, silentLogger);
      expect(status).toMatchObject({ initialised: true, running: true });
      // a second start finds it running and says it did not start it
      expect((await startEmbedded({ dataDir, logger: silentLogger })).started).toBe(false);
      expect(await stopEmbedded(dataDir, silentLogger)).toBe(true);
      expect((await embeddedStatus(dataDir, silentLogger)).running).toBe(false);
      // data survives a restart
      const again = await startEmbedded({ dataDir, logger: silentLogger });
      expect(again.started).toBe(true);
      await stopEmbedded(dataDir, silentLogger);
    } finally {
      const status = await embeddedStatus(dataDir, silentLogger).catch(() => undefined);
      if (status?.pgdata) await rm(status.pgdata, { recursive: true, force: true });
      await rm(closed, { recursive: true, force: true });
    }
  });
});

describe('embedded PostgreSQL started twice at once', () => {
  it('makes one cluster: the second start waits for the first, then finds it running', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hdw-twice-'));
    try {
      const both = await Promise.all([
        startEmbedded({ dataDir, logger: silentLogger, settings: { fsync: 'off' } }),
        startEmbedded({ dataDir, logger: silentLogger, settings: { fsync: 'off' } }),
      ]);
      expect(both.map((s) => s.started).sort()).toEqual([false, true]);
      expect(both[0].url).toBe(both[1].url);
      const client = new pg.Client(both[0].url);
      await client.connect();
      expect((await client.query(`select 1 as one`)).rows[0].one).toBe(1);
      await client.end();
    } finally {
      const status = await embeddedStatus(dataDir, silentLogger).catch(() => undefined);
      await stopEmbedded(dataDir, silentLogger).catch(() => false);
      if (status?.pgdata) await rm(status.pgdata, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
