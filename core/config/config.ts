import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../contract/columns.ts';
import { nationalRuleSetFile } from '../drg-grouper/rule-set.ts';
import { ConfigError } from '../errors.ts';
import { shareableViews } from '../security/sharing-policy.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The alliance of `hdw token`'s tokens unless `HDW_ALLIANCE_ID` says otherwise. */
export const defaultAllianceId = 'YH01';

const postgresUrl = /^postgres(ql)?:\/\//;
const postgresUrlMessage = 'must be a postgres:// or postgresql:// connection URL';

/**
 * One hospital system's PostgreSQL view read incrementally at every ingest
 * (`pipelines/ingest/database-source.ts`). `source` is only checked for its shape here (core
 * knows no sources); the ingest stage checks that it names a declared source.
 */
export const databaseSourceSchema = z.strictObject(
  {
    source: z
      .string({ error: 'must be a source id like his.outpatient_visits' })
      .regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'must be a source id like his.outpatient_visits'),
    hospitalCode: z
      .string({ error: 'must look like H32090200001' })
      .regex(/^H\d{11}$/, 'must look like H32090200001'),
    connectionString: z
      .string({ error: postgresUrlMessage })
      .regex(postgresUrl, postgresUrlMessage)
      .refine((value) => URL.canParse(value), postgresUrlMessage),
    relation: z
      .string({ error: 'must be a view name or a select' })
      .refine((value) => value.trim() !== '', 'must be a view name or a select'),
    watermarkColumn: z
      .string({ error: 'must be a column name' })
      .refine((value) => value.trim() !== '', 'must be a column name'),
    initialWatermark: z.string({ error: 'must be text, e.g. "2025-01-01 00:00:00"' }).optional(),
    /** Seconds re-read behind the stored watermark (date/time columns), for ties and late commits. */
    overlapSeconds: z
      .number({ error: 'must be a whole number of seconds, 0 or more' })
      .int('must be a whole number of seconds, 0 or more')
      .min(0, 'must be a whole number of seconds, 0 or more')
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has an unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: source, hospitalCode, connectionString, relation, watermarkColumn, initialWatermark, overlapSeconds)`
        : 'must be an object with source, hospitalCode, connectionString, relation, watermarkColumn',
  },
);

export type DatabaseSourceConfig = z.infer<typeof databaseSourceSchema>;

const webhookUrlMessage = 'must be an http:// or https:// URL';

/**
 * A group robot that receives the fund alerts of one responsible department (or `*`, every
 * department) when they open: WeCom (企业微信) or DingTalk (钉钉) message format.
 */
export const alertWebhookSchema = z.strictObject(
  {
    department: z.string({ error: 'must name a responsible department, or * for all' }).trim().min(1),
    kind: z.enum(['wecom', 'dingtalk'], { error: 'must be wecom or dingtalk' }),
    url: z
      .string({ error: webhookUrlMessage })
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), webhookUrlMessage),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has an unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: department, kind, url)`
        : 'must be an object with department, kind, url',
  },
);

export type AlertWebhookConfig = z.infer<typeof alertWebhookSchema>;

const databaseSourcesSchema = z
  .array(databaseSourceSchema, { error: 'must be a JSON array of database sources' })
  .superRefine((entries, ctx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      const key = `${entry.source} ${entry.hospitalCode}`;
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `reads ${entry.source} for ${entry.hospitalCode} again (already in entry ${first}); they would share one watermark`,
        });
      else seen.set(key, index);
    });
  });

/**
 * Delimited files from this many bytes on are COPYed in two halves at once, on two more
 * connections (`pipelines/ingest/fast-load.ts`): 32 MB, where the second core starts paying off.
 */
export const DEFAULT_INGEST_SPLIT_BYTES = 32 << 20;

const splitBytesMessage = 'must be a whole number of bytes, at least 1';

/** A whole number between `min` and `max` (environment text or a JSON number), with a message naming the unit. */
function wholeNumber(min: number, max: number, unit: string) {
  const message = `must be a whole number of ${unit} between ${min} and ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

/**
 * Everything the warehouse reads from its environment, validated once at start-up. Each field is
 * named after the environment variable that sets it, so an error message can point at it.
 */
export const configSchema = z.object({
  DATABASE_URL: z.string().regex(postgresUrl, postgresUrlMessage).optional(),
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
  /** Hospital systems' PostgreSQL views pulled by the ingest stage (JSON array text in the environment). */
  HDW_DATABASE_SOURCES: databaseSourcesSchema.optional(),
  /** File size from which the ingest COPYs a delimited file in two halves at once. */
  HDW_INGEST_SPLIT_BYTES: z.coerce
    .number({ error: splitBytesMessage })
    .int(splitBytesMessage)
    .min(1, splitBytesMessage),
  /**
   * Seconds a delivered file without a completion marker must stay unchanged (its modification
   * time that old) before it is read: an upload still being written is never loaded half.
   */
  HDW_INBOX_QUIET_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds (0 or more)' })
    .min(0, 'must be a number of seconds (0 or more)'),
  /**
   * Hospitals and publishers whose IT sends completion markers (`<file>.done` or a manifest): their
   * files are read only once their marker has arrived and matches, never after a quiet period.
   */
  HDW_INBOX_MARKER_SENDERS: z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((code) => code.trim())
            .filter((code) => code !== '')
        : value,
    z.array(
      z
        .string()
        .regex(/^(H\d{11}|P\d{6})$/, 'must list hospital (H + 11 digits) or publisher (P + 6 digits) codes'),
      { error: 'must be a comma-separated list of hospital or publisher codes' },
    ),
  ),
  /** Group robots notified when a fund alert opens (JSON array text in the environment). */
  HDW_ALERT_WEBHOOKS: z
    .array(alertWebhookSchema, { error: 'must be a JSON array of webhooks {department, kind, url}' })
    .default([]),
  /** Sharing policy: the shared aggregates members may read of other hospitals (Cube and PostgreSQL). */
  HDW_SHARED_VIEWS: z
    .array(z.enum(shareableViews, { error: `must name shareable views (${shareableViews.join(', ')})` }), {
      error: `must be a list of shareable views (${shareableViews.join(', ')}), or [] for none`,
    })
    .default([...shareableViews]),
  /** Sharing policy: a shared cell built from fewer cases (charge lines) than this is suppressed. */
  HDW_MIN_CELL_CASES: z.coerce
    .number({ error: 'must be a whole number between 1 and 1000000' })
    .int('must be a whole number between 1 and 1000000')
    .min(1, 'must be a whole number between 1 and 1000000')
    .max(1_000_000, 'must be a whole number between 1 and 1000000')
    .default(10),
  /** Sharing policy: a peer pool of fewer hospitals than this shows members no statistics (at least 3). */
  HDW_MIN_PEER_HOSPITALS: z.coerce
    .number({ error: 'must be a whole number between 3 and 1000' })
    .int('must be a whole number between 3 and 1000')
    .min(3, 'must be a whole number between 3 and 1000')
    .max(1_000, 'must be a whole number between 3 and 1000')
    .default(3),
  /** The alliance this warehouse serves: API tokens whose `alliance_id` differs get 403. */
  HDW_ALLIANCE_ID: z.string().trim().min(1, 'must not be empty').default(defaultAllianceId),
  /** How long a run that writes the warehouse waits for the one holding the run lock before giving up. */
  HDW_LOCK_WAIT_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds, 0 or more' })
    .int('must be a whole number of seconds, 0 or more')
    .min(0, 'must be a whole number of seconds, 0 or more'),
  /** `/healthz` answers 503 when the last successful publish is older than this. */
  HDW_PUBLISH_MAX_AGE_HOURS: z.coerce
    .number({ error: 'must be a number of hours above 0' })
    .positive('must be a number of hours above 0'),
  /** How long a session token from `POST /api/session` (web sign-in) is valid, in minutes. */
  HDW_SESSION_TTL_MINUTES: wholeNumber(1, 24 * 60, 'minutes').default(120),
  /** Sign-in: failed attempts for one user name within the window after which further attempts get 429. */
  HDW_SIGNIN_MAX_FAILURES: wholeNumber(1, 1000, 'attempts').default(5),
  /** Sign-in: failed attempts from one client address within the window after which it gets 429. */
  HDW_SIGNIN_MAX_FAILURES_PER_IP: wholeNumber(1, 100_000, 'attempts').default(20),
  /** Sign-in: the sliding window (minutes) the failures above are counted in. */
  HDW_SIGNIN_WINDOW_MINUTES: wholeNumber(1, 24 * 60, 'minutes').default(15),
  /**
   * Which reverse proxies in front of `hdw serve` to believe about the client's address
   * (X-Forwarded-For), as Express's `trust proxy`: `false` (default: the socket's address), a number
   * of hops, or addresses/subnets such as `loopback` or `10.0.0.0/8,127.0.0.1`. Behind nginx without
   * it, every client has the proxy's address: the per-address sign-in limit and the audit trail's
   * address then describe the proxy.
   */
  HDW_TRUST_PROXY: z
    .string()
    .regex(
      /^(false|true|\d{1,2}|[0-9a-fA-F:.\/,\s]+|loopback|linklocal|uniquelocal)$/,
      'must be false, true, a number of hops, or addresses/subnets (e.g. loopback or 10.0.0.0/8)',
    )
    .default('false'),
  /**
   * How many queries Cube sends to PostgreSQL at once (its queue; Cube's own default is 2). A page
   * asks six to ten queries at a time, and each waits its turn: with 2 a page's last panel waited
   * for most of the others. Its connection pool is this plus two (refresh keys, pre-aggregations).
   */
  HDW_CUBE_QUERY_CONCURRENCY: wholeNumber(1, 64, 'queries').default(6),
  /**
   * After each ingest, raw tables up to this many rows are analysed as a whole when they changed by
   * a fifth (PostgreSQL analyses only their partitions by itself; see pipelines/ingest/raw-statistics.ts).
   * Larger ones (charge lines) are left out: analysing them re-reads every batch. 0 turns it off.
   */
  HDW_ANALYZE_RAW_MAX_ROWS: wholeNumber(0, 1_000_000_000, 'rows').default(2_000_000),
  /** Access audit rows (ops.access_audit) older than this many days are purged (等保 2.0: at least 180). */
  HDW_AUDIT_RETENTION_DAYS: wholeNumber(180, 100_000, 'days').default(180),
  /** The hospitals' IANA time zone: delivered times with an offset (`Z`, `+08:00`) are converted to it. */
  HDW_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  /**
   * The DRG rule set the pipeline pre-groups every stay with: a packed `.json.gz` / `.json` or a
   * folder of the national files' shape (a region's variant); default the national CHS-DRG 1.1 pack.
   */
  HDW_DRG_RULE_SET: z.string().min(1, 'must not be empty'),
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
  databaseSources: 'HDW_DATABASE_SOURCES',
  alertWebhooks: 'HDW_ALERT_WEBHOOKS',
  ingestSplitBytes: 'HDW_INGEST_SPLIT_BYTES',
  inboxQuietSeconds: 'HDW_INBOX_QUIET_SECONDS',
  inboxMarkerSenders: 'HDW_INBOX_MARKER_SENDERS',
  sharedViews: 'HDW_SHARED_VIEWS',
  minCellCases: 'HDW_MIN_CELL_CASES',
  minPeerHospitals: 'HDW_MIN_PEER_HOSPITALS',
  allianceId: 'HDW_ALLIANCE_ID',
  lockWaitSeconds: 'HDW_LOCK_WAIT_SECONDS',
  publishMaxAgeHours: 'HDW_PUBLISH_MAX_AGE_HOURS',
  timeZone: 'HDW_TIME_ZONE',
  drgRuleSet: 'HDW_DRG_RULE_SET',
  sessionTtlMinutes: 'HDW_SESSION_TTL_MINUTES',
  signinMaxFailures: 'HDW_SIGNIN_MAX_FAILURES',
  signinMaxFailuresPerIp: 'HDW_SIGNIN_MAX_FAILURES_PER_IP',
  signinWindowMinutes: 'HDW_SIGNIN_WINDOW_MINUTES',
  trustProxy: 'HDW_TRUST_PROXY',
  cubeQueryConcurrency: 'HDW_CUBE_QUERY_CONCURRENCY',
  analyzeRawMaxRows: 'HDW_ANALYZE_RAW_MAX_ROWS',
  auditRetentionDays: 'HDW_AUDIT_RETENTION_DAYS',
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
    HDW_DATABASE_SOURCES: fromJsonText(env.HDW_DATABASE_SOURCES, fromFile.HDW_DATABASE_SOURCES),
    HDW_ALERT_WEBHOOKS: fromJsonText(env.HDW_ALERT_WEBHOOKS, fromFile.HDW_ALERT_WEBHOOKS),
    HDW_INGEST_SPLIT_BYTES: pick('HDW_INGEST_SPLIT_BYTES') ?? DEFAULT_INGEST_SPLIT_BYTES,
    HDW_INBOX_QUIET_SECONDS: pick('HDW_INBOX_QUIET_SECONDS') ?? 60,
    HDW_INBOX_MARKER_SENDERS: pick('HDW_INBOX_MARKER_SENDERS') ?? [],
    HDW_SHARED_VIEWS: viewList(env.HDW_SHARED_VIEWS, fromFile.HDW_SHARED_VIEWS),
    HDW_MIN_CELL_CASES: pick('HDW_MIN_CELL_CASES'),
    HDW_MIN_PEER_HOSPITALS: pick('HDW_MIN_PEER_HOSPITALS'),
    HDW_ALLIANCE_ID: pick('HDW_ALLIANCE_ID'),
    HDW_LOCK_WAIT_SECONDS: pick('HDW_LOCK_WAIT_SECONDS') ?? 10,
    HDW_PUBLISH_MAX_AGE_HOURS: pick('HDW_PUBLISH_MAX_AGE_HOURS') ?? 6,
    HDW_TIME_ZONE: pick('HDW_TIME_ZONE') ?? DEFAULT_TIME_ZONE,
    HDW_DRG_RULE_SET: resolvePath(cwd, pick('HDW_DRG_RULE_SET') ?? nationalRuleSetFile),
    HDW_SESSION_TTL_MINUTES: pick('HDW_SESSION_TTL_MINUTES'),
    HDW_SIGNIN_MAX_FAILURES: pick('HDW_SIGNIN_MAX_FAILURES'),
    HDW_SIGNIN_MAX_FAILURES_PER_IP: pick('HDW_SIGNIN_MAX_FAILURES_PER_IP'),
    HDW_SIGNIN_WINDOW_MINUTES: pick('HDW_SIGNIN_WINDOW_MINUTES'),
    HDW_TRUST_PROXY: pick('HDW_TRUST_PROXY'),
    HDW_CUBE_QUERY_CONCURRENCY: pick('HDW_CUBE_QUERY_CONCURRENCY'),
    HDW_AUDIT_RETENTION_DAYS: pick('HDW_AUDIT_RETENTION_DAYS'),
  };
  for (const key of ['HDW_DATABASE_SOURCES', 'HDW_ALERT_WEBHOOKS'] as const) {
    const value = raw[key];
    if (value instanceof SyntaxError)
      throw new ConfigError(`Configuration error: ${key} is not valid JSON${jsonProblem(value)}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const got = valueAt(raw, issue.path);
      return `${pathName(issue.path)} ${issue.message}${shownValue(issue.path, got)}`;
    });
    throw new ConfigError(`Configuration error: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * `postgres://user:***@host/db`: a connection string fit for messages and logs. Works on text that
 * is not a valid URL too, and on messages holding several connection strings.
 */
export function maskConnectionStrings(text: string): string {
  // Greedy to the last `@` of the URL: a password holding an unescaped `@` is masked whole.
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*):[^\s"']*@/gi, '$1:***@')
    .replace(/([?&]password=)[^&\s"']*/gi, '$1***');
}

/** Where JSON.parse stopped, without the snippet of text some of its messages quote (it may hold a password). */
function jsonProblem(error: SyntaxError): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position !== undefined) return ` (at character ${position})`;
  return error.message.includes('"') ? '' : ` (${error.message})`;
}

/** The environment's JSON text (which wins) or hdw.config.json's array; a SyntaxError if unreadable. */
function fromJsonText(text: string | undefined, fromFile: unknown): unknown {
  if (text === undefined || text.trim() === '') return fromFile;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return error as SyntaxError;
  }
}

/** `HDW_SHARED_VIEWS`: a JSON array or a comma-separated list in the environment (which wins), an array in the file. */
function viewList(text: string | undefined, fromFile: unknown): unknown {
  if (text === undefined) return fromFile;
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return fromJsonText(trimmed, undefined);
  return trimmed === '' ? [] : trimmed.split(',').map((name) => name.trim());
}

/** `HDW_DATABASE_SOURCES[0].hospitalCode`, `HDW_PORT`. */
function pathName(issuePath: readonly PropertyKey[]): string {
  return issuePath
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

function valueAt(raw: unknown, issuePath: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of issuePath) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** ` (got "abc")`, except for secrets, whole objects and arrays; connection strings are masked. */
function shownValue(issuePath: readonly PropertyKey[], got: unknown): string {
  if (got === undefined || issuePath[0] === 'HDW_JWT_SECRET') return '';
  if (typeof got === 'object' && got !== null) return '';
  const text = JSON.stringify(got);
  return ` (got ${issuePath.at(-1) === 'connectionString' || issuePath[0] === 'DATABASE_URL' ? maskConnectionStrings(text) : text})`;
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
