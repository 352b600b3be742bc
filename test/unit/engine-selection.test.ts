import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProject, type CompiledProject } from '../../core/engine/compile-models.ts';
import { runInDependencyOrder } from '../../core/engine/scheduler.ts';
import { SelectionError, selectModels } from '../../core/engine/selection.ts';
import { writeFixtureModel, writeFixtureSources } from '../data/engine-fixtures/fixture-project.ts';

let root: string;
let project: CompiledProject;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hdw-engine-select-'));
  const models = path.join(root, 'models');
  await writeFixtureSources(models, 'his', ['a', 'b']);
  await writeFixtureModel(models, 'staging/his', {
    name: 'stg_his__a',
    sql: 'select * from ${source("his", "a")}',
  });
  await writeFixtureModel(models, 'staging/his', {
    name: 'stg_his__b',
    sql: 'select * from ${source("his", "b")}',
  });
  await writeFixtureModel(models, 'intermediate/cost', {
    name: 'int_ab',
    tags: ['daily'],
    sql: 'select * from ${ref("stg_his__a")} join ${ref("stg_his__b")} using (id)',
  });
  await writeFixtureModel(models, 'marts/cost', {
    name: 'fct_cost',
    materialized: 'table',
    sql: 'select * from ${ref("int_ab")}',
  });
  await writeFixtureModel(models, 'marts/charges', {
    name: 'fct_charges',
    materialized: 'table',
    tags: ['daily'],
    sql: 'select * from ${ref("stg_his__b")}',
  });
  project = await compileProject(models, []);
});
afterAll(async () => rm(root, { recursive: true, force: true }));

const names = (selection?: string) => selectModels(project, selection).map((m) => m.definition.name);

describe('selection', () => {
  it('selects everything by default, in dependency order', () => {
    const all = names();
    expect(all).toHaveLength(5);
    expect(all.indexOf('stg_his__a')).toBeLessThan(all.indexOf('int_ab'));
    expect(all.indexOf('int_ab')).toBeLessThan(all.indexOf('fct_cost'));
  });
  it('name, +name, name+, +name+', () => {
    expect(names('int_ab')).toEqual(['int_ab']);
    expect(names('+int_ab').sort()).toEqual(['int_ab', 'stg_his__a', 'stg_his__b']);
    expect(names('stg_his__b+').sort()).toEqual(['fct_charges', 'fct_cost', 'int_ab', 'stg_his__b']);
    expect(names('+int_ab+').sort()).toEqual(['fct_cost', 'int_ab', 'stg_his__a', 'stg_his__b']);
  });
  it('tag:x, path:folder and unions by space', () => {
    expect(names('tag:daily').sort()).toEqual(['fct_charges', 'int_ab']);
    expect(names('path:models/marts/cost')).toEqual(['fct_cost']);
    expect(names('path:models/staging').sort()).toEqual(['stg_his__a', 'stg_his__b']);
    expect(names('fct_cost path:models/marts/charges').sort()).toEqual(['fct_charges', 'fct_cost']);
  });
  it('rejects a selector that matches nothing', () => {
    expect(() => names('nope')).toThrow(SelectionError);
    expect(() => names('tag:nope')).toThrow(/matches no model/);
  });
});

describe('scheduler', () => {
  it('runs a task only after its parents, at most `threads` at once, and skips below a failure', async () => {
    const parents: Record<string, string[]> = { a: [], b: [], c: ['a'], d: ['c'], e: ['b'] };
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    await runInDependencyOrder(
      Object.keys(parents),
      (n) => parents[n]!,
      2,
      async (name, failed) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        seen.push(failed ? `${name}:skipped(${failed})` : name);
        return name !== 'a';
      },
    );
    expect(peak).toBe(2);
    expect(seen).toContain('c:skipped(a)');
    expect(seen).toContain('d:skipped(c)');
    expect(seen).toContain('e');
    expect(seen.indexOf('b')).toBeLessThan(seen.indexOf('e'));
  });
});
