import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A model for a throw-away project: its SQL is a template body using `${ref("x")}`, `${source("s", "t")}`, `${v("name")}`. */
export interface FixtureModel {
  readonly name: string;
  readonly materialized?: 'view' | 'table' | 'incremental' | 'ephemeral';
  readonly sql: string;
  readonly primaryKey?: string | readonly string[];
  readonly columns?: Readonly<
    Record<
      string,
      {
        readonly description?: string;
        readonly type?: string;
        readonly tests?: readonly unknown[];
        readonly pii?: boolean;
      }
    >
  >;
  readonly tags?: readonly string[];
  /** Every column the SQL returns (declared with their name as description), besides the key and `columns`. */
  readonly returns?: readonly string[];
  /** Further properties as TypeScript source, e.g. `incremental: { batchKey: 'batch_id', batchSources: ['app.events'] }`. */
  readonly extra?: string;
}

const kysely = import.meta.resolve('kysely');

/** Writes one model file under `<modelsDir>/<folder>/<name>.ts`, importable from any folder. */
export async function writeFixtureModel(
  modelsDir: string,
  folder: string,
  model: FixtureModel,
): Promise<string> {
  const key = model.primaryKey ?? 'id';
  const keys = typeof key === 'string' ? [key] : key;
  const columns = {
    ...Object.fromEntries([...keys, ...(model.returns ?? [])].map((k) => [k, { description: k }])),
    ...model.columns,
  };
  const described = Object.fromEntries(
    Object.entries(columns).map(([c, spec]) => [c, { description: c, ...spec }]),
  );
  const file = path.join(modelsDir, folder, `${model.name}.ts`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `import { sql } from ${JSON.stringify(kysely)};
export default {
  name: ${JSON.stringify(model.name)},
  materialized: ${JSON.stringify(model.materialized ?? 'view')},
  description: 'fixture model ${model.name}',
  grain: 'One row per ${keys.join(', ')}.',
  primaryKey: ${JSON.stringify(key)},
  columns: ${JSON.stringify(described)},
  tags: ${JSON.stringify(model.tags ?? [])},
  ${model.extra ? `${model.extra},` : ''}
  sql: ({ ref, source, var: v }) => sql\`${model.sql}\`,
};
`,
  );
  return file;
}

/** Declares a source system with its tables (in `schema`, default `raw_<system>`). */
export async function writeFixtureSources(
  modelsDir: string,
  system: string,
  tables: readonly string[],
  schema?: string,
): Promise<void> {
  await mkdir(path.join(modelsDir, 'sources'), { recursive: true });
  const definition = {
    system,
    description: `fixture source ${system}`,
    ...(schema ? { schema } : {}),
    freshness: { warnAfterHours: 24, errorAfterHours: 48 },
    tables: Object.fromEntries(tables.map((t) => [t, { description: t }])),
  };
  await writeFile(
    path.join(modelsDir, 'sources', `${system}.ts`),
    `export default ${JSON.stringify(definition, null, 2)};\n`,
  );
}

/** Writes `models/project.ts` with variables. */
export async function writeFixtureProject(
  modelsDir: string,
  name: string,
  vars: Readonly<Record<string, string | number | boolean>>,
): Promise<void> {
  await mkdir(modelsDir, { recursive: true });
  await writeFile(path.join(modelsDir, 'project.ts'), `export default ${JSON.stringify({ name, vars })};\n`);
}
