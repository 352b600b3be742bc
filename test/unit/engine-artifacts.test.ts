import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledProject } from '../../core/engine/compile-models.ts';
import { exportDbtProject, type DbtExport } from '../../core/engine/dbt-export.ts';
import { writeDocsSite } from '../../core/engine/docs-site.ts';
import { buildManifest } from '../../core/engine/manifest.ts';
import { testCasesOf } from '../../core/engine/model-tests.ts';
import { projectPaths } from '../../core/paths.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';

let project: CompiledProject;
let out: string;
let exported: DbtExport;
const dbt = () => path.join(out, 'dbt');

beforeAll(async () => {
  project = await loadProject();
  out = await mkdtemp(path.join(os.tmpdir(), 'hdw-engine-artifacts-'));
  exported = await exportDbtProject(project, dbt(), { seedsDir: projectPaths.seeds });
});
afterAll(async () => rm(out, { recursive: true, force: true }));

describe('manifest.json', () => {
  it("has dbt's shape: nodes, sources, parent and child maps that agree, columns, tests, code", () => {
    const manifest = buildManifest(project);
    expect(manifest.metadata.dbt_schema_version).toMatch(/manifest\/v12/);
    const fct = manifest.nodes['model.hospital_dw.fct_department_charges_monthly']!;
    expect(fct).toMatchObject({
      resource_type: 'model',
      config: { materialized: 'table' },
      original_file_path: 'models/marts/charges/fct_department_charges_monthly.ts',
    });
    expect((fct.depends_on as { nodes: string[] }).nodes).toEqual([
      'model.hospital_dw.int_charge_lines__standardised',
      'model.hospital_dw.dim_hospitals',
    ]);
    expect(String(fct.raw_code)).toContain("{{ ref('dim_hospitals') }}");
    // the Chinese titles BI users see travel in the columns' meta
    expect((fct.columns as Record<string, { meta: object }>).hospital_name!.meta).toEqual({
      title: '医院名称',
    });
    expect(String(fct.compiled_code)).toContain('"marts"."dim_hospitals"');
    const stg = manifest.nodes['model.hospital_dw.stg_his__inpatient_visits']!;
    expect((stg.columns as Record<string, { tags: string[] }>).patient_id!.tags).toEqual(['pii']);
    expect(manifest.sources['source.hospital_dw.his.charge_lines']).toMatchObject({
      source_name: 'his',
      schema: 'raw_his',
      freshness: { warn_after: { period: 'hour' } },
    });
    expect(manifest.nodes['seed.hospital_dw.hospitals']).toBeDefined();
    const all = new Set([...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)]);
    for (const [child, parents] of Object.entries(manifest.parent_map)) {
      for (const parent of parents) {
        expect(all.has(parent), `${child} → ${parent}`).toBe(true);
        expect(manifest.child_map[parent]).toContain(child);
      }
    }
    const tests = Object.values(manifest.nodes).filter(
      (n) => n.resource_type === 'test' || n.resource_type === 'unit_test',
    );
    expect(tests).toHaveLength(testCasesOf(project).length);
  });
});

describe('dbt export', () => {
  it('writes dbt_project.yml, one .sql per model with config, and every ref resolves to an exported model or seed', async () => {
    const projectYml = await readFile(path.join(dbt(), 'dbt_project.yml'), 'utf8');
    expect(projectYml).toMatch(/^name: "hospital_dw"$/m);
    expect(projectYml).toMatch(/config-version: 2/);
    const sqlFiles = exported.files.filter((f) => f.startsWith('models/') && f.endsWith('.sql'));
    expect(sqlFiles).toHaveLength(project.models.length);
    const exportedModels = new Set(sqlFiles.map((f) => path.basename(f, '.sql')));
    const seeds = new Set(
      exported.files.filter((f) => f.startsWith('seeds/')).map((f) => path.basename(f, '.csv')),
    );
    expect([...seeds].sort()).toEqual([...project.seeds].sort());
    const sourcesYml = await readFile(path.join(dbt(), 'models/sources.yml'), 'utf8');
    for (const file of [...sqlFiles, ...exported.files.filter((f) => f.startsWith('tests/'))]) {
      const text = await readFile(path.join(dbt(), file), 'utf8');
      if (file.startsWith('models/'))
        expect(text, file).toMatch(/^\{\{ config\(materialized='(view|table|incremental|ephemeral)'/m);
      for (const [, name] of text.matchAll(/\{\{ ref\('(\w+)'\) \}\}/g))
        expect(exportedModels.has(name!) || seeds.has(name!), `${file}: ref ${name}`).toBe(true);
      for (const [, system, table] of text.matchAll(/\{\{ source\('(\w+)', '(\w+)'\) \}\}/g)) {
        expect(sourcesYml, `${file}: source ${system}.${table}`).toMatch(
          new RegExp(`- name: "${system}"[\\s\\S]*- name: "${table}"`),
        );
      }
      expect(text).not.toMatch(/"(staging|intermediate|marts|raw_his|ref)"\."/);
    }
    const incremental = await readFile(
      path.join(dbt(), 'models/intermediate/charges/int_charge_lines__standardised.sql'),
      'utf8',
    );
    expect(incremental).toContain("unique_key=['hospital_code', 'charge_line_id']");
    expect(incremental).toContain('{% if is_incremental() %}');
    expect(incremental).toContain("indexes=[{'columns': ['hospital_code', 'visit_id']}]");
  });

  it('declares every test where dbt reads it: generic tests in a schema.yml beside the model, singular tests in tests/', async () => {
    const cases = testCasesOf(project);
    expect(Object.keys(exported.tests).sort()).toEqual(cases.map((c) => c.id).sort());
    for (const c of cases) {
      const file = exported.tests[c.id]!;
      const model = project.models.find((m) => m.definition.name === c.model);
      if (['unique', 'not_null', 'accepted_values', 'relationships', 'unit'].includes(c.type)) {
        expect(file, c.id).toBe(`${path.posix.dirname(model!.path)}/schema.yml`);
        const yml = await readFile(path.join(dbt(), file), 'utf8');
        expect(yml).toContain(`- name: "${c.model}"`);
        if (c.type === 'relationships') expect(yml).toContain(`to: "ref('${String(c.kwargs.to)}')"`);
        if (c.type === 'unit') expect(yml).toMatch(/unit_tests:\n  - name: /);
      } else {
        expect(file, c.id).toMatch(/^tests\/\w+\.sql$/);
      }
    }
    // the folder tree dbt reads: every schema.yml sits next to the .sql of the models it describes
    for (const file of exported.files.filter((f) => f.endsWith('schema.yml'))) {
      const yml = await readFile(path.join(dbt(), file), 'utf8');
      const siblings = (await readdir(path.join(dbt(), path.dirname(file))))
        .filter((f) => f.endsWith('.sql'))
        .map((f) => path.basename(f, '.sql'));
      for (const [, name] of yml.matchAll(/^ {2}- name: "(\w+)"\n {4}description/gm))
        expect(siblings, `${file}: ${name}`).toContain(name);
    }
  });
});

describe('docs site', () => {
  it('writes one static page with every model, its grain, columns, tests, SQL and an inline lineage graph', async () => {
    const file = await writeDocsSite(project, path.join(out, 'docs'));
    const html = await readFile(file, 'utf8');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    for (const m of project.models) {
      expect(html).toContain(`id="model-${m.definition.name}"`);
      expect(html).toContain(m.definition.grain);
    }
    expect(html).toContain('PII');
    expect(html).toContain('<td>医院名称</td>');
    expect(JSON.parse(await readFile(path.join(out, 'docs', 'manifest.json'), 'utf8')).nodes).toBeDefined();
  });
});
