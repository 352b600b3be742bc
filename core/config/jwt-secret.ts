import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';

/**
 * The secret that signs and verifies API tokens: HDW_JWT_SECRET when set; otherwise one generated
 * once per data folder and kept in `<dataDir>/jwt-secret` (mode 600), so `hdw token` and
 * `hdw serve` agree on a fresh machine without any set-up.
 */
export async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.HDW_JWT_SECRET) return config.HDW_JWT_SECRET;
  const file = path.join(config.HDW_DATA_DIR, 'jwt-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.HDW_DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}
