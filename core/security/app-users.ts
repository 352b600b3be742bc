import type pg from 'pg';
import { HdwError } from '../errors.ts';
import { generatePassword, hashPassword, verifyPassword } from './password-hash.ts';

/** The roles a web user can have; the same as a token's (cube/security/context.ts). */
export const appUserRoles = ['analyst', 'manager', 'steward', 'member'] as const;
export type AppUserRole = (typeof appUserRoles)[number];

/** A web user as the application shows it: never the password hash. */
export interface AppUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: AppUserRole;
  readonly hospitalCode: string | null;
  /** From ref.hospitals; null when the user has no hospital or the code is unknown there. */
  readonly hospitalName: string | null;
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewAppUser {
  readonly username: string;
  readonly role: string;
  readonly hospitalCode?: string;
  readonly displayName?: string;
  /** Otherwise one is generated (and returned, to be shown once). */
  readonly password?: string;
}

const usernamePattern = /^[A-Za-z0-9_.@-]{1,64}$/;
const minPasswordLength = 8;

const selectUser = `select u.username, u.display_name, u.role, u.hospital_code, h.hospital_name, u.disabled,
    u.created_at, u.updated_at
  from ops.app_users u left join ref.hospitals h on h.hospital_code = u.hospital_code`;

function toUser(row: Record<string, unknown>): AppUser {
  return {
    username: String(row.username),
    displayName: String(row.display_name),
    role: row.role as AppUserRole,
    hospitalCode: (row.hospital_code as string | null) ?? null,
    hospitalName: (row.hospital_name as string | null) ?? null,
    disabled: row.disabled === true,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

function checkPassword(password: string): void {
  if (password.length < minPasswordLength)
    throw new HdwError('E_USAGE', `密码至少 ${minPasswordLength} 个字符 (the password must have at least ${minPasswordLength} characters)`);
}

/**
 * Adds a web user. A member needs a hospital of ref.hospitals; other roles may name one (their
 * home hospital) but see the alliance. Returns the user and the password (the generated one if
 * none was given), which is stored only as a hash.
 */
export async function addAppUser(
  pool: pg.Pool,
  user: NewAppUser,
): Promise<{ user: AppUser; password: string; generated: boolean }> {
  if (!usernamePattern.test(user.username))
    throw new HdwError('E_USAGE', `用户名只能含字母、数字和 _ . @ - (at most 64): got "${user.username}"`);
  if (!(appUserRoles as readonly string[]).includes(user.role))
    throw new HdwError('E_USAGE', `--role must be one of ${appUserRoles.join(', ')} (got ${user.role})`);
  if (user.role === 'member' && !user.hospitalCode)
    throw new HdwError('E_USAGE', 'a member user needs --hospital <code>');
  if (user.hospitalCode) {
    const known = await pool.query('select 1 from ref.hospitals where hospital_code = $1', [user.hospitalCode]);
    if (!known.rowCount)
      throw new HdwError('E_USAGE', `医院 ${user.hospitalCode} 不在 ref.hospitals (not a hospital of the alliance)`);
  }
  const generated = user.password === undefined;
  const password = user.password ?? generatePassword();
  checkPassword(password);
  const hash = await hashPassword(password);
  const inserted = await pool.query(
    `insert into ops.app_users (username, display_name, role, hospital_code, password_hash)
     values ($1, $2, $3, $4, $5) on conflict (username) do nothing returning username`,
    [user.username, user.displayName ?? user.username, user.role, user.hospitalCode ?? null, hash],
  );
  if (!inserted.rowCount) throw new HdwError('E_USAGE', `用户 ${user.username} 已存在 (user exists)`);
  return { user: (await findAppUser(pool, user.username))!, password, generated };
}

/** Removes a web user; false when there was none of that name. */
export async function removeAppUser(pool: pg.Pool, username: string): Promise<boolean> {
  const { rowCount } = await pool.query('delete from ops.app_users where username = $1', [username]);
  return (rowCount ?? 0) > 0;
}

/** Sets a user's password (a generated one if none is given) and returns it; unknown users are an error. */
export async function setAppUserPassword(
  pool: pg.Pool,
  username: string,
  password: string = generatePassword(),
): Promise<string> {
  checkPassword(password);
  const { rowCount } = await pool.query(
    'update ops.app_users set password_hash = $2, updated_at = now() where username = $1',
    [username, await hashPassword(password)],
  );
  if (!rowCount) throw new HdwError('E_USAGE', `没有用户 ${username} (no such user)`);
  return password;
}

/** Every web user, by name. */
export async function listAppUsers(pool: pg.Pool): Promise<AppUser[]> {
  const { rows } = await pool.query(`${selectUser} order by u.username`);
  return rows.map(toUser);
}

export async function findAppUser(pool: pg.Pool, username: string): Promise<AppUser | undefined> {
  const { rows } = await pool.query(`${selectUser} where u.username = $1`, [username]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

export async function countAppUsers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from ops.app_users');
  return rows[0]?.n ?? 0;
}

/** A hash of a password nobody has, made once: verifying against it costs what a real check costs. */
let dummyHash: Promise<string> | undefined;

/** Makes the dummy hash now (at server start), so the first unknown name costs no more than a known one. */
export async function warmUpSignIn(): Promise<void> {
  dummyHash ??= hashPassword(generatePassword());
  await dummyHash;
}

/**
 * The user whose name and password match, or undefined: unknown, disabled and wrong password are
 * one answer, and take about the same time (an unknown name is checked against a dummy hash).
 */
export async function authenticateAppUser(
  pool: pg.Pool,
  username: string,
  password: string,
): Promise<AppUser | undefined> {
  const { rows } = await pool.query<{ password_hash: string; disabled: boolean }>(
    'select password_hash, disabled from ops.app_users where username = $1',
    [username],
  );
  const row = rows[0];
  dummyHash ??= hashPassword(generatePassword());
  const matches = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
  if (!row || row.disabled || !matches) return undefined;
  return findAppUser(pool, username);
}

/** The hospital's name in ref.hospitals, for a token that only carries the code. */
export async function hospitalNameOf(pool: pg.Pool, hospitalCode: string | undefined): Promise<string | null> {
  if (!hospitalCode) return null;
  const { rows } = await pool.query<{ hospital_name: string }>(
    'select hospital_name from ref.hospitals where hospital_code = $1',
    [hospitalCode],
  );
  return rows[0]?.hospital_name ?? null;
}
