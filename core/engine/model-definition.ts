import type { RawBuilder } from 'kysely';

export type Materialization = 'view' | 'table';

/** A built-in data test on a column. */
export type ColumnTest =
  | 'not_null'
  | 'unique'
  | { readonly accepted_values: readonly (string | number | boolean)[] }
  | { readonly relationships: { readonly to: string; readonly field: string } };

export interface ColumnDefinition {
  readonly description: string;
  readonly tests?: readonly ColumnTest[];
  /** Identifies a patient: never reaches a mart unhashed. */
  readonly pii?: boolean;
}

/** What a model's SQL may call: other models and seeds by name, sources by system and table. */
export interface ModelContext {
  ref(name: string): RawBuilder<unknown>;
  source(system: string, table: string): RawBuilder<unknown>;
}

/**
 * A transform model, one per file under `models/<layer>/<domain>/<name>.ts` (`export default
 * defineModel({...})`). The name carries the layer (`stg_`, `int_`, `fct_`, `dim_`) and decides
 * the schema it is built in. The SQL is a Kysely `sql` template written top-down as CTEs.
 */
export interface ModelDefinition {
  readonly name: string;
  readonly materialized: Materialization;
  readonly description: string;
  /** One sentence: what one row is ("one row per inpatient discharge"). */
  readonly grain: string;
  /** Tested unique and not null. */
  readonly primaryKey: string | readonly string[];
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  readonly tags?: readonly string[];
  readonly sql: (ctx: ModelContext) => RawBuilder<unknown>;
}

/** Identity helper that gives model files type checking and editor help. */
export function defineModel(model: ModelDefinition): ModelDefinition {
  return model;
}

export const layerSchemas = { stg_: 'staging', int_: 'intermediate', fct_: 'marts', dim_: 'marts' } as const;

/** The schema a model is built in, from its name's layer prefix; undefined when the name has none. */
export function schemaOf(name: string): string | undefined {
  const prefix = Object.keys(layerSchemas).find((p) => name.startsWith(p)) as keyof typeof layerSchemas | undefined;
  return prefix ? layerSchemas[prefix] : undefined;
}
