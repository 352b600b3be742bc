import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { DatabaseError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { sharedRelations } from './shared-relations.ts';
import type { SharingPolicy } from './sharing-policy.ts';

/** The group roles every login of `hdw grant` belongs to. Cluster-wide, so created once per server. */
export const groupRoles = {
  analyst: 'hdw_analyst',
  steward: 'hdw_steward',
  member: 'hdw_member',
} as const;

/** Returns the hospital of the member login running the query (session_user), or null. */
export const memberHospitalFunction = 'shared.member_hospital';

/** ops tables by who may read them; the rest of ops (model runs, logins) is for the owner only. */
const opsReaders: Readonly<Record<string, readonly string[]>> = {
  'ops.batches': [groupRoles.analyst, groupRoles.steward],
  'ops.job_runs': [groupRoles.analyst, groupRoles.steward],
  'ops.exceptions': [groupRoles.steward],
  'ops.quarantine': [groupRoles.steward],
};

/**
 * Marts only stewards read: exception detail with quarantined payloads (the data-quality model
 * `fct_data_quality_exception_details`). Analysts and members get nothing of them, not even a row count.
 */
export const stewardOnlyMarts: readonly string[] = ['fct_data_quality_exception_details'];

const lockKey = 'hdw.warehouse_security';

export interface WarehouseSecuritySummary {
  /** Mart tables with a hospital_code column: RLS on, members see their own hospital's rows. */
  readonly memberScopedTables: readonly string[];
  /** Mart relations members may not read at all (no hospital_code to scope them by). */
  readonly closedToMembers: readonly string[];
  /** Shared relations (re)created; members may read those the policy shares. */
  readonly sharedRelations: readonly string[];
}

/**
 * Brings the warehouse's own access rules up to date, the same rules Cube's row security applies,
 * for BI tools that connect to PostgreSQL directly:
 * - group roles `hdw_analyst`, `hdw_steward`, `hdw_member` (NOLOGIN; `hdw grant` adds logins);
 * - analysts and stewards read every mart, and ops batches and job runs; stewards also read
 *   exception detail and quarantined payloads (ops tables and the `stewardOnlyMarts`);
 * - members read mart tables that have a `hospital_code` only, through a row-level security policy
 *   that keeps rows of the hospital their login is registered for in ops.warehouse_logins (nothing a
 *   member can change), and the shared aggregates of the sharing policy; no other mart, no ops table.
 *
 * The engine carries grants, policies and dependent views over when it swaps a rebuilt table in,
 * but a mart built for the first time has none, and the sharing policy may have changed: so this
 * runs after every build (cheap and idempotent: one transaction, under an advisory lock, a few
 * dozen statements). A mart that is not built yet is skipped.
 *
 * @example
 *   await buildStage(ctx);
 *   await applyWarehouseSecurity(ctx.pool, ctx.logger, defaultSharingPolicy);
 */
export async function applyWarehouseSecurity(
  pool: pg.Pool,
  logger: Logger,
  policy: SharingPolicy,
): Promise<WarehouseSecuritySummary> {
  const started = Date.now();
  await ensureGroupRoles(pool);
  const summary = await withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    const { analyst, steward, member } = groupRoles;
    const readers = `${analyst}, ${steward}`;

    await client.query('create schema if not exists shared');
    await client.query('revoke all on schema shared from public');
    await client.query(`grant usage on schema marts, shared to ${readers}, ${member}`);
    await client.query(`grant usage on schema ops to ${readers}`);
    await client.query(`revoke all on schema ops from ${member}`);

    await client.query(`
      create or replace function ${memberHospitalFunction}() returns text
      language sql stable security definer set search_path = pg_catalog as $$
        select hospital_code from ops.warehouse_logins where role_name = session_user and kind = 'member'
      $$`);
    await client.query(`revoke all on function ${memberHospitalFunction}() from public`);
    await client.query(`grant execute on function ${memberHospitalFunction}() to ${member}`);

    const memberScoped: string[] = [];
    const closed: string[] = [];
    for (const relation of await martRelations(client)) {
      const name = `marts.${quoteIdent(relation.name)}`;
      if (stewardOnlyMarts.includes(relation.name)) {
        await client.query(`revoke all on ${name} from ${analyst}, ${member}`);
        await client.query(`grant select on ${name} to ${steward}`);
        closed.push(`marts.${relation.name}`);
        continue;
      }
      await client.query(`grant select on ${name} to ${readers}`);
      if (!relation.hasHospital || !relation.isTable) {
        await client.query(`revoke all on ${name} from ${member}`);
        closed.push(`marts.${relation.name}`);
        continue;
      }
      await client.query(`alter table ${name} enable row level security`);
      await client.query(`drop policy if exists hdw_all_hospitals on ${name}`);
      await client.query(`create policy hdw_all_hospitals on ${name} for select to ${readers} using (true)`);
      await client.query(`drop policy if exists hdw_own_hospital on ${name}`);
      await client.query(
        `create policy hdw_own_hospital on ${name} for select to ${member}
           using (hospital_code = (select ${memberHospitalFunction}()))`,
      );
      await client.query(`grant select on ${name} to ${member}`);
      memberScoped.push(`marts.${relation.name}`);
    }

    const shared: string[] = [];
    for (const definition of sharedRelations) {
      await client.query(`drop view if exists ${definition.relation}`);
      if (!(await relationExists(client, definition.source))) {
        logger.warn(
          { relation: definition.relation, source: definition.source },
          'shared relation skipped: its mart is not built yet',
        );
        continue;
      }
      // security_barrier: a member's own functions in a WHERE clause cannot peek at rows before suppression.
      await client.query(
        `create view ${definition.relation} with (security_barrier = true) as ${definition.sql(policy)}`,
      );
      await client.query(`grant select on ${definition.relation} to ${readers}`);
      if (policy.sharedViews.includes(definition.view)) {
        await client.query(`grant select on ${definition.relation} to ${member}`);
      }
      shared.push(definition.relation);
    }

    for (const [table, allowed] of Object.entries(opsReaders)) {
      await client.query(`revoke all on ${table} from ${readers}, ${member}`);
      await client.query(`grant select on ${table} to ${allowed.join(', ')}`);
    }
    return { memberScopedTables: memberScoped, closedToMembers: closed, sharedRelations: shared };
  }).catch((error: unknown) => {
    throw new DatabaseError(`applying warehouse security failed: ${(error as Error).message}`, {
      cause: error,
    });
  });
  logger.info(
    {
      memberScopedTables: summary.memberScopedTables.length,
      closedToMembers: summary.closedToMembers.length,
      sharedRelations: summary.sharedRelations.length,
      ms: Date.now() - started,
    },
    'warehouse security applied',
  );
  return summary;
}

/**
 * Roles belong to the server, not to one database, so several warehouses (or test databases) on
 * one server share them; two creating them at once is not an error. Outside the main transaction,
 * because a failed CREATE ROLE would abort it.
 */
async function ensureGroupRoles(pool: pg.Pool): Promise<void> {
  for (const role of Object.values(groupRoles)) {
    await pool.query(`
      do $$ begin
        if not exists (select from pg_roles where rolname = '${role}') then
          create role ${role} nologin;
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
  }
}

interface MartRelation {
  readonly name: string;
  readonly isTable: boolean;
  readonly hasHospital: boolean;
}

async function martRelations(client: pg.PoolClient): Promise<MartRelation[]> {
  const { rows } = await client.query<{ name: string; is_table: boolean; has_hospital: boolean }>(`
    select c.relname as name,
           c.relkind in ('r', 'p') as is_table,
           exists (select from pg_attribute a
                   where a.attrelid = c.oid and a.attname = 'hospital_code' and not a.attisdropped) as has_hospital
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'marts' and c.relkind in ('r', 'p', 'v', 'm')
    order by c.relname`);
  return rows.map((row) => ({ name: row.name, isTable: row.is_table, hasHospital: row.has_hospital }));
}

async function relationExists(client: pg.PoolClient, relation: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
    relation,
  ]);
  return rows[0]?.found === true;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
