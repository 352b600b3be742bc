import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { HdwError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { scramSha256Verifier } from './scram-verifier.ts';
import { groupRoles } from './warehouse-security.ts';

export type LoginKind = keyof typeof groupRoles;

export interface LoginRequest {
  readonly kind: LoginKind;
  /** Required for members: the hospital whose rows the login sees. */
  readonly hospitalCode?: string;
  /** The role name; default `hdw_member_<hospital>` for members. Required for the other kinds. */
  readonly roleName?: string;
  /** Default: 24 random characters. */
  readonly password?: string;
}

export interface GrantedLogin {
  readonly roleName: string;
  readonly kind: LoginKind;
  readonly hospitalCode?: string;
  readonly password: string;
  /** False when the role existed: its password was replaced. */
  readonly created: boolean;
}

/** A login request that cannot be granted; `code` tells which rule it broke. */
export class LoginError extends HdwError {}

const roleNamePattern = /^[a-z][a-z0-9_]{0,62}$/;
const passwordPattern = /^[\x21-\x7e]{12,128}$/;

/**
 * Creates (or, when it exists, re-keys) a PostgreSQL login for a BI tool that connects straight
 * to the warehouse, in the group role of its kind, and records it in ops.warehouse_logins, which
 * the members' row-level security reads. Members must name a hospital of the alliance
 * (marts.dim_hospitals, or ref.hospitals before the first build). Run `applyWarehouseSecurity`
 * first: it creates the group roles and their grants. The password travels to the server only as a
 * SCRAM verifier, and is returned once, for the caller to hand over.
 *
 * @example
 *   const login = await grantLogin(pool, logger, { kind: 'member', hospitalCode: 'H32092100011' });
 *   // login.roleName === 'hdw_member_h32092100011'
 */
export async function grantLogin(
  pool: pg.Pool,
  logger: Logger,
  request: LoginRequest,
): Promise<GrantedLogin> {
  const hospitalCode =
    request.kind === 'member' ? await knownHospital(pool, request.hospitalCode) : undefined;
  const roleName =
    request.roleName ?? (hospitalCode ? `hdw_member_${hospitalCode.toLowerCase()}` : undefined);
  if (!roleName || !roleNamePattern.test(roleName)) {
    throw new LoginError(
      'E_LOGIN_NAME',
      'a login name is lower-case letters, digits and _, starting with a letter (at most 63)',
    );
  }
  if ((Object.values(groupRoles) as string[]).includes(roleName)) {
    throw new LoginError('E_LOGIN_NAME', `${roleName} is a group role, choose another login name`);
  }
  const password = request.password ?? randomBytes(18).toString('base64url');
  if (!passwordPattern.test(password)) {
    throw new LoginError(
      'E_LOGIN_PASSWORD',
      'a password is 12 to 128 printable ASCII characters without spaces',
    );
  }
  const verifier = scramSha256Verifier(password);
  let created = false;
  await withTransaction(pool, async (client) => {
    const existing = await client.query<{ rolsuper: boolean }>(
      'select rolsuper from pg_roles where rolname = $1',
      [roleName],
    );
    const found = existing.rows[0];
    const registered = await client.query<{ kind: string }>(
      'select kind from ops.warehouse_logins where role_name = $1',
      [roleName],
    );
    if (found && (found.rolsuper || registered.rows.length === 0)) {
      throw new LoginError(
        'E_LOGIN_EXISTS',
        `${roleName} is a role hdw did not create; choose another login name`,
      );
    }
    if (registered.rows[0] && registered.rows[0].kind !== request.kind) {
      throw new LoginError('E_LOGIN_EXISTS', `${roleName} is already a ${registered.rows[0].kind} login`);
    }
    const ident = `"${roleName}"`;
    const passwordLiteral = client.escapeLiteral(verifier);
    created = !found;
    if (found) await client.query(`alter role ${ident} with login password ${passwordLiteral}`);
    else
      await client.query(
        `create role ${ident} with login nosuperuser nocreatedb nocreaterole inherit password ${passwordLiteral}`,
      );
    await client.query(`grant ${groupRoles[request.kind]} to ${ident}`);
    await client.query(
      `insert into ops.warehouse_logins (role_name, kind, hospital_code) values ($1, $2, $3)
       on conflict (role_name) do update set hospital_code = excluded.hospital_code, updated_at = now()`,
      [roleName, request.kind, hospitalCode ?? null],
    );
  });
  logger.info(
    { role: roleName, kind: request.kind, hospital: hospitalCode, created },
    'warehouse login granted',
  );
  return { roleName, kind: request.kind, ...(hospitalCode ? { hospitalCode } : {}), password, created };
}

/**
 * `hdw revoke <login>`: drops a login made by `grantLogin` (its registration, its privileges in
 * this warehouse, and the role itself), in one transaction, so the row security of its hospital
 * goes with it. A name `hdw grant` did not make (a group role, the owner, a typo) is refused with
 * LoginError `E_LOGIN_UNKNOWN` and nothing is touched. Returns what the login was.
 *
 * @example
 *   await revokeLogin(pool, logger, 'hdw_member_h32092100011'); // { kind: 'member', … }
 */
export async function revokeLogin(
  pool: pg.Pool,
  logger: Logger,
  roleName: string,
): Promise<{ readonly roleName: string; readonly kind: LoginKind; readonly hospitalCode?: string }> {
  const revoked = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ kind: LoginKind; hospital_code: string | null }>(
      'delete from ops.warehouse_logins where role_name = $1 returning kind, hospital_code',
      [roleName],
    );
    const login = rows[0];
    if (!login) {
      throw new LoginError(
        'E_LOGIN_UNKNOWN',
        `no login ${roleName} made by hdw grant in this warehouse (nothing revoked)`,
      );
    }
    const exists = await client.query('select 1 from pg_roles where rolname = $1', [roleName]);
    if (exists.rowCount) {
      const ident = `"${roleName.replaceAll('"', '""')}"`;
      await client.query(`drop owned by ${ident}`);
      await client.query(`drop role ${ident}`);
    }
    return {
      roleName,
      kind: login.kind,
      ...(login.hospital_code ? { hospitalCode: login.hospital_code } : {}),
    };
  });
  logger.info({ role: roleName, kind: revoked.kind }, 'warehouse login revoked');
  return revoked;
}

async function knownHospital(pool: pg.Pool, hospitalCode: string | undefined): Promise<string> {
  const code = hospitalCode?.trim();
  if (!code) throw new LoginError('E_LOGIN_HOSPITAL', 'a member login needs a hospital code');
  const { rows } = await pool.query<{ source: string | null }>(
    `select coalesce(to_regclass('marts.dim_hospitals')::text, to_regclass('ref.hospitals')::text) as source`,
  );
  const source = rows[0]?.source;
  if (!source)
    throw new LoginError('E_LOGIN_HOSPITAL', 'no hospital list yet: run `hdw seed` or `hdw run` first');
  const found = await pool.query(`select 1 from ${source} where hospital_code = $1`, [code]);
  if (found.rowCount === 0)
    throw new LoginError('E_LOGIN_HOSPITAL', `unknown hospital code ${code} (not in ${source})`);
  return code;
}
