import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { CompiledModel } from './compile-models.ts';
import { primaryKeyOf } from './model-definition.ts';
import { captureDependents, quoteIdent } from './relation-dependents.ts';

export interface MaterializeOptions {
  /** Rebuild incremental models from scratch, through the table path. */
  readonly fullRefresh?: boolean;
  /** Sees every statement that changes the warehouse, in order (the bench replays them). */
  readonly onStatement?: (text: string) => void;
  /** Runs in the build's transaction just before it commits (e.g. to record the run with it). */
  readonly beforeCommit?: (client: pg.PoolClient, rows: number | undefined) => Promise<void>;
}

type RelKind = 'view' | 'table' | undefined;

/**
 * Builds one model in one transaction, so a reader sees the old relation until the new one is
 * complete. Views are replaced in place when their columns allow it; tables (and incremental models
 * on a first or full-refresh build) are built beside the old one and swapped; incremental models
 * otherwise merge their new rows by unique key. Views on the old relation, its grants and its
 * row-security policies are carried over. Returns the rows written, when PostgreSQL says.
 */
export async function materialize(
  pool: pg.Pool,
  model: CompiledModel,
  options: MaterializeOptions = {},
): Promise<number | undefined> {
  return withTransaction(pool, async (client) => {
    const exec = async (text: string) => {
      options.onStatement?.(text);
      return client.query(text);
    };
    const kind = await relationKind(client, model.schema, model.definition.name);
    let rows: number | undefined;
    const { materialized } = model.definition;
    if (materialized === 'view') {
      await buildView(client, exec, model, kind);
    } else if (
      materialized === 'incremental' &&
      !options.fullRefresh &&
      kind === 'table' &&
      (await hasUniqueKey(client, model))
    ) {
      rows = await mergeIncremental(client, exec, model);
    } else {
      rows = await buildTable(client, exec, model, kind);
    }
    await exec(commentsOf(model, materialized === 'view' ? 'view' : 'table', client));
    await options.beforeCommit?.(client, rows);
    return rows;
  });
}

type Exec = (text: string) => Promise<pg.QueryResult>;

async function buildView(
  client: pg.PoolClient,
  exec: Exec,
  model: CompiledModel,
  kind: RelKind,
): Promise<void> {
  const create = `create view ${model.relation} as\n${model.sql}`;
  if (kind === undefined) {
    await exec(create);
    return;
  }
  if (kind === 'view') {
    await client.query('savepoint hdw_replace');
    try {
      await exec(`create or replace view ${model.relation} as\n${model.sql}`);
      return;
    } catch {
      // Columns changed (renamed, removed, retyped): fall back to drop and recreate with dependents.
      await client.query('rollback to savepoint hdw_replace');
    }
  }
  await replaceRelation(client, exec, model, kind, async () => void (await exec(create)));
}

async function buildTable(
  client: pg.PoolClient,
  exec: Exec,
  model: CompiledModel,
  kind: RelKind,
): Promise<number | undefined> {
  const name = model.definition.name;
  const fresh = `${model.schema}.${name}__hdw_new`;
  await exec(`drop table if exists ${fresh}`);
  const created = await exec(`create table ${fresh} as\n${model.sql}`);
  if (model.definition.materialized === 'incremental') {
    await exec(`create unique index on ${fresh} (${uniqueKeyOf(model).join(', ')})`);
  }
  const rename = async () => void (await exec(`alter table ${fresh} rename to ${name}`));
  if (kind === undefined) await rename();
  else await replaceRelation(client, exec, model, kind, rename);
  await exec(`analyze ${model.relation}`);
  return created.rowCount ?? undefined;
}

/** Drops the old relation and puts the new one in its place, recreating what depended on the old one. */
async function replaceRelation(
  client: pg.PoolClient,
  exec: Exec,
  model: CompiledModel,
  kind: 'view' | 'table',
  put: () => Promise<void>,
): Promise<void> {
  const dependents = await captureDependents(client, model.schema, model.definition.name);
  await exec(`drop ${kind} ${model.relation} cascade`);
  await put();
  for (const statement of [...dependents.security, ...dependents.views]) await exec(statement);
}

/**
 * Deletes what `deleteWhere` retires, then inserts the rows whose watermark is above the table's
 * maximum minus the look-back, updating rows whose unique key is already there.
 */
async function mergeIncremental(
  client: pg.PoolClient,
  exec: Exec,
  model: CompiledModel,
): Promise<number | undefined> {
  const inc = model.definition.incremental!;
  const columns = (
    await client.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
      [model.relation],
    )
  ).rows.map((r) => quoteIdent(r.name));
  const key = uniqueKeyOf(model);
  const wm = quoteIdent(inc.watermark);
  const lookback =
    typeof inc.lookback === 'string'
      ? `interval '${inc.lookback.replaceAll("'", "''")}'`
      : String(inc.lookback ?? 0);
  if (model.deleteWhere) await exec(`delete from ${model.relation} as this where ${model.deleteWhere.sql}`);
  const updates = columns.filter((c) => !key.map(quoteIdent).includes(c)).map((c) => `${c} = excluded.${c}`);
  const result = await exec(
    `insert into ${model.relation} (${columns.join(', ')})
select ${columns.join(', ')} from (
${model.sql}
) as __hdw_new
where (select max(${wm}) from ${model.relation}) is null
   or __hdw_new.${wm} > (select max(${wm}) from ${model.relation}) - ${lookback}
on conflict (${key.map(quoteIdent).join(', ')}) do ${updates.length ? `update set ${updates.join(', ')}` : 'nothing'}`,
  );
  await exec(`analyze ${model.relation}`);
  return result.rowCount ?? undefined;
}

function uniqueKeyOf(model: CompiledModel): readonly string[] {
  return model.definition.incremental?.uniqueKey ?? primaryKeyOf(model.definition);
}

async function relationKind(client: pg.PoolClient, schema: string, name: string): Promise<RelKind> {
  const { rows } = await client.query<{ relkind: string }>(
    `select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
    [schema, name],
  );
  const relkind = rows[0]?.relkind;
  return relkind === 'v' ? 'view' : relkind === 'r' || relkind === 'p' ? 'table' : undefined;
}

/** Whether the built table has the unique index a merge needs (a table built before it became incremental has not). */
async function hasUniqueKey(client: pg.PoolClient, model: CompiledModel): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    `select exists (
       select 1 from pg_index i
        where i.indrelid = $1::regclass and i.indisunique and i.indpred is null
          and (select array_agg(a.attname::text order by a.attname) from pg_attribute a
                where a.attrelid = i.indrelid and a.attnum = any (i.indkey)) = (select array_agg(k order by k) from unnest($2::text[]) k)
     ) as ok`,
    [model.relation, uniqueKeyOf(model)],
  );
  return rows[0]?.ok === true;
}

/** One statement that comments the relation and its declared columns: the grain travels with the data. */
function commentsOf(model: CompiledModel, kind: 'view' | 'table', client: pg.PoolClient): string {
  const { definition, relation } = model;
  return [
    `comment on ${kind} ${relation} is ${client.escapeLiteral(`${definition.description}\n粒度: ${definition.grain}`)}`,
    ...Object.entries(definition.columns).map(
      ([column, spec]) =>
        `comment on column ${relation}.${column} is ${client.escapeLiteral(spec.description)}`,
    ),
  ].join(';\n');
}
