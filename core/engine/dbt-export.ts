import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import { primaryKeyOf, type FixtureRows } from './model-definition.ts';
import { testCasesOf, type ModelTestCase } from './model-tests.ts';
import { sourceSchema } from './source-definition.ts';
import { toYaml } from './to-yaml.ts';

/** What the export wrote, relative to its folder: for the CLI's summary and for tests. */
export interface DbtExport {
  readonly files: readonly string[];
  /** Test id → the file dbt reads it from. */
  readonly tests: Readonly<Record<string, string>>;
}

const modelDir = (model: CompiledModel) => path.posix.dirname(model.path);

/**
 * Writes a dbt project equivalent to ours into `dir` (emptied first): `dbt_project.yml`, one `.sql`
 * per model with `{{ config() }}`, `{{ ref() }}` and `{{ source() }}`, a `schema.yml` per folder
 * with descriptions, columns and generic tests, `sources.yml`, singular tests in `tests/`, and
 * the seeds. Teams that run dbt (or dbt-aware tools) can take our models as they are.
 *
 * @example await exportDbtProject(project, 'dist/dbt', { seedsDir: projectPaths.seeds })
 */
export async function exportDbtProject(
  project: CompiledProject,
  dir: string,
  options: { seedsDir?: string } = {},
): Promise<DbtExport> {
  await rm(dir, { recursive: true, force: true });
  const files: string[] = [];
  const write = async (relative: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), text);
    files.push(relative);
  };
  const p = project.name;
  const layers = [...new Set(project.models.map((m) => m.path.split('/')[1]!))].sort();
  await write(
    'dbt_project.yml',
    toYaml({
      name: p,
      version: '1.0.0',
      'config-version': 2,
      profile: p,
      'model-paths': ['models'],
      'seed-paths': ['seeds'],
      'test-paths': ['tests'],
      'macro-paths': ['macros'],
      vars: project.vars,
      models: {
        [p]: Object.fromEntries(
          layers.map((layer) => [
            layer,
            { '+schema': project.models.find((m) => m.path.split('/')[1] === layer)!.schema },
          ]),
        ),
      },
      seeds: { [p]: { '+schema': 'ref' } },
    }),
  );
  // Our schemas are exact names; dbt would otherwise prefix them with the target schema.
  await write(
    'macros/generate_schema_name.sql',
    `{% macro generate_schema_name(custom_schema_name, node) -%}\n  {{ custom_schema_name if custom_schema_name else target.schema }}\n{%- endmacro %}\n`,
  );

  for (const model of project.models) await write(model.path.replace(/\.ts$/, '.sql'), modelSql(model));

  const tests: Record<string, string> = {};
  const cases = testCasesOf(project);
  const folders = new Map<string, CompiledModel[]>();
  for (const model of project.models)
    folders.set(modelDir(model), [...(folders.get(modelDir(model)) ?? []), model]);
  for (const [folder, models] of folders) {
    const schemaFile = `${folder}/schema.yml`;
    const entries = models.map((model) => {
      const own = cases.filter((c) => c.model === model.definition.name);
      const { definition } = model;
      return {
        name: definition.name,
        description: definition.description,
        config: { tags: definition.tags ?? [] },
        meta: { grain: definition.grain, primary_key: primaryKeyOf(definition) },
        columns: Object.entries(definition.columns).map(([column, spec]) => {
          const generic = own.filter((c) => c.column === column && isGeneric(c));
          for (const c of generic) tests[c.id] = schemaFile;
          return {
            name: column,
            description: spec.description,
            tags: spec.pii ? ['pii'] : undefined,
            data_tests: generic.length ? generic.map(dbtGenericTest) : undefined,
          };
        }),
      };
    });
    const unitTests = models.flatMap((model) =>
      (model.definition.unitTests ?? []).map((unit) => {
        const c = cases.find((x) => x.unit?.name === unit.name && x.model === model.definition.name);
        if (c) tests[c.id] = schemaFile;
        return {
          name: unit.name.replace(/\W+/g, '_'),
          model: model.definition.name,
          given: Object.entries(unit.given).map(([input, rows]) => ({
            input: inputRef(input),
            rows: fixtureRows(rows),
          })),
          expect: { rows: unit.expect },
        };
      }),
    );
    await write(
      schemaFile,
      toYaml({ version: 2, models: entries, unit_tests: unitTests.length ? unitTests : undefined }),
    );
  }

  for (const c of cases.filter((x) => !isGeneric(x) && x.type !== 'unit')) {
    const file = `tests/${c.id}.sql`;
    await write(file, `${singularTestSql(project, c)}\n`);
    tests[c.id] = file;
  }

  await write(
    'models/sources.yml',
    toYaml({
      version: 2,
      sources: project.sources.map(({ definition }) => ({
        name: definition.system,
        description: definition.description,
        schema: sourceSchema(definition),
        loaded_at_field: definition.loadedAtField?.startsWith('ops.') ? undefined : definition.loadedAtField,
        freshness: definition.freshness && {
          warn_after: { count: definition.freshness.warnAfterHours, period: 'hour' },
          error_after: { count: definition.freshness.errorAfterHours, period: 'hour' },
        },
        tables: Object.entries(definition.tables).map(([name, table]) => ({
          name,
          description: table.description,
          columns: table.columns
            ? Object.entries(table.columns).map(([c, col]) => ({
                name: c,
                description: col.description,
                tags: col.pii ? ['pii'] : undefined,
              }))
            : undefined,
        })),
      })),
    }),
  );

  if (options.seedsDir) {
    for (const entry of await readdir(options.seedsDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.csv')) continue;
      const relative = `seeds/${entry.name}`;
      await mkdir(path.join(dir, 'seeds'), { recursive: true });
      await copyFile(path.join(entry.parentPath, entry.name), path.join(dir, relative));
      files.push(relative);
    }
  }
  return { files: files.sort(), tests };
}

function isGeneric(c: ModelTestCase): boolean {
  return (
    c.column !== undefined && ['unique', 'not_null', 'accepted_values', 'relationships'].includes(c.type)
  );
}

function dbtGenericTest(c: ModelTestCase): unknown {
  const config = c.severity === 'warn' ? { config: { severity: 'warn' } } : {};
  if (c.type === 'accepted_values')
    return { accepted_values: { values: (c.kwargs.values as unknown[]).map(String), ...config } };
  if (c.type === 'relationships')
    return { relationships: { to: `ref('${String(c.kwargs.to)}')`, field: c.kwargs.field, ...config } };
  return c.severity === 'warn' ? { [c.type]: config } : c.type;
}

/** A singular test: a query returning failing rows, written against refs so dbt resolves it. */
function singularTestSql(project: CompiledProject, c: ModelTestCase): string {
  if (c.dataTest) return c.dataTest.rawCode;
  const model = `{{ ref('${c.model}') }}`;
  if (c.type === 'unique_combination') {
    const key = c.kwargs.columns as string[];
    return `-- ${c.name}: unique and not null\nselect ${key.join(', ')}, count(*) as n\nfrom ${model}\ngroup by ${key.join(', ')}\nhaving count(*) > 1 or ${key.map((k) => `${k} is null`).join(' or ')}`;
  }
  return `-- ${c.name}\nselect *\nfrom ${model}\nwhere not (${String(c.kwargs.expression)})`;
}

function modelSql(model: CompiledModel): string {
  const { definition } = model;
  const config: string[] = [`materialized='${definition.materialized}'`];
  if (definition.tags?.length) config.push(`tags=[${definition.tags.map((t) => `'${t}'`).join(', ')}]`);
  if (definition.indexes?.length)
    config.push(
      `indexes=[${definition.indexes.map((columns) => `{'columns': [${columns.map((c) => `'${c}'`).join(', ')}]}`).join(', ')}]`,
    );
  const header = `-- ${definition.name}: ${definition.grain}\n-- exported from ${model.path}; edit the TypeScript model, not this file.\n`;
  if (definition.materialized !== 'incremental' || !definition.incremental)
    return `${header}{{ config(${config.join(', ')}) }}\n\n${model.jinjaSql.trim()}\n`;
  const inc = definition.incremental;
  const key = inc.uniqueKey ?? primaryKeyOf(definition);
  config.push(`unique_key=[${key.map((k) => `'${k}'`).join(', ')}]`);
  // dbt has no ledger of batch versions: it merges the batches not yet in the table; after a
  // replay, a dictionary or a seed change, dbt needs --full-refresh (the engine decides that itself).
  const batchKey = inc.batchKey;
  return `${header}{{ config(${config.join(', ')}) }}

select * from (
${model.jinjaSql.trim()}
) as model
{% if is_incremental() %}
where model.${batchKey} not in (select distinct ${batchKey} from {{ this }})
{% endif %}
`;
}

function inputRef(input: string): string {
  const [system, table] = input.split('.');
  return table ? `source('${system}', '${table}')` : `ref('${input}')`;
}

function fixtureRows(rows: FixtureRows): unknown {
  return Array.isArray(rows) ? rows : (rows as { rows: unknown }).rows;
}
