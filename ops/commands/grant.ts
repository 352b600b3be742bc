import { applyWarehouseSecurity } from '../../core/security/warehouse-security.ts';
import { grantLogin, revokeLogin, type LoginKind } from '../../core/security/warehouse-logins.ts';
import { sharingPolicyOf, type SharingPolicy } from '../../core/security/sharing-policy.ts';
import { withWarehouse } from '../context.ts';

export interface GrantOptions {
  /** Login name; members default to `hdw_member_<hospital>`. */
  readonly name?: string;
  /** Otherwise one is generated. */
  readonly password?: string;
  readonly policy?: SharingPolicy;
}

/**
 * `hdw grant member <hospital>`, `hdw grant analyst|manager|steward <name>`: a
 * PostgreSQL login for a BI tool that connects straight to the warehouse, seeing what the same
 * person would see through Cube. Brings the warehouse's grants and row-level security up to date
 * first, then prints the login, its password (shown once) and a psql example.
 */
export async function grant(kind: LoginKind, subject: string, options: GrantOptions = {}): Promise<void> {
  const login = await withWarehouse(async (warehouse, ctx) => {
    await applyWarehouseSecurity(warehouse.pool, ctx.logger, options.policy ?? sharingPolicyOf(ctx.config));
    const granted = await grantLogin(warehouse.pool, ctx.logger, {
      kind,
      ...(kind === 'member'
        ? { hospitalCode: subject }
        : { roleName: options.name ?? `hdw_${kind}_${subject}` }),
      ...(kind === 'member' && options.name ? { roleName: options.name } : {}),
      ...(options.password ? { password: options.password } : {}),
    });
    const url = new URL(warehouse.url);
    return {
      ...granted,
      host: url.hostname,
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.slice(1)),
    };
  });
  process.stdout.write(
    [
      `${login.created ? 'created' : 'updated'} ${login.kind} login ${login.roleName}${login.hospitalCode ? ` (hospital ${login.hospitalCode})` : ''}`,
      `password: ${login.password}`,
      `connect:  psql "postgresql://${login.roleName}@${login.host}:${login.port}/${login.database}"   (PGPASSWORD or ~/.pgpass)`,
      `try:      select hospital_name, sum(total_charge_amount) from semantic.department_charge_analysis group by 1;`,
      '',
    ].join('\n'),
  );
}

/**
 * `hdw revoke <login>`: drops a login made by `hdw grant` (its privileges and the role). An unknown
 * name stops with one line saying nothing was revoked.
 */
export async function revoke(roleName: string): Promise<void> {
  const revoked = await withWarehouse((warehouse, ctx) => revokeLogin(warehouse.pool, ctx.logger, roleName));
  process.stdout.write(
    `revoked ${revoked.kind} login ${revoked.roleName}${revoked.hospitalCode ? ` (hospital ${revoked.hospitalCode})` : ''}\n`,
  );
}
