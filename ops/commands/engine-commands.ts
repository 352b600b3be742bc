import path from 'node:path';
import { exportDbtProject } from '../../core/engine/dbt-export.ts';
import { writeDocsSite } from '../../core/engine/docs-site.ts';
import { writeManifest } from '../../core/engine/manifest.ts';
import { checkProjectColumns } from '../../core/engine/model-columns.ts';
import { selectModels } from '../../core/engine/selection.ts';
import { projectPaths } from '../../core/paths.ts';
import {
  buildStage,
  loadProject,
  publishStage,
  testStage,
  type RunSelection,
} from '../../pipelines/run-pipeline.ts';
import { withWarehouse } from '../context.ts';
import { printPipelineSummary } from './print-summary.ts';

/** Options shared by the model commands (`--select`, `--threads`, `--full-refresh`, `--target-dir`). */
export interface EngineCommandOptions extends RunSelection {
  readonly targetDir?: string;
}

const targetOf = (opts: EngineCommandOptions) => path.resolve(opts.targetDir ?? projectPaths.target);

/**
 * `hdw build`: builds the selected models into the audit schemas, tests them there and publishes
 * them if no `error` test fails; writes run_results.json and manifest.json. Returns whether it published.
 */
export async function buildCommand(opts: EngineCommandOptions): Promise<boolean> {
  const project = await loadProject();
  const targetDir = targetOf(opts);
  const build = await withWarehouse(
    async (w, ctx) => {
      const result = await buildStage({ pool: w.pool, ...ctx, targetDir }, project, opts);
      if (result.publication === 'published') await publishStage({ pool: w.pool, ...ctx });
      return result;
    },
    { lock: 'build' },
  );
  await writeManifest(project, targetDir);
  printPipelineSummary({ ...build, semanticViewsFailed: build.security.semanticViewsFailed });
  return build.publication === 'published' && build.models.every((m) => m.status === 'success');
}

/** `hdw test`: runs the tests of the selected models. Returns whether all passed. */
export async function testCommand(opts: EngineCommandOptions): Promise<boolean> {
  const project = await loadProject();
  const targetDir = targetOf(opts);
  const tests = await withWarehouse((w, ctx) =>
    testStage({ pool: w.pool, ...ctx, targetDir }, project, undefined, opts),
  );
  printPipelineSummary({ tests });
  return tests.every((t) => t.status === 'pass' || t.status === 'warn');
}

/** `hdw ls`: the selected models, one per line (name, materialization, path); no database needed. */
export async function lsCommand(
  opts: EngineCommandOptions,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const project = await loadProject();
  for (const m of selectModels(project, opts.select))
    write(`${m.definition.name.padEnd(44)} ${m.definition.materialized.padEnd(12)} ${m.path}\n`);
}

/**
 * `hdw compile`: prints the compiled SQL of the selected models and writes manifest.json; no
 * database needed. With `--check`, also describes each model's SQL in the warehouse and fails,
 * naming model and column, where the columns returned differ from those declared.
 */
export async function compileCommand(
  opts: EngineCommandOptions & { readonly check?: boolean },
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const project = await loadProject();
  const models = selectModels(project, opts.select);
  for (const m of models)
    write(`-- ${m.definition.name} (${m.definition.materialized}) ${m.path}\n${m.sql.trim()};\n\n`);
  await writeManifest(project, targetOf(opts));
  if (opts.check) await withWarehouse((w) => checkProjectColumns(w.pool, models));
}

/** `hdw docs`: writes the static docs site to `<target>/docs`; returns its index.html. */
export async function docsCommand(opts: EngineCommandOptions): Promise<string> {
  const project = await loadProject();
  const file = await writeDocsSite(project, path.join(targetOf(opts), 'docs'));
  process.stdout.write(`docs written: ${file}\n`);
  return file;
}

/** `hdw dbt export <dir>`: writes the equivalent dbt project. */
export async function dbtExportCommand(dir: string): Promise<void> {
  const project = await loadProject();
  const result = await exportDbtProject(project, path.resolve(dir), { seedsDir: projectPaths.seeds });
  process.stdout.write(
    `dbt project written to ${path.resolve(dir)}: ${result.files.length} files, ${Object.keys(result.tests).length} tests\n`,
  );
}
