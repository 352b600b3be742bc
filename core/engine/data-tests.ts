import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compileSql } from '../db/compile.ts';
import type { Resolver } from './compile-models.ts';
import type { CompileProblem } from './load-definitions.ts';
import type { Severity } from './model-definition.ts';

/**
 * A custom SQL test: a query in `test/data/<name>.sql` returning the rows that break a rule, written
 * with dbt's `{{ ref('…') }}`, `{{ source('…', '…') }}` and `{{ var('…') }}` so the same file
 * works in the dbt export. It belongs to the first model it refs.
 */
export interface CompiledDataTest {
  readonly name: string;
  readonly file: string;
  /** The model it is reported under; undefined when it reads only seeds or sources. */
  readonly model?: string;
  readonly refs: readonly string[];
  readonly sql: string;
  readonly rawCode: string;
  /** From `{{ config(severity='warn') }}` in the file, as dbt writes it; default `error`. */
  readonly severity: Severity;
}

const configCall = /\{\{\s*config\(\s*severity\s*=\s*'(error|warn)'\s*\)\s*\}\}/i;

const placeholder = /\{\{\s*(ref|source|var)\(\s*'([^']+)'\s*(?:,\s*'([^']+)'\s*)?\)\s*\}\}/g;

/** Compiles every `*.sql` of the folder (none when it does not exist). */
export async function compileDataTests(
  dir: string,
  resolverFor: (file: string) => Resolver,
  problems: CompileProblem[],
): Promise<CompiledDataTest[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const tests: CompiledDataTest[] = [];
  for (const name of names.filter((n) => n.endsWith('.sql')).sort()) {
    const full = path.join(dir, name);
    const file = path.relative(process.cwd(), full);
    const rawCode = (await readFile(full, 'utf8')).trim().replace(/;\s*$/, '');
    const resolver = resolverFor(file);
    const refs: string[] = [];
    const severity = (configCall.exec(rawCode)?.[1]?.toLowerCase() ?? 'error') as Severity;
    const text = rawCode
      .replace(configCall, '')
      .replace(placeholder, (_match, kind: string, a: string, b?: string) => {
        if (kind === 'ref') return (refs.push(a), resolver.ref(a));
        if (kind === 'source') return resolver.source(a, b ?? '');
        return compileSql(resolver.var(a)).text;
      });
    if (refs.length === 0 && !/\{\{\s*source/.test(rawCode))
      problems.push({ file, message: 'a data test must read a model with {{ ref() }} or a source' });
    tests.push({
      name: path.basename(name, '.sql'),
      file,
      model: refs[0],
      refs: [...new Set(refs)],
      sql: text,
      rawCode,
      severity,
    });
  }
  return tests;
}
