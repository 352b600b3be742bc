import type { RawBuilder } from 'kysely';

/**
 * How a model lands in the warehouse. `view`: always current, costs at read time. `table`: built
 * beside the old one and swapped in one transaction. `incremental`: a table that re-merges only
 * the batches that changed (see IncrementalConfig). `ephemeral`: never built, inlined as a CTE into the models that ref it.
 */
export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral';

/** A value a test or a variable may compare with. */
export type Scalar = string | number | boolean;

/** A built-in data test on a column. `expression` is a SQL condition every row must satisfy. */
export type ColumnTest =
  | 'not_null'
  | 'unique'
  | { readonly accepted_values: readonly Scalar[] }
  | { readonly relationships: { readonly to: string; readonly field: string } }
  | { readonly expression: string };

/** How a BI tool shows a column's values (Cube's member formats). */
export type ColumnFormat = 'currency' | 'percent' | 'number';

/**
 * How a failing data test acts on a run (dbt's severities): `error` blocks publication, `warn` is
 * recorded and reported and the run still publishes.
 */
export type Severity = 'error' | 'warn';

/** A column test with a severity other than the default `error`: `{ test: 'not_null', severity: 'warn' }`. */
export interface ColumnTestWithSeverity {
  readonly test: ColumnTest;
  readonly severity: Severity;
}

export interface ColumnDefinition {
  readonly description: string;
  /**
   * The short Chinese name users see (Cube member title, PostgreSQL column comment of the
   * `semantic` schema). Written here only: the semantic layer takes it from the model column.
   */
  readonly title?: string;
  /** How BI tools format it; copied to the Cube members that expose the column. */
  readonly format?: ColumnFormat;
  /**
   * The SQL type the built relation must have, checked at build (`text`, `bigint`,
   * `numeric(18, 2)`, `date`, `boolean`, `timestamp`…); a type with a modifier is compared whole.
   */
  readonly type?: string;
  readonly tests?: readonly (ColumnTest | ColumnTestWithSeverity)[];
  /** Identifies a patient: never reaches a mart unhashed. */
  readonly pii?: boolean;
}

/** A model-level data test: a SQL condition every row of the model must satisfy. */
export interface ModelExpressionTest {
  readonly name: string;
  readonly expression: string;
  /** Default `error`: a failing row blocks publication. */
  readonly severity?: Severity;
}

/**
 * How an incremental model follows its inputs. Every row carries the raw batch it comes from
 * (`batchKey`); the engine remembers which version (`ops.batches.change_seq`) of each batch of the
 * `batchSources` the published rows reflect, and on each build re-merges exactly the batches that
 * changed since: new deliveries, batches a replay released rows into, batches a corrected delivery
 * retired (their rows go). Any other input that changed (a dictionary source's batches, a seed, an
 * upstream table model, the model's own SQL) makes the engine rebuild the model fully, and it says
 * why in the run summary. No look-back, no flag.
 */
export interface IncrementalConfig {
  /** The column holding the raw batch id of each row. */
  readonly batchKey: string;
  /** The sources (`system.table`) whose batches `batchKey` refers to. */
  readonly batchSources: readonly string[];
  /** Default: the primary key. */
  readonly uniqueKey?: readonly string[];
}

/** Fixture rows for a model unit test: plain rows, or rows with SQL types for their columns. */
export type FixtureRows =
  | readonly Readonly<Record<string, Scalar | null>>[]
  | {
      readonly rows: readonly Readonly<Record<string, Scalar | null>>[];
      readonly types?: Readonly<Record<string, string>>;
    };

/**
 * A model unit test: the model's SQL run on `given` rows in place of each ref (by model or seed
 * name) or source (`'his.charge_lines'`), compared with `expect` on the columns `expect` names.
 */
export interface ModelUnitTest {
  readonly name: string;
  readonly given: Readonly<Record<string, FixtureRows>>;
  readonly expect: readonly Readonly<Record<string, Scalar | null>>[];
}

/** What a model's SQL may call: other models and seeds by name, sources by system and table, variables. */
export interface ModelContext {
  ref(name: string): RawBuilder<unknown>;
  source(system: string, table: string): RawBuilder<unknown>;
  /** A project variable (models/project.ts), inlined as a literal. */
  var(name: string): RawBuilder<unknown>;
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
  /** Exactly the columns the SQL returns, in any order: a build fails naming any column missing or undeclared. */
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  readonly tags?: readonly string[];
  /** Required when `materialized` is `incremental`. */
  readonly incremental?: IncrementalConfig;
  readonly tests?: readonly ModelExpressionTest[];
  readonly unitTests?: readonly ModelUnitTest[];
  /**
   * PostgreSQL planner settings for this model's build only (`set local` in its transaction), as
   * dbt's `sql_header`: e.g. `{ enable_mergejoin: 'off' }` where the planner would sort millions of
   * lines to merge-join them with a small lookup table. Only the settings in `plannerSettingNames`;
   * say on the model why, with the times seen. `default_statistics_target` sets how many rows the
   * build's closing `analyze` samples (300 × the target): a wide table of cases that its readers
   * only sum by a few codes needs no 30,000-row sample of every column.
   */
  readonly plannerSettings?: Readonly<Partial<Record<PlannerSettingName, string>>>;
  /**
   * Column groups that models downstream group by, as PostgreSQL extended statistics (`create
   * statistics … (ndistinct)`) on the built table, kept with it when it is published. Without them
   * the planner multiplies each column's distinct count and, expecting a group per few lines, sums
   * millions of lines without parallel partial aggregation. Say on the model which readers group so.
   */
  readonly statistics?: readonly (readonly string[])[];
  /**
   * Column lists to index (b-tree) on the built table, as dbt-postgres's `indexes`: for readers that
   * look a few keys up in a large table instead of reading it all. An incremental model's merges
   * keep them; one declared after its table was built is made on the next run. Say on the model
   * which readers look up by it, with the times seen.
   */
  readonly indexes?: readonly (readonly string[])[];
  readonly sql: (ctx: ModelContext) => RawBuilder<unknown>;
}

/** The planner settings a model may set for its own build (see `ModelDefinition.plannerSettings`). */
export const plannerSettingNames = [
  'enable_mergejoin',
  'enable_nestloop',
  'enable_hashjoin',
  'enable_sort',
  'enable_hashagg',
  'work_mem',
  'hash_mem_multiplier',
  'max_parallel_workers_per_gather',
  'jit',
  'default_statistics_target',
] as const;
export type PlannerSettingName = (typeof plannerSettingNames)[number];

/** Identity helper that gives model files type checking and editor help. */
export function defineModel(model: ModelDefinition): ModelDefinition {
  return model;
}

export const layerSchemas = { stg_: 'staging', int_: 'intermediate', fct_: 'marts', dim_: 'marts' } as const;

/** The schema a model is built in, from its name's layer prefix; undefined when the name has none. */
export function schemaOf(name: string): string | undefined {
  const prefix = Object.keys(layerSchemas).find((p) => name.startsWith(p)) as
    keyof typeof layerSchemas | undefined;
  return prefix ? layerSchemas[prefix] : undefined;
}

/** The name of a model's `i`-th extended statistics object (in the schema of its table). */
export const statisticsNameOf = (model: ModelDefinition, i: number) => `${model.name}__ndistinct_${i + 1}`;

/**
 * A model's extended statistics as column lists, checked: each of two or more declared columns.
 * Throws naming the model.
 */
export function statisticsOf(model: ModelDefinition): readonly (readonly string[])[] {
  return checkedColumnLists(model, model.statistics ?? [], 'statistics', 2);
}

/** A model's indexes as column lists, checked: each of declared columns. Throws naming the model. */
export function indexesOf(model: ModelDefinition): readonly (readonly string[])[] {
  return checkedColumnLists(model, model.indexes ?? [], 'indexes', 1);
}

/** Column lists a table model declares (statistics, indexes): each of `least` or more declared columns. */
function checkedColumnLists(
  model: ModelDefinition,
  lists: readonly (readonly string[])[],
  what: 'statistics' | 'indexes',
  least: number,
): readonly (readonly string[])[] {
  for (const columns of lists) {
    if (columns.length < least)
      throw new Error(`${model.name}: ${what} need ${least} or more columns (${columns.join(', ')})`);
    const undeclared = columns.filter((c) => !(c in model.columns));
    if (undeclared.length > 0)
      throw new Error(`${model.name}: ${what} name undeclared columns (${undeclared.join(', ')})`);
  }
  if (lists.length > 0 && model.materialized !== 'table' && model.materialized !== 'incremental')
    throw new Error(`${model.name}: ${what} are for tables; a ${model.materialized} model has none`);
  return lists;
}

/** The name of a model's `i`-th declared index (in the schema of its table). */
export const indexNameOf = (model: ModelDefinition, i: number) => `${model.name}__index_${i + 1}`;

/** The primary key as a list, whichever way the model wrote it. */
export function primaryKeyOf(model: ModelDefinition): readonly string[] {
  return typeof model.primaryKey === 'string' ? [model.primaryKey] : model.primaryKey;
}

/**
 * A model's planner settings as `[name, value]` pairs, checked: only `plannerSettingNames`, values
 * a plain word or number with an optional unit (`off`, `256MB`, `2`). Throws naming the model.
 */
export function plannerSettingsOf(model: ModelDefinition): [PlannerSettingName, string][] {
  const pairs = Object.entries(model.plannerSettings ?? {}) as [string, string | undefined][];
  return pairs.flatMap(([name, value]) => {
    if (value === undefined) return [];
    if (!(plannerSettingNames as readonly string[]).includes(name))
      throw new Error(`${model.name}: plannerSettings.${name} is not a setting a model may change (${plannerSettingNames.join(', ')})`);
    if (!/^[A-Za-z0-9_.]+$/.test(value))
      throw new Error(`${model.name}: plannerSettings.${name} = ${JSON.stringify(value)} is not a plain value such as off or 256MB`);
    return [[name as PlannerSettingName, value]];
  });
}
