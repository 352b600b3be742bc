import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { CompiledModel } from './compile-models.ts';
import { checkBuiltColumns } from './model-columns.ts';
import {
  indexesOf,
  indexNameOf,
  plannerSettingsOf,
  primaryKeyOf,
  statisticsNameOf,
  statisticsOf,
} from './model-definition.ts';
import type { ModelPlan } from './model-state.ts';
import { captureDependents, quoteIdent, schemasRemadeAfterBuild } from './relation-dependents.ts';

/**
 * Write-audit-publish. A run builds each model into the audit schema beside its own
 * (`marts` → `marts__audit`), which only the warehouse owner can read; the data tests run there;
 * then `publishModels` switches every model of the run into place in one transaction. Readers of
 * `staging`, `intermediate` and `marts` see the old set or the new one, never a mix, never an
 * untested table.
 */
export const auditSuffix = '__audit';

/** The schema a run builds `schema`'s models in before they are tested. */
export function auditSchemaOf(schema: string): string {
  return `${schema}${auditSuffix}`;
}

/** `"marts__audit"."fct_x"`: where a run builds the model before publishing it. */
export function auditRelationOf(model: CompiledModel): string {
  return `${quoteIdent(auditSchemaOf(model.schema))}.${quoteIdent(model.definition.name)}`;
}

/** How a model was written into the audit schema, which decides how it is published. */
export type AuditBuild =
  /** A view, or a table built whole: published by putting it in place of the old one. */
  | { readonly kind: 'view' | 'table'; readonly plan?: ModelPlan }
  /** An incremental model: the changed batches' rows in `<name>__hdw_delta`, merged on publish. */
  | { readonly kind: 'delta'; readonly plan: ModelPlan; readonly columns: readonly string[] };

export interface AuditOptions {
  /** Rewrites the compiled SQL so refs to models of this run read their audit relations. */
  readonly retarget: (sql: string) => string;
  /** For incremental models: what changed since their rows were published. */
  readonly plan?: ModelPlan;
  /** Sees every statement that changes the warehouse, in order (the bench replays them). */
  readonly onStatement?: (text: string) => void;
  /** Runs in the build's transaction just before it commits (e.g. to record the run with it). */
  readonly beforeCommit?: (client: pg.PoolClient, rows: number | undefined) => Promise<void>;
}

type Exec = (text: string) => Promise<pg.QueryResult>;

/**
 * Tables a run writes whole are analysed in their build and replaced by the next run, so autovacuum
 * has nothing to do on them; left on, it vacuums and re-analyses each one (at the default
 * statistics target, not the model's) within a minute of its commit, on the CPUs the run is using,
 * and a publication dropping a table that autovacuum is working on waits `deadlock_timeout` (1 s)
 * for it to be cancelled. Vacuum against transaction-id wraparound still runs.
 */
const withoutAutovacuum = 'with (autovacuum_enabled = false)';

/**
 * Builds one model into its audit schema in one transaction and checks that it returns exactly the
 * declared columns. A view or table is created whole; an incremental model whose plan is `delta`
 * gets a table of the changed batches' rows and a view showing the published rows with that delta
 * applied (the published table is not touched, nor copied). Returns the rows written.
 */
export async function buildInAudit(
  pool: pg.Pool,
  model: CompiledModel,
  options: AuditOptions,
): Promise<{ rows: number | undefined; build: AuditBuild }> {
  return withTransaction(pool, async (client) => {
    const exec: Exec = async (text) => {
      options.onStatement?.(text);
      return client.query(text);
    };
    for (const [name, value] of plannerSettingsOf(model.definition))
      await exec(`select set_config('${name}', '${value}', true)`); // both checked: plain words
    const relation = auditRelationOf(model);
    const sql = options.retarget(model.sql);
    const { materialized } = model.definition;
    let rows: number | undefined;
    let build: AuditBuild;
    if (materialized === 'view') {
      await exec(`create view ${relation} as\n${sql}`);
      await checkBuiltColumns(client, model, relation);
      build = { kind: 'view' };
    } else if (options.plan?.mode === 'delta') {
      const plan = options.plan;
      const columns = await columnsOf(client, model.relation);
      const list = columns.map(quoteIdent).join(', ');
      const key = quoteIdent(model.definition.incremental!.batchKey);
      const changed = `array[${plan.changedBatches.join(', ')}]::bigint[]`;
      const delta = `${quoteIdent(auditSchemaOf(model.schema))}.${quoteIdent(`${model.definition.name}__hdw_delta`)}`;
      const created = await exec(
        `create table ${delta} ${withoutAutovacuum} as\nselect ${list} from (\n${sql}\n) as __hdw_new where ${key} = any (${changed})`,
      );
      await checkBuiltColumns(client, model, delta);
      await exec(
        `create view ${relation} as\nselect ${list} from ${model.relation} where not (${key} = any (${changed}))\nunion all\nselect ${list} from ${delta}`,
      );
      rows = created.rowCount ?? undefined;
      build = { kind: 'delta', plan, columns };
    } else {
      // an incremental model's table is merged into by later runs: autovacuum keeps it
      const created = await exec(
        `create table ${relation}${materialized === 'incremental' ? '' : ` ${withoutAutovacuum}`} as\n${sql}`,
      );
      await checkBuiltColumns(client, model, relation);
      if (materialized === 'incremental')
        await exec(`create unique index on ${relation} (${uniqueKeyOf(model).map(quoteIdent).join(', ')})`);
      for (const object of declaredObjects(model, auditSchemaOf(model.schema), relation)) await exec(object.create);
      await exec(`analyze ${relation}`);
      rows = created.rowCount ?? undefined;
      build = { kind: 'table', plan: options.plan };
    }
    await options.beforeCommit?.(client, rows);
    return { rows, build };
  });
}

/**
 * Puts one audited model in place, inside the publishing transaction: a view is replaced by the
 * model's own SQL (reading published relations); a table built whole is moved out of the audit
 * schema in place of the old one; a delta is merged into the published table. What depended on the
 * old relation (views ours or a BI user's, grants, row-security policies) is carried over.
 * Returns whether the published rows may have changed.
 */
export async function publishModel(
  client: pg.PoolClient,
  model: CompiledModel,
  build: AuditBuild,
  kind: 'view' | 'table' | undefined,
  onStatement?: (text: string) => void,
): Promise<boolean> {
  const exec: Exec = async (text) => {
    onStatement?.(text);
    return client.query(text);
  };
  if (build.kind === 'view') {
    const create = `create view ${model.relation} as\n${model.sql}`;
    if (kind === undefined) await exec(create);
    else if (kind === 'view') {
      await client.query('savepoint hdw_replace');
      try {
        await exec(`create or replace view ${model.relation} as\n${model.sql}`);
      } catch {
        // Columns changed (renamed, removed, retyped): drop and recreate with dependents.
        await client.query('rollback to savepoint hdw_replace');
        await replaceRelation(client, exec, model, kind, async () => void (await exec(create)));
      }
    } else await replaceRelation(client, exec, model, kind, async () => void (await exec(create)));
  } else if (build.kind === 'table') {
    const move = async () => {
      await exec(`alter table ${auditRelationOf(model)} set schema ${quoteIdent(model.schema)}`);
      // statistics objects stay in their schema when their table moves (the old table's went with it)
      for (const i of statisticsOf(model.definition).keys())
        await exec(
          `alter statistics ${quoteIdent(auditSchemaOf(model.schema))}.${quoteIdent(statisticsNameOf(model.definition, i))} set schema ${quoteIdent(model.schema)}`,
        );
    };
    if (kind === undefined) await move();
    else await replaceRelation(client, exec, model, kind, move);
  } else if (build.kind === 'delta') {
    // statistics and indexes declared after the table was first built (a warehouse upgraded) are made here
    const madeStatistics = await createMissingObjects(client, exec, model);
    if (build.plan.changedBatches.length === 0) {
      if (madeStatistics) await exec(`analyze ${model.relation}`);
      return false;
    }
    const key = quoteIdent(model.definition.incremental!.batchKey);
    const list = build.columns.map(quoteIdent).join(', ');
    await exec(
      `delete from ${model.relation} where ${key} = any (array[${build.plan.changedBatches.join(', ')}]::bigint[])`,
    );
    await exec(
      `insert into ${model.relation} (${list}) select ${list} from ${quoteIdent(auditSchemaOf(model.schema))}.${quoteIdent(`${model.definition.name}__hdw_delta`)}`,
    );
    await exec(`analyze ${model.relation}`);
  }
  await exec(commentsOf(model, build.kind === 'view' ? 'view' : 'table', client));
  return true;
}

/**
 * The extended statistics and indexes a model declares on its table `relation`, each with the
 * statement making it (statistics objects in `schema`; an index in its table's schema).
 */
function declaredObjects(
  model: CompiledModel,
  schema: string,
  relation: string,
): { readonly kind: 'statistics' | 'index'; readonly name: string; readonly create: string }[] {
  const list = (columns: readonly string[]) => columns.map(quoteIdent).join(', ');
  return [
    ...statisticsOf(model.definition).map((columns, i) => {
      const name = statisticsNameOf(model.definition, i);
      return {
        kind: 'statistics' as const,
        name,
        create: `create statistics ${quoteIdent(schema)}.${quoteIdent(name)} (ndistinct) on ${list(columns)} from ${relation}`,
      };
    }),
    ...indexesOf(model.definition).map((columns, i) => {
      const name = indexNameOf(model.definition, i);
      return { kind: 'index' as const, name, create: `create index ${quoteIdent(name)} on ${relation} (${list(columns)})` };
    }),
  ];
}

/** Makes the declared statistics and indexes the model's published table lacks; whether it made statistics. */
async function createMissingObjects(client: pg.PoolClient, exec: Exec, model: CompiledModel): Promise<boolean> {
  const declared = declaredObjects(model, model.schema, model.relation);
  if (declared.length === 0) return false;
  const { rows } = await client.query<{ name: string }>(
    `select stxname as name from pg_statistic_ext where stxrelid = $1::regclass
     union all
     select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = $1::regclass`,
    [model.relation],
  );
  const present = new Set(rows.map((r) => r.name));
  const missing = declared.filter((o) => !present.has(o.name));
  for (const object of missing) await exec(object.create);
  return missing.some((o) => o.kind === 'statistics');
}

/** Drops the old relation and puts the new one in its place, recreating what depended on the old one. */
async function replaceRelation(
  client: pg.PoolClient,
  exec: Exec,
  model: CompiledModel,
  kind: 'view' | 'table',
  put: () => Promise<void>,
): Promise<void> {
  const dependents = await captureDependents(client, model.schema, model.definition.name, auditSuffix);
  await exec(`drop ${kind} ${model.relation} cascade`);
  await put();
  for (const statement of dependents.security) await exec(statement);
  for (const view of dependents.views) {
    if (!schemasRemadeAfterBuild.has(view.schema)) {
      for (const statement of view.statements) await exec(statement);
      continue;
    }
    // Warehouse security makes these again after the build; one that no longer fits is left to it.
    await client.query('savepoint hdw_dependent_view');
    try {
      for (const statement of view.statements) await exec(statement);
      await client.query('release savepoint hdw_dependent_view');
    } catch {
      await client.query('rollback to savepoint hdw_dependent_view');
    }
  }
}

async function columnsOf(client: pg.PoolClient, relation: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [relation],
  );
  return rows.map((r) => r.name);
}

function uniqueKeyOf(model: CompiledModel): readonly string[] {
  return model.definition.incremental?.uniqueKey ?? primaryKeyOf(model.definition);
}

/** Whether `schema.name` is a view, a table or absent. */
export async function relationKind(
  client: pg.PoolClient | pg.Pool,
  schema: string,
  name: string,
): Promise<'view' | 'table' | undefined> {
  const { rows } = await client.query<{ relkind: string }>(
    `select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
    [schema, name],
  );
  const relkind = rows[0]?.relkind;
  return relkind === 'v' ? 'view' : relkind === 'r' || relkind === 'p' ? 'table' : undefined;
}

/**
 * The kinds of many relations in one query (`schema.name` → kind), for a publication that switches
 * every model of a run: one catalogue look-up instead of one per model.
 */
export async function relationKinds(
  client: pg.PoolClient | pg.Pool,
  relations: readonly { readonly schema: string; readonly name: string }[],
): Promise<Map<string, 'view' | 'table'>> {
  const { rows } = await client.query<{ schema: string; name: string; relkind: string }>(
    `select n.nspname as schema, c.relname as name, c.relkind from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join unnest($1::text[], $2::text[]) as r (schema, name) on r.schema = n.nspname and r.name = c.relname`,
    [relations.map((r) => r.schema), relations.map((r) => r.name)],
  );
  const kinds = new Map<string, 'view' | 'table'>();
  for (const row of rows) {
    const kind =
      row.relkind === 'v' ? 'view' : row.relkind === 'r' || row.relkind === 'p' ? 'table' : undefined;
    if (kind) kinds.set(`${row.schema}.${row.name}`, kind);
  }
  return kinds;
}

/**
 * Whether the published table has the unique index an incremental merge relies on (a table built
 * before the model became incremental has not: it is rebuilt).
 */
export async function hasUniqueKey(client: pg.PoolClient | pg.Pool, model: CompiledModel): Promise<boolean> {
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
        `comment on column ${relation}.${quoteIdent(column)} is ${client.escapeLiteral(spec.description)}`,
    ),
  ].join(';\n');
}
