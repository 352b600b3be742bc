import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompileError, compileProject } from '../../core/engine/compile-models.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';
import {
  writeFixtureModel,
  writeFixtureProject,
  writeFixtureSources,
} from '../data/engine-fixtures/fixture-project.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-engine-compile-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(): Promise<string[]> {
  const error = await compileProject(dir, ['hospitals']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CompileError);
  return (error as CompileError).problems.map((p) => `${path.basename(p.file)}: ${p.message}`);
}

describe('model compiler: checks', () => {
  it('reports every problem of every file together: unknown ref and source, cycle, bad name, layering, keys, duplicates, vars', async () => {
    await writeFixtureSources(dir, 'his', ['charge_lines']);
    await writeFixtureModel(dir, 'staging', {
      name: 'stg_his__charge_lines',
      sql: 'select * from ${source("his", "charge_lines")}',
    });
    await writeFixtureModel(dir, 'staging', {
      name: 'stg_his__visits',
      sql: 'select * from ${source("his", "visits")}',
    });
    await writeFixtureModel(dir, 'staging', {
      name: 'stg_his__reads_model',
      sql: 'select * from ${ref("stg_his__charge_lines")}',
    });
    await writeFixtureModel(dir, 'intermediate', { name: 'int_a', sql: 'select * from ${ref("int_b")}' });
    await writeFixtureModel(dir, 'intermediate', { name: 'int_b', sql: 'select * from ${ref("int_a")}' });
    await writeFixtureModel(dir, 'intermediate', {
      name: 'int_c',
      sql: 'select * from ${ref("nowhere")} where x = ${v("undefined_var")}',
    });
    await writeFixtureModel(dir, 'intermediate', {
      name: 'int_reads_source',
      sql: 'select * from ${source("his", "charge_lines")}',
    });
    await writeFixtureModel(dir, 'marts', {
      name: 'fct_no_key',
      materialized: 'table',
      primaryKey: [],
      sql: 'select 1 as id',
    });
    await writeFixtureModel(dir, 'marts', { name: 'orders', sql: 'select 1 as id' });
    await writeFixtureModel(dir, 'marts/other', { name: 'int_a', sql: 'select 1 as id' });
    await writeFixtureModel(dir, 'marts', {
      name: 'fct_inc',
      materialized: 'incremental',
      sql: 'select 1 as id',
    });
    const problems = await problemsOf();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/stg_his__visits.ts: source\("his", "visits"\) is not declared/),
        expect.stringMatching(/stg_his__reads_model.ts: a staging model reads other models/),
        expect.stringMatching(/int_a.ts: dependency cycle: int_a → int_b → int_a/),
        expect.stringMatching(/int_c.ts: ref\("nowhere"\) names no model or seed/),
        expect.stringMatching(/int_c.ts: var\("undefined_var"\) is not defined/),
        expect.stringMatching(/int_reads_source.ts: only staging models read sources/),
        expect.stringMatching(/fct_no_key.ts: a mart without a primary-key test/),
        expect.stringMatching(/orders.ts: model name "orders" does not start with stg_/),
        expect.stringMatching(/int_a.ts: model "int_a" is also defined in/),
        expect.stringMatching(/fct_inc.ts: an incremental model needs/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(10);
  });

  it('detects a longer cycle and names its path once', async () => {
    await writeFixtureModel(dir, 'i', { name: 'int_x', sql: 'select * from ${ref("int_y")}' });
    await writeFixtureModel(dir, 'i', { name: 'int_y', sql: 'select * from ${ref("int_z")}' });
    await writeFixtureModel(dir, 'i', { name: 'int_z', sql: 'select * from ${ref("int_x")}' });
    await writeFixtureModel(dir, 'i', { name: 'int_ok', sql: 'select 1 as id' });
    expect(await problemsOf()).toEqual([
      expect.stringMatching(/dependency cycle: int_x → int_y → int_z → int_x/),
    ]);
  });

  it('inlines ephemeral models as CTEs, inlines vars as literals, and keeps dbt jinja for export', async () => {
    await writeFixtureProject(dir, 'fixture', { min_amount: 10 });
    await writeFixtureSources(dir, 'his', ['charge_lines']);
    await writeFixtureModel(dir, 'staging', {
      name: 'stg_his__charge_lines',
      sql: 'select * from ${source("his", "charge_lines")}',
    });
    await writeFixtureModel(dir, 'intermediate', {
      name: 'int_big',
      materialized: 'ephemeral',
      sql: 'select * from ${ref("stg_his__charge_lines")} where amount >= ${v("min_amount")}',
    });
    await writeFixtureModel(dir, 'marts', {
      name: 'fct_big',
      materialized: 'table',
      sql: 'select * from ${ref("int_big")} join ${ref("hospitals")} using (id)',
    });
    const project = await compileProject(dir, ['hospitals']);
    expect(project.name).toBe('fixture');
    const fct = project.models.find((m) => m.definition.name === 'fct_big')!;
    expect(fct.sql).toMatch(
      /^with "__hdw_eph__int_big" as \(\s*select \* from "staging"."stg_his__charge_lines" where amount >= 10\s*\)/,
    );
    expect(fct.sql).toContain('"ref"."hospitals"');
    expect(fct.jinjaSql).toContain("{{ ref('int_big') }}");
    expect(project.models.find((m) => m.definition.name === 'int_big')!.jinjaSql).toContain(
      "{{ var('min_amount') }}",
    );
    expect(project.models.find((m) => m.definition.name === 'stg_his__charge_lines')!.sql).toContain(
      '"raw_his"."charge_lines"',
    );
  });
});

describe('model compiler: patient identifiers', () => {
  it('refuses a mart column tagged pii, and allows it below the marts', async () => {
    await writeFixtureSources(dir, 'his', ['visits']);
    await writeFixtureModel(dir, 'staging', {
      name: 'stg_his__visits',
      sql: 'select * from ${source("his", "visits")}',
      columns: { patient_id: { description: '患者ID', pii: true } },
    });
    await writeFixtureModel(dir, 'marts', {
      name: 'fct_visits',
      materialized: 'table',
      sql: 'select * from ${ref("stg_his__visits")}',
      columns: { patient_id: { description: '患者ID', pii: true } },
    });
    const problems = await problemsOf();
    expect(problems).toEqual([expect.stringMatching(/^fct_visits.ts: column patient_id is tagged pii/)]);
  });
});

describe('model compiler: order', () => {
  it('orders models so each comes after the models it refs, and resolves seeds and sources', async () => {
    await writeFixtureSources(dir, 'his', ['a']);
    await writeFixtureModel(dir, 'marts', {
      name: 'fct_b',
      materialized: 'table',
      sql: 'select * from ${ref("int_a")} join ${ref("hospitals")} using (id)',
    });
    await writeFixtureModel(dir, 'intermediate', { name: 'int_a', sql: 'select * from ${ref("stg_x__a")}' });
    await writeFixtureModel(dir, 'staging', { name: 'stg_x__a', sql: 'select * from ${source("his", "a")}' });
    const project = await compileProject(dir, ['hospitals']);
    expect(project.models.map((m) => m.relation)).toEqual([
      'staging.stg_x__a',
      'intermediate.int_a',
      'marts.fct_b',
    ]);
    expect(project.models[2]!.sql).toContain('"ref"."hospitals"');
    expect(project.models[0]!.sql).toContain('"raw_his"."a"');
  });

  it("compiles the project's own models with the project's seeds", async () => {
    const project = await loadProject();
    expect(project.models.map((m) => m.definition.name)).toContain('fct_department_charges_monthly');
  });
});
