import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import { primaryKeyOf } from './model-definition.ts';
import { testCasesOf } from './model-tests.ts';
import { sourceSchema } from './source-definition.ts';

/** The dbt manifest (schema v12) fields we fill; dbt-aware tools (catalogs, lineage viewers) read these. */
export interface Manifest {
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly nodes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly sources: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly parent_map: Readonly<Record<string, readonly string[]>>;
  readonly child_map: Readonly<Record<string, readonly string[]>>;
  readonly [key: string]: unknown;
}

/**
 * Describes the project the way dbt's `manifest.json` does: models, seeds and tests as nodes,
 * sources, and the parent and child maps, with columns, descriptions, pii tags, raw and compiled
 * SQL. Unique ids follow dbt: `model.<project>.<name>`, `source.<project>.<system>.<table>`.
 */
export function buildManifest(project: CompiledProject, generatedAt = new Date()): Manifest {
  const p = project.name;
  const modelId = (name: string) =>
    project.seeds.includes(name) && !project.models.some((m) => m.definition.name === name)
      ? `seed.${p}.${name}`
      : `model.${p}.${name}`;
  const nodes: Record<string, Record<string, unknown>> = {};
  const parentMap: Record<string, string[]> = {};

  for (const model of project.models) {
    const id = `model.${p}.${model.definition.name}`;
    const dependsOn = [...model.refs.map(modelId), ...model.sources.map((s) => `source.${p}.${s}`)];
    nodes[id] = modelNode(project, model, id, dependsOn);
    parentMap[id] = dependsOn;
  }
  for (const seed of project.seeds) {
    const id = `seed.${p}.${seed}`;
    nodes[id] = {
      unique_id: id,
      resource_type: 'seed',
      package_name: p,
      name: seed,
      fqn: [p, seed],
      schema: 'ref',
      database: null,
      alias: seed,
      path: `${seed}.csv`,
      original_file_path: `seeds/${seed}.csv`,
      relation_name: `"ref"."${seed}"`,
      config: { enabled: true, materialized: 'seed' },
      depends_on: { macros: [], nodes: [] },
      columns: {},
      description: '',
      tags: [],
    };
    parentMap[id] = [];
  }
  for (const test of testCasesOf(project)) {
    const id = `test.${p}.${test.id}`;
    const dependsOn = test.dependsOn.map(modelId);
    nodes[id] = {
      unique_id: id,
      resource_type: test.type === 'unit' ? 'unit_test' : 'test',
      package_name: p,
      name: test.id,
      fqn: [p, test.id],
      schema: 'dbt_test__audit',
      database: null,
      path: test.dataTest ? `${test.dataTest.name}.sql` : `${test.id}.sql`,
      original_file_path:
        test.dataTest?.file ??
        (test.model ? project.models.find((m) => m.definition.name === test.model)?.path : undefined) ??
        '',
      attached_node: test.model ? `model.${p}.${test.model}` : null,
      column_name: test.column ?? null,
      test_metadata:
        test.type === 'data' || test.type === 'unit'
          ? undefined
          : { name: test.type, kwargs: { column_name: test.column, ...test.kwargs }, namespace: null },
      config: { enabled: true, severity: test.severity.toUpperCase(), materialized: 'test' },
      depends_on: { macros: [], nodes: dependsOn },
      raw_code: test.dataTest?.rawCode ?? '',
      compiled_code: test.failing ?? test.unit?.sql ?? '',
      description: test.name,
      tags: [],
    };
    parentMap[id] = dependsOn;
  }

  const sources: Record<string, Record<string, unknown>> = {};
  for (const { definition, path: file } of project.sources) {
    for (const [table, spec] of Object.entries(definition.tables)) {
      const id = `source.${p}.${definition.system}.${table}`;
      sources[id] = {
        unique_id: id,
        resource_type: 'source',
        package_name: p,
        source_name: definition.system,
        name: table,
        identifier: table,
        fqn: [p, definition.system, table],
        schema: sourceSchema(definition),
        database: null,
        relation_name: `"${sourceSchema(definition)}"."${table}"`,
        path: file,
        original_file_path: file,
        source_description: definition.description,
        description: spec.description,
        loaded_at_field: definition.loadedAtField ?? null,
        freshness: definition.freshness
          ? {
              warn_after: { count: definition.freshness.warnAfterHours, period: 'hour' },
              error_after: { count: definition.freshness.errorAfterHours, period: 'hour' },
            }
          : null,
        columns: Object.fromEntries(
          Object.entries(spec.columns ?? {}).map(([c, col]) => [
            c,
            {
              name: c,
              description: col.description,
              tags: col.pii ? ['pii'] : [],
              meta: {},
              data_type: null,
            },
          ]),
        ),
        tags: [],
      };
      parentMap[id] = [];
    }
  }

  const childMap: Record<string, string[]> = Object.fromEntries(Object.keys(parentMap).map((id) => [id, []]));
  for (const [child, parents] of Object.entries(parentMap))
    for (const parent of parents) (childMap[parent] ??= []).push(child);
  for (const list of Object.values(childMap)) list.sort();

  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.8.0',
      generated_at: generatedAt.toISOString(),
      project_name: p,
      adapter_type: 'postgres',
      env: {},
    },
    nodes,
    sources,
    macros: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
    parent_map: parentMap,
    child_map: childMap,
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
}

function modelNode(
  project: CompiledProject,
  model: CompiledModel,
  id: string,
  dependsOn: readonly string[],
): Record<string, unknown> {
  const { definition } = model;
  const inc = definition.incremental;
  return {
    unique_id: id,
    resource_type: 'model',
    package_name: project.name,
    name: definition.name,
    fqn: [
      project.name,
      ...model.path
        .replace(/^models\//, '')
        .replace(/\.ts$/, '')
        .split('/'),
    ],
    schema: model.schema,
    database: null,
    alias: definition.name,
    relation_name: definition.materialized === 'ephemeral' ? null : `"${model.schema}"."${definition.name}"`,
    path: model.path.replace(/^models\//, '').replace(/\.ts$/, '.sql'),
    original_file_path: model.path,
    description: definition.description,
    config: {
      enabled: true,
      materialized: definition.materialized,
      unique_key:
        definition.materialized === 'incremental' ? (inc?.uniqueKey ?? primaryKeyOf(definition)) : null,
      tags: definition.tags ?? [],
      meta: { grain: definition.grain, primary_key: primaryKeyOf(definition) },
    },
    tags: definition.tags ?? [],
    meta: { grain: definition.grain, primary_key: primaryKeyOf(definition) },
    columns: Object.fromEntries(
      Object.entries(definition.columns).map(([c, col]) => [
        c,
        {
          name: c,
          description: col.description,
          tags: col.pii ? ['pii'] : [],
          // Cube titles and formats travel in meta, where dbt keeps what it does not know itself.
          meta: {
            ...(col.pii && { pii: true }),
            ...(col.title && { title: col.title }),
            ...(col.format && { format: col.format }),
          },
          data_type: col.type ?? null,
        },
      ]),
    ),
    depends_on: { macros: [], nodes: dependsOn },
    refs: model.refs.map((name) => ({ name, package: null, version: null })),
    sources: model.sources.map((s) => s.split('.')),
    raw_code: model.jinjaSql,
    compiled_code: model.sql,
    compiled: true,
    language: 'sql',
  };
}

/** Writes `manifest.json` into the target folder; returns its path. */
export async function writeManifest(project: CompiledProject, targetDir: string): Promise<string> {
  await mkdir(targetDir, { recursive: true });
  const file = path.join(targetDir, 'manifest.json');
  await writeFile(file, `${JSON.stringify(buildManifest(project), null, 2)}\n`);
  return file;
}
