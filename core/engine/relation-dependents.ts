import type pg from 'pg';

/**
 * What hangs off a relation that a rebuild must carry over: views built on it (ours or a BI
 * user's), with their comments and grants, and the relation's own grants, row-security flag and
 * policies. PostgreSQL drops all of these with the old relation; the engine recreates them in the
 * same transaction, so a rebuild is invisible to readers and never loosens row security.
 */
export interface RelationDependents {
  /** The dependent views, in dependency order, each with the statements that recreate it. */
  readonly views: readonly DependentView[];
  /** Statements that carry grants, row security and policies over to the new relation. */
  readonly security: readonly string[];
}

export interface DependentView {
  /** `schema.name`, quoted. */
  readonly relation: string;
  readonly schema: string;
  readonly statements: readonly string[];
}

/**
 * Schemas whose views the warehouse makes again after every build (warehouse security: the
 * `semantic` views of the Cube views, the `shared` aggregates): one that no longer fits a rebuilt
 * mart (a column renamed) is left to that, rather than failing the publication.
 */
export const schemasRemadeAfterBuild: ReadonlySet<string> = new Set(['semantic', 'shared']);

/**
 * Reads what depends on `schema.name` (which must exist). Views in schemas whose name ends with
 * `skipSchemaSuffix` (a run's audit schemas, dropped after publishing) are left out.
 */
export async function captureDependents(
  client: pg.PoolClient,
  schema: string,
  name: string,
  skipSchemaSuffix?: string,
): Promise<RelationDependents> {
  const target = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const views = await client.query<{ rel: string; schema: string; statements: string[] }>(
    `with recursive deps (oid, depth) as (
       select r.ev_class, 1 from pg_depend d join pg_rewrite r on r.oid = d.objid
        where d.classid = 'pg_rewrite'::regclass and d.refobjid = $1::regclass and r.ev_class <> $1::regclass
       union
       select r.ev_class, deps.depth + 1 from deps
         join pg_depend d on d.refobjid = deps.oid and d.classid = 'pg_rewrite'::regclass
         join pg_rewrite r on r.oid = d.objid
        where r.ev_class <> deps.oid and deps.depth < 32
     ), views as (
       select c.oid, n.nspname::text, format('%I.%I', n.nspname, c.relname) as rel, max(deps.depth) as depth
         from deps join pg_class c on c.oid = deps.oid join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'v' and ($2::text is null or right(n.nspname, length($2)) <> $2) group by c.oid, n.nspname, c.relname
     )
     select rel, nspname as schema, array_agg(stmt order by ord) as statements from (
       select v.depth, v.rel, v.nspname, 0 as ord, format('create view %s as %s', v.rel, pg_get_viewdef(v.oid)) as stmt from views v
       union all
       select v.depth, v.rel, v.nspname, 1, format('comment on view %s is %L', v.rel, obj_description(v.oid, 'pg_class'))
         from views v where obj_description(v.oid, 'pg_class') is not null
       union all
       select v.depth, v.rel, v.nspname, 2, format('comment on column %s.%I is %L', v.rel, a.attname, col_description(v.oid, a.attnum))
         from views v join pg_attribute a on a.attrelid = v.oid and a.attnum > 0
        where col_description(v.oid, a.attnum) is not null
       union all
       select v.depth, v.rel, v.nspname, 3, grants.stmt from views v, ${grantsOf('v.oid', 'v.rel')}
     ) s group by depth, rel, nspname order by depth, rel`,
    [target, skipSchemaSuffix ?? null],
  );
  const security = await client.query<{ statements: string[] }>(
    `select coalesce(array_agg(stmt order by ord, stmt), '{}') as statements from (
       select 0 as ord, grants.stmt from pg_class c, ${grantsOf('c.oid', '$2::text')} where c.oid = $1::regclass
       union all
       select 1, format('alter table %s enable row level security', $2::text) from pg_class c where c.oid = $1::regclass and c.relrowsecurity
       union all
       select 2, format('alter table %s force row level security', $2::text) from pg_class c where c.oid = $1::regclass and c.relforcerowsecurity
       union all
       select 3, format('create policy %I on %s as %s for %s to %s%s%s', p.policyname, $2::text, p.permissive, p.cmd,
                        array_to_string(p.roles, ', '),
                        coalesce(' using (' || p.qual || ')', ''), coalesce(' with check (' || p.with_check || ')', ''))
         from pg_policies p where p.schemaname = $3 and p.tablename = $4
     ) s`,
    [target, target, schema, name],
  );
  return {
    views: views.rows.map((v) => ({ relation: v.rel, schema: v.schema, statements: v.statements })),
    security: security.rows[0]?.statements ?? [],
  };
}

/** A lateral set of `grant … to …` statements re-creating an object's ACL (owner's own rights left out). */
function grantsOf(oid: string, rel: string): string {
  return `lateral (
    select format('grant %s on %s to %s', a.privilege_type, ${rel}, case when a.grantee = 0 then 'public' else quote_ident(r.rolname) end) as stmt
      from pg_class g, aclexplode(g.relacl) a left join pg_roles r on r.oid = a.grantee
     where g.oid = ${oid} and a.grantee <> g.relowner
  ) grants`;
}

export function quoteIdent(id: string): string {
  return `"${id.replaceAll('"', '""')}"`;
}
