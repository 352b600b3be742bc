import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Everything the warehouse reads from its environment, validated once at start-up. Each field is
 * named after the environment variable that sets it, so an error message can point at it.
 */
export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  HDW_DATA_DIR: z.string().min(1, 'must not be empty'),
  HDW_INBOX: z.string().min(1, 'must not be empty'),
  HDW_PORT: z.coerce
    .number({ error: 'must be a whole number between 1 and 65535' })
    .int('must be a whole number between 1 and 65535')
    .min(1, 'must be a whole number between 1 and 65535')
    .max(65535, 'must be a whole number between 1 and 65535'),
  HDW_JWT_SECRET: z.string().min(32, 'must be at least 32 characters long').optional(),
  /** RS256 public key (PEM text, `\n` allowed, or a file path) of an external token issuer. */
  HDW_JWT_PUBLIC_KEY: z.string().min(1).optional(),
  HDW_LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }),
});

export type Config = z.infer<typeof configSchema>;

const fileKeys: Record<string, keyof Config> = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'HDW_DATA_DIR',
  inbox: 'HDW_INBOX',
  port: 'HDW_PORT',
  jwtSecret: 'HDW_JWT_SECRET',
  jwtPublicKey: 'HDW_JWT_PUBLIC_KEY',
  logLevel: 'HDW_LOG_LEVEL',
};

/**
 * Reads `hdw.config.json` (optional, camelCase keys) under the environment (which wins), applies
 * defaults and validates. Paths are resolved against `cwd`. Throws one ConfigError whose message
 * names every bad variable, e.g. `HDW_PORT must be a whole number between 1 and 65535 (got "abc")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const fromFile = readConfigFile(cwd);
  const pick = (key: keyof Config) => {
    const value = env[key];
    return value !== undefined && value !== '' ? value : fromFile[key];
  };
  const dataDir = pick('HDW_DATA_DIR') ?? '.hdw';
  const raw = {
    DATABASE_URL: pick('DATABASE_URL'),
    HDW_DATA_DIR: typeof dataDir === 'string' ? path.resolve(cwd, dataDir) : dataDir,
    HDW_INBOX: resolvePath(cwd, pick('HDW_INBOX') ?? 'inbox'),
    HDW_PORT: pick('HDW_PORT') ?? 4000,
    HDW_JWT_SECRET: pick('HDW_JWT_SECRET'),
    HDW_JWT_PUBLIC_KEY: pick('HDW_JWT_PUBLIC_KEY'),
    HDW_LOG_LEVEL: pick('HDW_LOG_LEVEL') ?? 'info',
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const got = (raw as Record<string, unknown>)[key];
      const shown = key === 'HDW_JWT_SECRET' || got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
      return `${key} ${issue.message}${shown}`;
    });
    throw new ConfigError(`Configuration error: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function resolvePath(cwd: string, value: unknown): unknown {
  return typeof value === 'string' && value !== '' ? path.resolve(cwd, value) : value;
}

function readConfigFile(cwd: string): Partial<Record<keyof Config, unknown>> {
  const file = path.join(cwd, 'hdw.config.json');
  if (!existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `Configuration error: hdw.config.json is not valid JSON (${(error as Error).message})`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('Configuration error: hdw.config.json must hold a JSON object');
  }
  const out: Partial<Record<keyof Config, unknown>> = {};
  for (const [key, value] of Object.entries(json)) {
    const target = fileKeys[key];
    if (!target) {
      throw new ConfigError(
        `Configuration error: hdw.config.json has an unknown key "${key}" (known: ${Object.keys(fileKeys).join(', ')})`,
      );
    }
    out[target] = value;
  }
  return out;
}
