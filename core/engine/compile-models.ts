import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { compileSql } from '../db/compile.ts';
import { HdwError } from '../errors.ts';
import { schemaOf, type ModelDefinition } from './model-definition.ts';

export interface CompiledModel {
  readonly definition: ModelDefinition;
  readonly file: string;
  readonly schema: string;
  /** `schema.name` */
  readonly relation: string;
  readonly sql: string;
  readonly refs: readonly string[];
  readonly sources: readonly string[];
}

export interface CompiledProject {
  /** In dependency order: every model after the models it refs. */
  readonly models: readonly CompiledModel[];
  /** Seed names, ref-able like models, living in `ref.<name>`. */
  readonly seeds: readonly string[];
}

/** Every problem found while compiling, each with its file, reported at once. */
export class CompileError extends HdwError {
  readonly problems: readonly { readonly file: string; readonly message: string }[];
  constructor(problems: readonly { file: string; message: string }[]) {
    super('E_COMPILE', `model compilation failed:\n${problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Loads every model file under `modelsDir`, checks names, refs and layering, and orders the
 * models by dependency. `seeds` are names `ref()` may also resolve (loaded into `ref.<name>`).
 */
export async function compileProject(modelsDir: string, seeds: readonly string[]): Promise<CompiledProject> {
  const problems: { file: string; message: string }[] = [];
  const loaded: { file: string; definition: ModelDefinition }[] = [];
  for (const file of await listModelFiles(modelsDir)) {
    const relative = path.relative(process.cwd(), file);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: ModelDefinition };
      if (!mod.default) {
        problems.push({ file: relative, message: 'has no default export (export default defineModel({...}))' });
        continue;
      }
      loaded.push({ file: relative, definition: mod.default });
    } catch (error) {
      problems.push({ file: relative, message: `cannot be loaded: ${(error as Error).message}` });
    }
  }
  const byName = new Map<string, { file: string; definition: ModelDefinition }>();
  for (const entry of loaded) {
    const { name } = entry.definition;
    if (path.basename(entry.file, '.ts') !== name) problems.push({ file: entry.file, message: `model name "${name}" differs from its file name` });
    if (!schemaOf(name)) problems.push({ file: entry.file, message: `model name "${name}" does not start with stg_, int_, fct_ or dim_` });
    const other = byName.get(name);
    if (other) problems.push({ file: entry.file, message: `model "${name}" is also defined in ${other.file}` });
    byName.set(name, entry);
  }
  const compiled = new Map<string, CompiledModel>();
  for (const { file, definition } of byName.values()) {
    const refs: string[] = [];
    const sources: string[] = [];
    let text = '';
    try {
      const query = definition.sql({
        ref(name) {
          refs.push(name);
          const schema = byName.has(name) ? schemaOf(name) : seeds.includes(name) ? 'ref' : undefined;
          if (!schema) problems.push({ file, message: `ref("${name}") names no model or seed` });
          return sql.table(`${schema ?? 'unknown'}.${name}`);
        },
        source(system, table) {
          sources.push(`${system}.${table}`);
          return sql.table(`raw_${system}.${table}`);
        },
      });
      const out = compileSql(query);
      if (out.values.length > 0) problems.push({ file, message: 'SQL has bound parameters; inline constants with sql.lit()' });
      text = out.text;
    } catch (error) {
      problems.push({ file, message: `SQL cannot be compiled: ${(error as Error).message}` });
    }
    const layer = schemaOf(definition.name);
    if (layer === 'staging' && refs.some((r) => byName.has(r))) problems.push({ file, message: 'a staging model reads other models; staging reads only sources and seeds' });
    if (layer !== 'staging' && sources.length > 0) problems.push({ file, message: 'only staging models read sources; use ref()' });
    for (const [column, spec] of Object.entries(definition.columns)) {
      for (const test of spec.tests ?? []) {
        if (typeof test === 'object' && 'relationships' in test && !byName.has(test.relationships.to) && !seeds.includes(test.relationships.to)) {
          problems.push({ file, message: `column ${column}: relationships test names "${test.relationships.to}", which is no model or seed` });
        }
      }
    }
    if ((Array.isArray(definition.primaryKey) ? definition.primaryKey : [definition.primaryKey]).length === 0) {
      problems.push({ file, message: 'has no primary key' });
    }
    compiled.set(definition.name, {
      definition,
      file,
      schema: layer ?? 'unknown',
      relation: `${layer ?? 'unknown'}.${definition.name}`,
      sql: text,
      refs: [...new Set(refs)],
      sources: [...new Set(sources)],
    });
  }
  const ordered = orderByDependency(compiled, problems);
  if (problems.length > 0) throw new CompileError(problems);
  return { models: ordered, seeds };
}

function orderByDependency(models: Map<string, CompiledModel>, problems: { file: string; message: string }[]): CompiledModel[] {
  const ordered: CompiledModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: CompiledModel, trail: string[]) => {
    const status = state.get(model.definition.name);
    if (status === 'done') return;
    if (status === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(model.definition.name)), model.definition.name];
      problems.push({ file: model.file, message: `dependency cycle: ${cycle.join(' → ')}` });
      return;
    }
    state.set(model.definition.name, 'visiting');
    for (const ref of model.refs) {
      const parent = models.get(ref);
      if (parent) visit(parent, [...trail, model.definition.name]);
    }
    state.set(model.definition.name, 'done');
    ordered.push(model);
  };
  for (const model of [...models.values()].sort((a, b) => a.definition.name.localeCompare(b.definition.name))) visit(model, []);
  return ordered;
}

async function listModelFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
