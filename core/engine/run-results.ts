import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelRunResult } from './build-models.ts';
import type { CompiledProject } from './compile-models.ts';
import type { TestResult } from './test-models.ts';

/** What one `hdw build` / `hdw test` invocation did, for `target/run_results.json`. */
export interface RunRecord {
  readonly command: 'build' | 'test' | 'run';
  readonly startedAt: Date;
  readonly models?: readonly ModelRunResult[];
  readonly tests?: readonly TestResult[];
  readonly select?: string;
}

/**
 * Writes `run_results.json` in dbt's shape (schema v6: metadata, one result per node with status,
 * timing, rows, message, failures), so tools that read dbt's artifacts read ours. Returns its path.
 */
export async function writeRunResults(
  project: CompiledProject,
  run: RunRecord,
  targetDir: string,
): Promise<string> {
  const finishedAt = new Date();
  const compiled = new Map(project.models.map((m) => [m.definition.name, m]));
  const results = [
    ...(run.models ?? []).map((m) => ({
      unique_id: `model.${project.name}.${m.model}`,
      status: m.status,
      execution_time: m.durationMs / 1000,
      timing: [],
      thread_id: 'Thread-1',
      adapter_response: m.rows === undefined ? {} : { rows_affected: m.rows },
      message:
        m.message ??
        (m.status === 'success'
          ? `${m.materialized ?? 'built'}${m.rows === undefined ? '' : ` ${m.rows} rows`}`
          : null),
      failures: null,
      compiled: true,
      compiled_code: compiled.get(m.model)?.sql ?? null,
      relation_name: compiled.get(m.model)?.relation ?? null,
    })),
    ...(run.tests ?? []).map((t) => ({
      unique_id: `test.${project.name}.${t.id ?? t.test}`,
      status: t.status,
      execution_time: (t.durationMs ?? 0) / 1000,
      timing: [],
      thread_id: 'Thread-1',
      adapter_response: {},
      message:
        t.message ?? (t.status === 'pass' ? null : `${t.failures} failing rows: ${JSON.stringify(t.sample)}`),
      failures: t.failures,
      compiled: true,
      compiled_code: null,
      relation_name: null,
    })),
  ];
  const document = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      dbt_version: '1.8.0',
      generated_at: finishedAt.toISOString(),
      invocation_id: randomUUID(),
      env: {},
    },
    results,
    elapsed_time: (finishedAt.getTime() - run.startedAt.getTime()) / 1000,
    args: { which: run.command, select: run.select ? run.select.split(/\s+/) : [] },
  };
  await mkdir(targetDir, { recursive: true });
  const file = path.join(targetDir, 'run_results.json');
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}
