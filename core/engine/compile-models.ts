import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { compileSql } from '../db/compile.ts';
import { HdwError } from '../errors.ts';
import { compileDataTests, type CompiledDataTest } from './data-tests.ts';
import { loadDefinitions, type CompileProblem, type LoadedFile } from './load-definitions.ts';
import { buildModelGraph, type ModelGraph } from './model-graph.ts';
import {
  plannerSettingsOf,
  statisticsOf,
  indexesOf,
  primaryKeyOf,
  schemaOf,
  type FixtureRows,
  type ModelContext,
  type ModelDefinition,
  type Scalar,
} from './model-definition.ts';
import { unwrapColumnTest } from './model-tests.ts';
import { defaultProject } from './project-definition.ts';
import { sourceSchema, type SourceDefinition } from './source-definition.ts';

export type { CompileProblem } from './load-definitions.ts';
export type { CompiledDataTest } from './data-tests.ts';

/** A model unit test ready to run: the model's SQL over fixture CTEs. */
export interface CompiledUnitTest {
  readonly name: string;
  readonly sql: string;
  readonly expect: readonly Readonly<Record<string, Scalar | null>>[];
}

export interface CompiledModel {
  readonly definition: ModelDefinition;
  /** Relative to the current directory, for messages. */
  readonly file: string;
  /** Relative to the project root, POSIX separators: what `path:` selectors match. */
  readonly path: string;
  readonly schema: string;
  /** `schema.name`; for an ephemeral model, the CTE name it is inlined as. */
  readonly relation: string;
  /** The full select, ephemeral parents inlined as CTEs: what a view or a full build runs. */
  readonly sql: string;
  /** The same SQL with `{{ ref() }}`, `{{ source() }}` and `{{ var() }}`: dbt's raw code. */
  readonly jinjaSql: string;
  /** Every name the model refs: models and seeds. */
  readonly refs: readonly string[];
  /** The models among `refs`. */
  readonly parents: readonly string[];
  /** `system.table` of every source read. */
  readonly sources: readonly string[];
  readonly unitTests: readonly CompiledUnitTest[];
}

export interface SourceFile extends LoadedFile<SourceDefinition> {}

export interface CompiledProject {
  readonly name: string;
  /** In dependency order: every model after the models it refs. */
  readonly models: readonly CompiledModel[];
  /** Seed names, ref-able like models, living in `ref.<name>`. */
  readonly seeds: readonly string[];
  readonly sources: readonly SourceFile[];
  readonly vars: Readonly<Record<string, Scalar>>;
  /** Custom SQL tests from the data-tests folder. */
  readonly dataTests: readonly CompiledDataTest[];
  readonly graph: ModelGraph;
}

/** Every problem found while compiling, each with its file, reported at once. */
export class CompileError extends HdwError {
  readonly problems: readonly CompileProblem[];
  constructor(problems: readonly CompileProblem[]) {
    super(
      'E_COMPILE',
      `model compilation failed (${problems.length} problems):\n${problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

export interface CompileOptions {
  /** Overrides of the project's variables. */
  readonly vars?: Readonly<Record<string, Scalar>>;
  /** Custom SQL tests (`*.sql` returning failing rows); default `<project root>/test/data`. */
  readonly dataTestsDir?: string;
}

/** How a ref, source or var is rendered in one compilation pass. */
export interface Resolver {
  ref(name: string): string;
  source(system: string, table: string): string;
  var(name: string): RawBuilder<unknown>;
}

const ephemeralName = (name: string) => `__hdw_eph__${name}`;
const fixtureName = (key: string) => `__given__${key.replace('.', '__')}`;
const quote = (id: string) => `"${id.replaceAll('"', '""')}"`;

/**
 * Loads every model, source and the project settings under `modelsDir`, checks them all (names,
 * refs, sources, layering, keys, tests, cycles) and orders the models by dependency. Every
 * problem is collected and thrown together as one CompileError, each with its file, so one run
 * shows the whole list. `seeds` are names `ref()` may also resolve (loaded into `ref.<name>`).
 *
 * @example const project = await compileProject(projectPaths.models, ['hospitals']);
 */
export async function compileProject(
  modelsDir: string,
  seeds: readonly string[],
  options: CompileOptions = {},
): Promise<CompiledProject> {
  const problems: CompileProblem[] = [];
  const loaded = await loadDefinitions(modelsDir, problems);
  const settings = loaded.project?.definition ?? defaultProject;
  const vars = { ...settings.vars, ...options.vars };

  const sourceTables = new Map<string, string>();
  const systems = new Map<string, SourceFile>();
  for (const entry of loaded.sources) {
    const { system, tables } = entry.definition;
    const other = systems.get(system);
    if (other)
      problems.push({
        file: entry.file,
        message: `source system "${system}" is also declared in ${other.file}`,
      });
    systems.set(system, entry);
    for (const table of Object.keys(tables))
      sourceTables.set(`${system}.${table}`, `${quote(sourceSchema(entry.definition))}.${quote(table)}`);
  }

  const byName = new Map<string, LoadedFile<ModelDefinition>>();
  for (const entry of loaded.models) {
    const { name } = entry.definition;
    if (path.basename(entry.file, '.ts') !== name)
      problems.push({ file: entry.file, message: `model name "${name}" differs from its file name` });
    if (!schemaOf(name))
      problems.push({
        file: entry.file,
        message: `model name "${name}" does not start with stg_, int_, fct_ or dim_`,
      });
    const other = byName.get(name);
    if (other)
      problems.push({ file: entry.file, message: `model "${name}" is also defined in ${other.file}` });
    else byName.set(name, entry);
  }
  const isEphemeral = (name: string) => byName.get(name)?.definition.materialized === 'ephemeral';
  const relationOf = (name: string): string | undefined => {
    if (byName.has(name))
      return isEphemeral(name)
        ? quote(ephemeralName(name))
        : `${quote(schemaOf(name) ?? 'unknown')}.${quote(name)}`;
    return seeds.includes(name) ? `${quote('ref')}.${quote(name)}` : undefined;
  };

  /** Renders refs, sources and vars as the warehouse relations and literals they stand for. */
  const warehouseFor = (file: string): Resolver => ({
    ref: (name) =>
      relationOf(name) ??
      (problems.push({ file, message: `ref("${name}") names no model or seed` }), quote(name)),
    source: (system, table) =>
      sourceTables.get(`${system}.${table}`) ??
      (problems.push({ file, message: `source("${system}", "${table}") is not declared in models/sources/` }),
      quote(table)),
    var: (name) =>
      name in vars
        ? sql.lit(vars[name])
        : (problems.push({ file, message: `var("${name}") is not defined in models/project.ts` }),
          sql.lit(null)),
  });

  const bodies = new Map<
    string,
    {
      entry: LoadedFile<ModelDefinition>;
      body: string;
      refs: string[];
      sources: string[];
    }
  >();
  for (const entry of byName.values()) {
    const { file, definition } = entry;
    const out = render(definition.sql, warehouseFor(file), file, problems);
    bodies.set(definition.name, { entry, body: out.text, refs: out.refs, sources: out.sources });
    checkDefinition(entry, out, byName, seeds, sourceTables, problems);
  }

  const graph = buildModelGraph(new Map([...bodies].map(([name, b]) => [name, b.refs])));
  for (const cycle of graph.cycles) {
    problems.push({ file: byName.get(cycle[0]!)!.file, message: `dependency cycle: ${cycle.join(' → ')}` });
  }

  const jinja: Resolver = {
    ref: (name) => `{{ ref('${name}') }}`,
    source: (system, table) => `{{ source('${system}', '${table}') }}`,
    var: (name) => sql.raw(`{{ var('${name}') }}`),
  };
  const models: CompiledModel[] = [];
  for (const name of graph.order) {
    const { entry, body, refs, sources } = bodies.get(name)!;
    const { definition, file } = entry;
    const schema = schemaOf(name) ?? 'unknown';
    models.push({
      definition,
      file,
      path: entry.path,
      schema,
      relation: definition.materialized === 'ephemeral' ? ephemeralName(name) : `${schema}.${name}`,
      sql: withEphemerals(name, body, graph, bodies, isEphemeral),
      jinjaSql: render(definition.sql, jinja, file, []).text,
      refs,
      parents: graph.parents.get(name) ?? [],
      sources,
      unitTests: compileUnitTests(entry, refs, sources, vars, problems),
    });
  }

  const dataTests = await compileDataTests(
    options.dataTestsDir ?? path.join(path.dirname(modelsDir), 'test', 'data'),
    warehouseFor,
    problems,
  );
  if (problems.length > 0) throw new CompileError(problems);
  return { name: settings.name, models, seeds, sources: [...systems.values()], vars, dataTests, graph };
}

/** Calls a model's SQL function with a resolver, recording what it refs and reads. */
function render(
  fn: (ctx: ModelContext) => RawBuilder<unknown>,
  resolver: Resolver,
  file: string,
  problems: CompileProblem[],
): { text: string; refs: string[]; sources: string[]; bound: number } {
  const refs: string[] = [];
  const sources: string[] = [];
  try {
    const query = fn({
      ref: (name) => (refs.push(name), sql.raw(resolver.ref(name))),
      source: (system, table) => (
        sources.push(`${system}.${table}`),
        sql.raw(resolver.source(system, table))
      ),
      var: (name) => resolver.var(name),
    });
    const out = compileSql(query);
    if (out.values.length > 0)
      problems.push({ file, message: 'SQL has bound parameters; inline constants with sql.lit()' });
    return {
      text: out.text,
      refs: [...new Set(refs)],
      sources: [...new Set(sources)],
      bound: out.values.length,
    };
  } catch (error) {
    problems.push({ file, message: `SQL cannot be compiled: ${(error as Error).message}` });
    return { text: '', refs: [...new Set(refs)], sources: [...new Set(sources)], bound: 0 };
  }
}

/** The layering, key and test rules every model must follow. */
function checkDefinition(
  entry: LoadedFile<ModelDefinition>,
  out: { refs: readonly string[]; sources: readonly string[] },
  byName: ReadonlyMap<string, LoadedFile<ModelDefinition>>,
  seeds: readonly string[],
  sourceTables: ReadonlyMap<string, string>,
  problems: CompileProblem[],
): void {
  const { file, definition } = entry;
  const layer = schemaOf(definition.name);
  const say = (message: string) => problems.push({ file, message });
  const readModels = out.refs.filter((r) => byName.has(r));
  if (layer === 'staging' && readModels.length > 0)
    say(
      `a staging model reads other models (${readModels.join(', ')}); staging reads only sources and seeds`,
    );
  if (layer !== 'staging' && out.sources.length > 0) say('only staging models read sources; use ref()');
  const key = primaryKeyOf(definition);
  if (key.length === 0)
    say(layer === 'marts' ? 'a mart without a primary-key test: declare primaryKey' : 'has no primary key');
  for (const column of key) {
    if (!(column in definition.columns))
      say(`primary key column "${column}" is not declared in columns, so it cannot be tested`);
  }
  if (!definition.grain?.trim()) say('has no grain: say in one sentence what one row is');
  for (const check of [plannerSettingsOf, statisticsOf, indexesOf]) {
    try {
      check(definition);
    } catch (error) {
      say((error as Error).message.replace(`${definition.name}: `, ''));
    }
  }
  if (layer === 'marts') {
    // Marts are what BI users and alliance members read: a patient identifier reaches them only hashed.
    const pii = Object.entries(definition.columns).filter(([, spec]) => spec.pii);
    for (const [column] of pii)
      say(`column ${column} is tagged pii: marts carry patient identifiers only hashed (and untagged)`);
  }
  for (const [column, spec] of Object.entries(definition.columns)) {
    for (const declared of spec.tests ?? []) {
      const { test } = unwrapColumnTest(declared);
      if (typeof test !== 'object' || !('relationships' in test)) continue;
      const to = test.relationships.to;
      if (!byName.has(to) && !seeds.includes(to))
        say(`column ${column}: relationships test names "${to}", which is no model or seed`);
      else if (byName.get(to)?.definition.materialized === 'ephemeral')
        say(`column ${column}: relationships test names "${to}", which is ephemeral`);
    }
  }
  if (definition.materialized === 'incremental') {
    const inc = definition.incremental;
    if (!inc) say('an incremental model needs `incremental: { batchKey, batchSources }`');
    for (const column of inc ? [inc.batchKey, ...(inc.uniqueKey ?? [])] : []) {
      if (!(column in definition.columns)) say(`incremental column "${column}" is not declared in columns`);
    }
    for (const source of inc?.batchSources ?? []) {
      if (!sourceTables.has(source))
        say(`incremental batch source "${source}" is not declared in models/sources/`);
    }
    if (inc && inc.batchSources.length === 0) say('an incremental model names at least one batch source');
  }
}

/** Prefixes a model's body with the CTEs of the ephemeral models it reads, directly or through others. */
function withEphemerals(
  name: string,
  body: string,
  graph: ModelGraph,
  bodies: ReadonlyMap<string, { body: string }>,
  isEphemeral: (name: string) => boolean,
): string {
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (model: string) => {
    for (const parent of graph.parents.get(model) ?? []) {
      if (!isEphemeral(parent) || seen.has(parent)) continue;
      seen.add(parent);
      visit(parent);
      ordered.push(parent);
    }
  };
  visit(name);
  if (ordered.length === 0) return body;
  const ctes = ordered.map((e) => `${quote(ephemeralName(e))} as (\n${bodies.get(e)!.body}\n)`).join(',\n');
  return `with ${ctes}\nselect * from (\n${body}\n) as __hdw_model`;
}

/** Compiles each unit test: every ref and source of the model read from fixture rows instead. */
function compileUnitTests(
  entry: LoadedFile<ModelDefinition>,
  refs: readonly string[],
  sources: readonly string[],
  vars: Readonly<Record<string, Scalar>>,
  problems: CompileProblem[],
): CompiledUnitTest[] {
  const { file, definition } = entry;
  return (definition.unitTests ?? []).map((test) => {
    const inputs = [...refs, ...sources];
    const missing = inputs.filter((i) => !(i in test.given));
    if (missing.length > 0)
      problems.push({ file, message: `unit test "${test.name}" gives no rows for ${missing.join(', ')}` });
    const unknown = Object.keys(test.given).filter((g) => !inputs.includes(g));
    if (unknown.length > 0)
      problems.push({
        file,
        message: `unit test "${test.name}" gives rows for ${unknown.join(', ')}, which the model does not read`,
      });
    const fixtures: Resolver = {
      ref: (name) => quote(fixtureName(name)),
      source: (system, table) => quote(fixtureName(`${system}.${table}`)),
      var: (name) => sql.lit(vars[name] ?? null),
    };
    const body = render(definition.sql, fixtures, file, []).text;
    const ctes = Object.entries(test.given).map(
      ([key, rows]) => `${quote(fixtureName(key))} as (${fixtureSql(rows)})`,
    );
    return {
      name: test.name,
      sql: ctes.length ? `with ${ctes.join(',\n')}\nselect * from (\n${body}\n) as __hdw_model` : body,
      expect: test.expect,
    };
  });
}

/** Fixture rows as a typed select: the types given, or from each value's JavaScript type. */
function fixtureSql(given: FixtureRows): string {
  const rows = Array.isArray(given)
    ? given
    : (given as { rows: readonly Record<string, Scalar | null>[] }).rows;
  const types = Array.isArray(given) ? {} : ((given as { types?: Record<string, string> }).types ?? {});
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const typeOf = (column: string): string => {
    if (types[column]) return types[column];
    const sample = rows.map((r) => r[column]).find((v) => v !== null && v !== undefined);
    return typeof sample === 'number' ? 'numeric' : typeof sample === 'boolean' ? 'boolean' : 'text';
  };
  const literal = (value: Scalar | null | undefined) =>
    value === null || value === undefined
      ? 'null'
      : typeof value === 'string'
        ? `'${value.replaceAll("'", "''")}'`
        : String(value);
  if (rows.length === 0)
    return `select ${columns.map((c) => `null::${typeOf(c)} as ${quote(c)}`).join(', ') || '1 as __empty'} where false`;
  return rows
    .map((r) => `select ${columns.map((c) => `${literal(r[c])}::${typeOf(c)} as ${quote(c)}`).join(', ')}`)
    .join('\nunion all\n');
}
