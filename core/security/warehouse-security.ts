import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { DatabaseError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { SemanticLayerError } from '../semantic/cube-model.ts';
import { loadSemanticViews, type SemanticView } from '../semantic/semantic-schema.ts';
import {
  ensureSecondarySuppressionsTable,
  secondarySuppressionsOf,
  secondarySuppressionsTable,
  storeSecondarySuppressions,
  type SecondarySuppressionCounts,
} from './secondary-suppressions.ts';
import { sharedRelations } from './shared-relations.ts';
import { shareableViews, type SharingPolicy } from './sharing-policy.ts';

/** The group roles every login of `hdw grant` belongs to. Cluster-wide, so created once per server. */
export const groupRoles = {
  analyst: 'hdw_analyst',
  manager: 'hdw_manager',
  steward: 'hdw_steward',
  member: 'hdw_member',
} as const;

/** Returns the hospital of the member login running the query (session_user), or null. */
export const memberHospitalFunction = 'shared.member_hospital';

/** True unless the login running the query (session_user) is in the member group role. */
const seesAllHospitalsFunction = 'shared.sees_all_hospitals';

/** ops tables by who may read them; the rest of ops (model runs, logins) is for the owner only. */
const opsReaders: Readonly<Record<string, readonly string[]>> = {
  'ops.batches': [groupRoles.analyst, groupRoles.steward],
  'ops.job_runs': [groupRoles.analyst, groupRoles.steward],
  'ops.exceptions': [groupRoles.steward],
  'ops.quarantine': [groupRoles.steward],
};

/**
 * Marts only stewards read: exception detail with quarantined payloads (the data-quality model
 * `fct_data_quality_exception_details`) and the fund-violation flags with their visit ids, line ids
 * and review notes (`fct_fund_violation_flags`; analysts and members read its hashed-key view
 * `semantic.violation_review`), and the access audit trail (`fct_access_audit`: who asked what). Analysts and members get nothing of them, not even a row count.
 */
export const stewardOnlyMarts: readonly string[] = [
  'fct_data_quality_exception_details',
  'fct_fund_violation_flags',
  'fct_access_audit',
];

/**
 * Marts with a `hospital_code` that members still may not read, not even their own rows: the peer
 * benchmarks' per-hospital marts (DRG groups, 病种 and departments by year and month; fund indicators) carry each pool's distribution and
 * the member's rank in it, which for a pool of two give the other hospital's value away. Members
 * read their own rows through `shared.member_vs_peers`, where small pools are suppressed under
 * the sharing policy.
 */
export const closedToMemberMarts: readonly string[] = [
  'fct_benchmark_peer_members',
  'fct_benchmark_fund_peer_members',
];

const lockKey = 'hdw.warehouse_security';

export interface WarehouseSecuritySummary {
  /** Mart tables with a hospital_code column: RLS on, members see their own hospital's rows. */
  readonly memberScopedTables: readonly string[];
  /** Mart relations members may not read at all (no hospital_code to scope them by). */
  readonly closedToMembers: readonly string[];
  /** Shared relations (re)created; members may read those the policy shares. */
  readonly sharedRelations: readonly string[];
  /**
   * Per shared sum table: cells suppressed under the minimum count, cells suppressed further so
   * that none of those can be worked out of line totals (complementary suppression), and
   * suppressed cells the line totals alone give away.
   */
  readonly suppression: Readonly<Record<string, SecondarySuppressionCounts>>;
  /** Views of the `semantic` schema (re)created, one per Cube view. */
  readonly semanticViews: readonly string[];
  /** Semantic views that could not be created (their mart lacks a column, say): `name: reason`. */
  readonly semanticViewsFailed: readonly string[];
}

/**
 * Brings the warehouse's own access rules up to date, the same rules Cube's row security applies,
 * for BI tools that connect to PostgreSQL directly:
 * - group roles `hdw_analyst`, `hdw_steward`, `hdw_member` (NOLOGIN; `hdw grant` adds logins);
 * - analysts and stewards read every mart, and ops batches and job runs; stewards also read
 *   exception detail and quarantined payloads (ops tables and the `stewardOnlyMarts`);
 * - members read mart tables that have a `hospital_code` only, through a row-level security policy
 *   that keeps rows of the hospital their login is registered for in ops.warehouse_logins (nothing a
 *   member can change), and the shared aggregates of the sharing policy; no other mart, no ops table;
 * - managers read aggregates only: the `semantic` views (not the stewards' exception detail) and the
 *   shared aggregates, of every hospital; no mart table (marts may hold case-level rows), no ops table;
 * - the shared sum tables get complementary suppression: besides cells under the minimum count,
 *   the cells it takes so that no suppressed cell can be worked out of a row's or column's total
 *   (`shared.secondary_suppressions`, recomputed here, read by the views with their owner's rights);
 * - the `semantic` schema: one view per Cube view (core/semantic/semantic-schema.ts), grouped at
 *   the view's grain, Chinese column comments; a member sees its own hospital's rows of it (the
 *   same registration as the marts' policy), and a shareable view only if the policy shares it.
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
  semantic?: readonly SemanticView[],
): Promise<WarehouseSecuritySummary> {
  const started = Date.now();
  // A Cube model that disagrees with the models must not hold back the marts' grants and policies:
  // the semantic schema is left empty (closed) and the reason reported; Cube refuses to start on it.
  let semanticProblem: string | undefined;
  const semanticViews =
    semantic ??
    (await loadSemanticViews().catch((error: unknown) => {
      if (!(error instanceof SemanticLayerError)) throw error;
      semanticProblem = error.message;
      logger.error(
        { reason: error.message },
        'semantic schema left empty: the Cube model disagrees with the models',
      );
      return [];
    }));
  await ensureGroupRoles(pool);
  const summary = await withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    const { analyst, manager, steward, member } = groupRoles;
    const readers = `${analyst}, ${steward}`;
    const everyone = `${analyst}, ${manager}, ${steward}, ${member}`;

    // The semantic views read the shared relations: gone first, made again last.
    await client.query('drop schema if exists semantic cascade');
    await client.query('create schema if not exists shared');
    await client.query('revoke all on schema shared from public');
    await client.query(`grant usage on schema marts, shared to ${readers}, ${member}`);
    await client.query(`grant usage on schema shared to ${manager}`);
    await client.query(`revoke all on schema marts, ops from ${manager}`);
    await client.query(`grant usage on schema ops to ${readers}`);
    await client.query(`revoke all on schema ops from ${member}`);

    await client.query(`
      create or replace function ${memberHospitalFunction}() returns text
      language sql stable security definer set search_path = pg_catalog as $$
        select hospital_code from ops.warehouse_logins where role_name = session_user and kind = 'member'
      $$`);
    await client.query(`revoke all on function ${memberHospitalFunction}() from public`);
    await client.query(`grant execute on function ${memberHospitalFunction}() to ${everyone}`);
    // Direct membership, the only kind `hdw grant` makes; superusers are not members by this test.
    await client.query(`
      create or replace function ${seesAllHospitalsFunction}() returns boolean
      language sql stable security definer set search_path = pg_catalog as $$
        select not exists (
          select from pg_auth_members m
          join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member
          where g.rolname = '${member}' and u.rolname = session_user)
      $$`);
    await client.query(`revoke all on function ${seesAllHospitalsFunction}() from public`);
    await client.query(`grant execute on function ${seesAllHospitalsFunction}() to ${everyone}`);

    const memberScoped: string[] = [];
    const closed: string[] = [];
    for (const relation of await martRelations(client)) {
      const name = `marts.${quoteIdent(relation.name)}`;
      if (stewardOnlyMarts.includes(relation.name)) {
        await client.query(`revoke all on ${name} from ${analyst}, ${manager}, ${member}`);
        await client.query(`grant select on ${name} to ${steward}`);
        closed.push(`marts.${relation.name}`);
        continue;
      }
      await client.query(`grant select on ${name} to ${readers}`);
      if (!relation.hasHospital || !relation.isTable || closedToMemberMarts.includes(relation.name)) {
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
    const suppression: Record<string, SecondarySuppressionCounts> = {};
    await ensureSecondarySuppressionsTable(client);
    for (const definition of sharedRelations) {
      await client.query(`drop view if exists ${definition.relation}`);
      if (!(await relationExists(client, definition.source))) {
        await client.query(`delete from ${secondarySuppressionsTable} where relation = $1`, [
          definition.relation,
        ]);
        logger.warn(
          { relation: definition.relation, source: definition.source },
          'shared relation skipped: its mart is not built yet',
        );
        continue;
      }
      // security_barrier: a member's own functions in a WHERE clause cannot peek at rows before suppression.
      const ownHospital = `((select ${seesAllHospitalsFunction}()) or hospital_code = (select ${memberHospitalFunction}()))`;
      const counts = await storeSecondarySuppressions(client, definition, policy);
      if (counts) suppression[definition.relation] = counts;
      const sql = definition.sql(policy, ownHospital, {
        secondary: secondarySuppressionsOf(definition.relation),
      });
      await client.query(`create view ${definition.relation} with (security_barrier = true) as ${sql}`);
      await client.query(`grant select on ${definition.relation} to ${readers}, ${manager}`);
      if (
        definition.members === 'own_hospital' ||
        (policy.sharedViews as readonly string[]).includes(definition.view)
      ) {
        await client.query(`grant select on ${definition.relation} to ${member}`);
      }
      shared.push(definition.relation);
    }

    for (const [table, allowed] of Object.entries(opsReaders)) {
      await client.query(`revoke all on ${table} from ${readers}, ${manager}, ${member}`);
      await client.query(`grant select on ${table} to ${allowed.join(', ')}`);
    }
    const semanticSummary = await createSemanticViews(client, logger, semanticViews, policy);
    return {
      memberScopedTables: memberScoped,
      closedToMembers: closed,
      sharedRelations: shared,
      suppression,
      semanticViews: semanticSummary.created,
      semanticViewsFailed: [...(semanticProblem ? [semanticProblem] : []), ...semanticSummary.failed],
    };
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
      suppression: summary.suppression,
      semanticViews: summary.semanticViews.length,
      ms: Date.now() - started,
    },
    'warehouse security applied',
  );
  return summary;
}

/**
 * The `semantic` schema, one view per Cube view, each in its own savepoint: a view whose mart is
 * not built yet is skipped, one that cannot be created (a mart column it reads is gone) is logged
 * and reported, and neither holds back the grants and policies of the marts. Views run with their
 * owner's rights (security_barrier, so a caller's functions never see rows before the filter) and
 * keep a member to its own hospital themselves, so managers read them without reading the marts.
 */
async function createSemanticViews(
  client: pg.PoolClient,
  logger: Logger,
  views: readonly SemanticView[],
  policy: SharingPolicy,
): Promise<{ created: string[]; failed: string[] }> {
  const { analyst, manager, steward, member } = groupRoles;
  await client.query('create schema semantic');
  await client.query('revoke all on schema semantic from public');
  await client.query(`grant usage on schema semantic to ${analyst}, ${manager}, ${steward}, ${member}`);
  const created: string[] = [];
  const failed: string[] = [];
  for (const view of views) {
    if (view.source && !(await relationExists(client, view.source))) {
      logger.warn(
        { view: view.name, source: view.source },
        'semantic view skipped: its relation is not built yet',
      );
      continue;
    }
    const name = `semantic.${quoteIdent(view.name)}`;
    const scope = view.hospitalScoped
      ? `where (select ${seesAllHospitalsFunction}()) or t.hospital_code = (select ${memberHospitalFunction}())`
      : '';
    const readers = view.stewardOnly ? [steward] : [analyst, manager, steward];
    const shareable = (shareableViews as readonly string[]).includes(view.name);
    const forMembers =
      !view.stewardOnly &&
      !view.staffOnly &&
      (shareable ? (policy.sharedViews as readonly string[]).includes(view.name) : view.hospitalScoped);
    await client.query('savepoint semantic_view');
    try {
      await client.query(
        `create view ${name} with (security_barrier = true) as ${view.select.replace('{{scope}}', scope)}`,
      );
      await client.query(`comment on view ${name} is ${client.escapeLiteral(view.comment)}`);
      for (const column of view.columns) {
        await client.query(
          `comment on column ${name}.${quoteIdent(column.name)} is ${client.escapeLiteral(column.comment)}`,
        );
      }
      await client.query(
        `grant select on ${name} to ${[...readers, ...(forMembers ? [member] : [])].join(', ')}`,
      );
      await client.query('release savepoint semantic_view');
      created.push(`semantic.${view.name}`);
    } catch (error) {
      await client.query('rollback to savepoint semantic_view');
      const reason = (error as Error).message;
      logger.error({ view: view.name, source: view.source, reason }, 'semantic view could not be created');
      failed.push(`${view.name}: ${reason}`);
    }
  }
  return { created, failed };
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
