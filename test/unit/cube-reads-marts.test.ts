/**
 * Cube reads marts only: no cube's `sql_table` or `sql` (nor any member's SQL) names a relation in
 * `ops`, the load ledger. Data-quality figures come from the `fct_data_quality_*` marts, so Cube,
 * a BI tool on PostgreSQL and `hdw exceptions` give the same numbers. Refresh keys may still watch
 * ops.job_runs: they decide when to re-read, not what is read.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';

/** The YAML text without comments and without `refresh_key:` blocks (everything indented under one). */
function readSql(yaml: string): string {
  const kept: string[] = [];
  let skipUnder: number | undefined;
  for (const line of yaml.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (skipUnder !== undefined && (line.trim() === '' || indent > skipUnder)) continue;
    skipUnder = undefined;
    if (/^\s*refresh_key:/.test(line)) {
      skipUnder = indent;
      continue;
    }
    kept.push(line.replace(/\s#.*$/, '').replace(/^\s*#.*$/, ''));
  }
  return kept.join('\n');
}

describe('the Cube data model', () => {
  it('reads no ops relation: every cube reads a mart or a shared relation', async () => {
    const dir = path.join(projectPaths.cubeModel, 'cubes');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.yml')).sort();
    expect(files.length).toBeGreaterThan(0);
    const offending: string[] = [];
    const tables: string[] = [];
    for (const file of files) {
      const text = readSql(await readFile(path.join(dir, file), 'utf8'));
      for (const match of text.matchAll(/\bops\.\w+/gi)) offending.push(`${file}: ${match[0]}`);
      // `sql: select * from marts.x` where an original_sql pre-aggregation needs the cube's sql.
      for (const match of text.matchAll(/^\s*(?:sql_table:|sql: select \* from)\s+(\S+)\s*$/gm))
        tables.push(`${file}: ${match[1]}`);
    }
    expect(offending).toEqual([]);
    expect(tables.filter((t) => !/: (marts|shared)\./.test(t))).toEqual([]);
    expect(tables.filter((t) => t.includes('data_quality/'))).toHaveLength(
      files.filter((f) => f.includes('data_quality/')).length,
    );
  });

  it('finds an ops relation where one is read (the check itself works)', () => {
    const cube =
      'cubes:\n  - name: x\n    sql: >\n      SELECT * FROM ops.exceptions\n    refresh_key:\n      sql: select max(run_id) from ops.job_runs\n';
    expect(readSql(cube)).toMatch(/ops\.exceptions/);
    expect(readSql(cube)).not.toMatch(/ops\.job_runs/);
  });
});
