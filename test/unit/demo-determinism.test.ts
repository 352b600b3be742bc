import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../pipelines/demo/generate.ts';

/** sha256 of every file under `root`, keyed by relative path. */
function hashTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else
        out.set(
          child,
          createHash('sha256')
            .update(readFileSync(path.join(root, child)))
            .digest('hex'),
        );
    }
  };
  walk('');
  return out;
}

const dirs: string[] = [];
const trees: Map<string, string>[] = [];
const phases: string[] = [];

beforeAll(async () => {
  for (const seed of [7, 7, 8]) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-demo-det-'));
    dirs.push(dir);
    await generateDemo({
      size: 'small',
      seed,
      outDir: dir,
      onProgress: (p) => phases.push(`${p.phase} ${p.done}/${p.total}`),
    });
    trees.push(hashTree(dir));
  }
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('generateDemo determinism', () => {
  it('writes byte-identical files for the same seed', () => {
    const [a, b] = trees;
    expect(a?.size).toBeGreaterThan(500);
    expect([...(b?.keys() ?? [])]).toEqual([...(a?.keys() ?? [])]);
    for (const [file, hash] of a ?? []) expect(b?.get(file), file).toBe(hash);
  });

  it('writes different data for a different seed, with the same dictionaries', () => {
    const [a, , c] = trees;
    expect([...(c?.keys() ?? [])]).toEqual([...(a?.keys() ?? [])]);
    const changed = [...(a ?? [])].filter(([file, hash]) => c?.get(file) !== hash).map(([file]) => file);
    expect(changed).toContain('H32090200001/his/charge_lines_2025-01.csv');
    expect(changed).toContain('_ground_truth/defects.csv');
    expect(changed).toContain('_ground_truth/cases.csv');
    expect(changed).toContain('H32090300002/erp/cost_ledger_2025-03.csv');
    // Master data does not depend on the seed.
    expect(changed).not.toContain('H32090200001/his/departments.csv');
    expect(changed).not.toContain('H32092500021/his/charge_items.csv');
  });

  it('reports progress up to completion', () => {
    expect(phases[0]).toBe('dictionaries 0/70');
    expect(phases.filter((p) => p === 'ground_truth 70/70')).toHaveLength(3);
  });
});
