import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/config.ts';
import { ConfigError } from '../../core/errors.ts';

describe('configuration', () => {
  it('applies defaults relative to the working directory', () => {
    const config = loadConfig({}, '/srv/hdw');
    expect(config).toMatchObject({
      HDW_DATA_DIR: '/srv/hdw/.hdw',
      HDW_INBOX: '/srv/hdw/inbox',
      HDW_PORT: 4000,
      HDW_LOG_LEVEL: 'info',
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('stops with one line naming each bad variable and what is wrong', () => {
    const attempt = () =>
      loadConfig({ HDW_PORT: 'abc', HDW_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }, '/tmp');
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/HDW_PORT must be a whole number between 1 and 65535 \(got "abc"\)/);
      expect(message).toMatch(/HDW_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
      expect(message).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    }
  });

  it('never echoes the JWT secret in an error', () => {
    expect(() => loadConfig({ HDW_JWT_SECRET: 'short-secret' }, '/tmp')).toThrow(
      /HDW_JWT_SECRET must be at least 32 characters long$/,
    );
  });

  it('reads hdw.config.json under the environment, which wins', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
    try {
      await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ port: 5000, inbox: 'drop' }));
      expect(loadConfig({}, dir)).toMatchObject({ HDW_PORT: 5000, HDW_INBOX: path.join(dir, 'drop') });
      expect(loadConfig({ HDW_PORT: '6000' }, dir).HDW_PORT).toBe(6000);
      await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ prot: 5000 }));
      expect(() => loadConfig({}, dir)).toThrow(/unknown key "prot"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
