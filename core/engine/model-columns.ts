import type pg from 'pg';
import { HdwError } from '../errors.ts';
import type { CompiledModel } from './compile-models.ts';

/** A model whose SQL returns other columns than it declares (or of another type than declared). */
export class ColumnContractError extends HdwError {
  constructor(message: string) {
    super('E_MODEL_COLUMNS', message);
  }
}

interface ActualColumn {
  readonly name: string;
  /** As PostgreSQL prints it, with its modifier: `numeric(18,2)`, `timestamp without time zone`. */
  readonly type: string;
  readonly baseType: string;
}

/**
 * Checks that the relation a model was just built as has exactly the declared columns, with the
 * declared types where given: docs, manifest, dbt export and Cube rely on the declaration. Throws
 * one ColumnContractError naming the model and every column that differs.
 */
export async function checkBuiltColumns(
  client: pg.PoolClient | pg.Pool,
  model: CompiledModel,
  relation: string,
): Promise<void> {
  const { rows } = await client.query<ActualColumn>(
    `select attname as name, format_type(atttypid, atttypmod) as type, format_type(atttypid, null) as "baseType"
       from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [relation],
  );
  await compareColumns(client, model, rows);
}

/**
 * Describes a model's SQL without building it (`select * from (…) q limit 0`) and checks its
 * columns against the declaration: what `hdw compile` does where a database is at hand.
 */
export async function checkDescribedColumns(
  client: pg.PoolClient | pg.Pool,
  model: CompiledModel,
): Promise<void> {
  const result = await client.query(`select * from (\n${model.sql}\n) as q limit 0`);
  const { rows: types } = await client.query<{ type: string; base: string }>(
    `select format_type(t, m) as type, format_type(t, null) as base from unnest($1::oid[], $2::int[]) as u (t, m)`,
    [result.fields.map((f) => f.dataTypeID), result.fields.map((f) => f.dataTypeModifier)],
  );
  await compareColumns(
    client,
    model,
    result.fields.map((f, i) => ({ name: f.name, type: types[i]!.type, baseType: types[i]!.base })),
  );
}

async function compareColumns(
  client: pg.PoolClient | pg.Pool,
  model: CompiledModel,
  actual: readonly ActualColumn[],
): Promise<void> {
  const name = model.definition.name;
  const declared = model.definition.columns;
  const problems: string[] = [];
  const returned = new Map(actual.map((c) => [c.name, c]));
  for (const column of Object.keys(declared))
    if (!returned.has(column)) problems.push(`declared column ${column} is not returned by its SQL`);
  for (const column of returned.keys())
    if (!(column in declared)) problems.push(`column ${column} is returned by its SQL but not declared`);
  const typed = Object.entries(declared).filter(([c, spec]) => spec.type && returned.has(c));
  if (typed.length > 0) {
    const { rows } = await client.query<{ declared: string; base: string | null; full: string | null }>(
      `select d as declared, format_type(to_regtype(d), null) as base,
              format_type(to_regtype(d), null) || coalesce(substring(d from '\\(.*\\)$'), '') as full
         from unnest($1::text[]) d`,
      [typed.map(([, spec]) => spec.type!)],
    );
    typed.forEach(([column, spec], i) => {
      const want = rows[i]!;
      const got = returned.get(column)!;
      const squeeze = (t: string | null) => (t ?? '').replaceAll(/\s+/g, '').toLowerCase();
      const ok = spec.type!.includes('(')
        ? squeeze(want.full) === squeeze(got.type)
        : want.base !== null && want.base === got.baseType;
      if (!ok) problems.push(`column ${column} is ${got.type}, declared ${spec.type}`);
    });
  }
  if (problems.length > 0)
    throw new ColumnContractError(`model ${name}: ${problems.join('; ')} (${model.file})`);
}

/**
 * `hdw compile --check`: describes every given model against the warehouse (models read the
 * published relations of their parents) and throws one ColumnContractError listing each model
 * whose columns differ from its declaration, or whose SQL the database rejects.
 */
export async function checkProjectColumns(pool: pg.Pool, models: readonly CompiledModel[]): Promise<void> {
  const problems: string[] = [];
  for (const model of models) {
    if (model.definition.materialized === 'ephemeral') continue;
    try {
      await checkDescribedColumns(pool, model);
    } catch (error) {
      problems.push(
        error instanceof ColumnContractError
          ? error.message
          : `model ${model.definition.name}: ${(error as Error).message} (${model.file})`,
      );
    }
  }
  if (problems.length > 0) throw new ColumnContractError(problems.join('\n'));
}
