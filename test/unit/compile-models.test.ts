import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CompileError, compileProject } from '../../core/engine/compile-models.ts';
import { projectPaths } from '../../core/paths.ts';

const engine = path.join(process.cwd(), 'core/engine/model-definition.ts');
let dir: string;

async function model(file: string, name: string, body: string): Promise<void> {
  const full = path.join(dir, file);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(
    full,
    `import { sql } from 'kysely';
import { defineModel } from ${JSON.stringify(engine)};
export default defineModel({ name: ${JSON.stringify(name)}, materialized: 'view', description: 'd', grain: 'g',
  primaryKey: 'id', columns: { id: { description: 'id' } }, sql: ({ ref, source }) => ${body} });
`,
  );
}

async function sources(system: string, tables: readonly string[]): Promise<void> {
  await mkdir(path.join(dir, 'sources'), { recursive: true });
  await writeFile(
    path.join(dir, 'sources', `${system}.ts`),
    `export default { system: ${JSON.stringify(system)}, description: 'd', tables: ${JSON.stringify(Object.fromEntries(tables.map((t) => [t, { description: t }])))} };\n`,
  );
}

afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('model compiler', () => {
  it('orders models so each comes after the models it refs, and resolves seeds', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-models-'));
    await model(
      'marts/fct_b.ts',
      'fct_b',
      'sql`select * from ${ref("int_a")} join ${ref("hospitals")} using (id)`',
    );
    await model('intermediate/int_a.ts', 'int_a', 'sql`select * from ${ref("stg_x__a")}`');
    await model('staging/stg_x__a.ts', 'stg_x__a', 'sql`select * from ${source("his", "a")}`');
    await sources('his', ['a']);
    const project = await compileProject(dir, ['hospitals']);
    expect(project.models.map((m) => m.relation)).toEqual([
      'staging.stg_x__a',
      'intermediate.int_a',
      'marts.fct_b',
    ]);
    expect(project.models[2]!.sql).toContain('"ref"."hospitals"');
    expect(project.models[0]!.sql).toContain('"raw_his"."a"');
  });

  it('reports every problem at once, each with its file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-models-'));
    await model('a/int_a.ts', 'int_a', 'sql`select * from ${ref("int_b")}`');
    await model('a/int_b.ts', 'int_b', 'sql`select * from ${ref("int_a")}`');
    await model('a/orders.ts', 'orders', 'sql`select 1 as id`');
    await model('a/int_c.ts', 'int_c', 'sql`select * from ${ref("nowhere")}`');
    await model('a/stg_y__b.ts', 'stg_y__b', 'sql`select * from ${ref("int_c")}`');
    await model('a/int_d.ts', 'int_d', 'sql`select * from ${source("his", "x")}`');
    const error = await compileProject(dir, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompileError);
    const messages = (error as CompileError).problems.map((p) => `${path.basename(p.file)}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/int_a.ts: dependency cycle: int_a → int_b → int_a|int_b.ts: dependency cycle/),
        expect.stringMatching(/orders.ts: model name "orders" does not start with stg_/),
        expect.stringMatching(/int_c.ts: ref\("nowhere"\) names no model or seed/),
        expect.stringMatching(/stg_y__b.ts: a staging model reads other models/),
        expect.stringMatching(/int_d.ts: only staging models read sources/),
      ]),
    );
  });

  it("compiles the project's own models", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-models-'));
    const project = await compileProject(projectPaths.models, [
      'hospitals',
      'charge_categories',
      'standard_departments',
    ]);
    expect(project.models.map((m) => m.definition.name)).toContain('fct_department_charges_monthly');
  });
});
