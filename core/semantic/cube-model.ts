import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HdwError } from '../errors.ts';
import type { ColumnDefinition, ModelDefinition } from '../engine/model-definition.ts';

/**
 * js-yaml, the parser Cube's own compiler reads the data model with (installed with
 * @cubejs-backend/server-core): reading the files with it sees exactly what Cube sees.
 */
const yaml = createRequire(import.meta.url)('js-yaml') as {
  load(text: string): unknown;
  dump(value: unknown, options?: Readonly<Record<string, unknown>>): string;
};

/** A dimension, measure or segment of a cube or view, the fields the semantic layer reads. */
export interface CubeMember {
  name: string;
  sql?: string;
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  filters?: Array<{ sql: string }>;
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A cube or view of the Cube data model. */
export interface CubeEntry {
  name: string;
  sql_table?: string;
  sql?: string;
  title?: string;
  description?: string;
  meta?: Record<string, unknown>;
  dimensions?: CubeMember[];
  measures?: CubeMember[];
  [key: string]: unknown;
}

/** One file of the Cube data model, parsed (YAML) or passed through (JavaScript). */
export interface CubeModelFile {
  readonly fileName: string;
  readonly content: string;
  readonly cubes: readonly CubeEntry[];
  readonly views: readonly CubeEntry[];
}

/** The semantic layer disagrees with the models; the message names the Cube member and the column. */
export class SemanticLayerError extends HdwError {
  constructor(message: string) {
    super('E_SEMANTIC', message);
  }
}

const modelExtensions = ['.yml', '.yaml', '.js'];

/** Every file of the Cube data model folder (`cube/model`), YAML parsed, in a stable order. */
export async function readCubeModel(folder: string): Promise<CubeModelFile[]> {
  const root = path.resolve(folder);
  const names = (await listFiles(root, '')).sort();
  return Promise.all(
    names.map(async (fileName) => {
      const content = await readFile(path.join(root, fileName), 'utf8');
      if (path.extname(fileName) === '.js') return { fileName, content, cubes: [], views: [] };
      const doc = (yaml.load(content) ?? {}) as { cubes?: CubeEntry[]; views?: CubeEntry[] };
      return { fileName, content, cubes: doc.cubes ?? [], views: doc.views ?? [] };
    }),
  );
}

/** The models the cubes of a Cube data model read (what Cube needs built before it can start). */
export function modelsReadByCubes(files: readonly CubeModelFile[]): string[] {
  const names = files.flatMap((f) => f.cubes.flatMap((cube) => sourceModel(cube)?.name ?? []));
  return [...new Set(names)].sort();
}

/**
 * The model a cube reads: `sql_table: marts.<model>` or `sql: select * from marts.<model>` (strict: every column a member reads must be
 * a column the model declares), or `meta: { model: <name> }` for a cube over a relation derived
 * from that model (the shared aggregates), whose members take the model's labels where a column of
 * the same name exists and they write none (a suppressed figure may say so in its own words).
 */
function sourceModel(cube: CubeEntry): { readonly name: string; readonly strict: boolean } | undefined {
  const table =
    /^\s*marts\.([a-z_][a-z0-9_]*)\s*$/i.exec(cube.sql_table ?? '')?.[1] ??
    // A cube with an original_sql pre-aggregation reads its model through \`sql\` (Cube 0.33 builds
    // that pre-aggregation from a cube's \`sql\` only).
    /^\s*select \* from marts\.([a-z_][a-z0-9_]*)\s*$/i.exec(cube.sql ?? '')?.[1];
  if (table) return { name: table, strict: true };
  const declared = cube.meta?.model;
  return typeof declared === 'string' ? { name: declared, strict: false } : undefined;
}

/** Columns a member's SQL reads: a bare column name, or every `{CUBE}.column`. */
function columnsRead(member: CubeMember): string[] {
  const texts = [member.sql ?? '', ...(member.filters ?? []).map((f) => f.sql)];
  const out = new Set<string>();
  for (const text of texts) {
    const bare = /^\s*([a-z_][a-z0-9_]*)\s*$/i.exec(text)?.[1];
    if (bare) out.add(bare);
    for (const match of text.matchAll(/\{CUBE\}\.([a-z_][a-z0-9_]*)/gi)) out.add(match[1]!);
  }
  return [...out];
}

/**
 * The one column a member exposes as it is (`sql: col` or `sql: '{CUBE}.col'`), if any. A filtered
 * measure (`filters`) is a formula over the column, with labels of its own.
 */
function exposedColumn(member: CubeMember): string | undefined {
  if ((member.filters ?? []).length > 0) return undefined;
  return /^\s*(?:\{CUBE\}\.)?([a-z_][a-z0-9_]*)\s*$/i.exec(member.sql ?? '')?.[1];
}

/** Measure types that compute something else than the column they read (they carry their own labels). */
const formulaTypes = new Set([
  'count',
  'countDistinct',
  'count_distinct',
  'countDistinctApprox',
  'count_distinct_approx',
  'avg',
  'min',
  'max',
  'runningTotal',
  'running_total',
]);

type Labels = Pick<CubeMember, 'title' | 'description' | 'format'>;
const labelKeys = ['title', 'description', 'format'] as const;

/**
 * Fills a member's title, description and format from where they are written (the model column,
 * or the cube member a view exposes); one written on the member too must say the same, or the
 * semantic layer would show two names for one thing.
 */
function inherit(member: CubeMember, from: Labels, where: string, origin: string, strict = true): void {
  for (const key of labelKeys) {
    const value = from[key];
    if (value === undefined) continue;
    if (member[key] === undefined) member[key] = value;
    else if (strict && member[key] !== value) {
      throw new SemanticLayerError(
        `Cube member ${where} has ${key} "${String(member[key])}" but ${origin} says "${value}"; ` +
          `write it once, in ${origin}, and remove it from the member`,
      );
    }
  }
}

function columnLabels(column: ColumnDefinition): Labels {
  return {
    ...(column.title !== undefined ? { title: column.title } : {}),
    description: column.description,
    ...(column.format !== undefined ? { format: column.format } : {}),
  };
}

/**
 * One source of truth for the semantic layer: checks every cube and view of the Cube data model
 * against the transform models and fills in what is written once elsewhere.
 * - A cube over `marts.<model>`: every column a member reads must be declared by the model, else a
 *   SemanticLayerError names the member and the column (a renamed mart column fails here, at Cube
 *   start-up, not in front of a user). A member that exposes one column as it is (`sql: col`, a
 *   dimension or a sum/min/max of it) takes title, description and format from the model column,
 *   which must have a title.
 * - A view member `sql: '{cube.member}'` takes them from that cube member.
 * Labels written on a member as well must be equal to the inherited ones. Returns the files with
 * every member's labels filled in, as Cube is to compile them.
 */
export function resolveCubeModel(
  files: readonly CubeModelFile[],
  models: readonly ModelDefinition[],
): CubeModelFile[] {
  const byName = new Map(models.map((model) => [model.name, model]));
  const copies = files.map((file) => ({
    ...file,
    cubes: structuredClone(file.cubes) as CubeEntry[],
    views: structuredClone(file.views) as CubeEntry[],
  }));
  const cubes = new Map<string, CubeEntry>();
  for (const file of copies) {
    for (const cube of file.cubes) {
      cubes.set(cube.name, cube);
      const source = sourceModel(cube);
      // Ours, not Cube's: Cube 0.33 allows no cube-level meta.
      if (cube.meta) {
        delete cube.meta.model;
        if (Object.keys(cube.meta).length === 0) delete cube.meta;
      }
      if (!source) continue;
      const model = byName.get(source.name);
      if (!model) {
        throw new SemanticLayerError(
          `Cube cube ${cube.name} (${file.fileName}) reads model ${source.name}, which no model file defines`,
        );
      }
      for (const member of [...(cube.dimensions ?? []), ...(cube.measures ?? [])]) {
        const where = `${cube.name}.${member.name}`;
        if (source.strict) {
          for (const column of columnsRead(member)) {
            if (!model.columns[column]) {
              throw new SemanticLayerError(
                `Cube member ${where} (${file.fileName}) reads column ${column}, which model ${model.name} does not have; rename it in the cube too`,
              );
            }
          }
        }
        const exposed = exposedColumn(member);
        const column = exposed === undefined ? undefined : model.columns[exposed];
        if (!column || formulaTypes.has(member.type ?? '')) continue;
        if (column.title === undefined) {
          throw new SemanticLayerError(
            `Cube member ${where} exposes column ${model.name}.${exposed}, which has no title; add title: '…' to the model column`,
          );
        }
        inherit(member, columnLabels(column), where, `model column ${model.name}.${exposed}`, source.strict);
      }
    }
  }
  for (const file of copies) {
    for (const view of file.views) {
      for (const member of [...(view.dimensions ?? []), ...(view.measures ?? [])]) {
        const where = `${view.name}.${member.name}`;
        const reference = /^\s*\{([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}\s*$/i.exec(member.sql ?? '');
        if (!reference) continue;
        const [, cubeName, memberName] = reference;
        const target = cubes.get(cubeName!);
        const source = [...(target?.dimensions ?? []), ...(target?.measures ?? [])].find(
          (m) => m.name === memberName,
        );
        if (!source) {
          throw new SemanticLayerError(
            `Cube member ${where} (${file.fileName}) exposes ${cubeName}.${memberName}, which does not exist`,
          );
        }
        inherit(member, source, where, `cube member ${cubeName}.${memberName}`);
      }
    }
  }
  return copies;
}

/** A resolved file as Cube's compiler reads it: YAML text (JavaScript files unchanged). */
export function cubeModelText(file: CubeModelFile): string {
  if (path.extname(file.fileName) === '.js') return file.content;
  const doc: Record<string, unknown> = {};
  if (file.cubes.length > 0) doc.cubes = file.cubes;
  if (file.views.length > 0) doc.views = file.views;
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, relative)));
    else if (entry.isFile() && modelExtensions.includes(path.extname(entry.name))) out.push(relative);
  }
  return out;
}
