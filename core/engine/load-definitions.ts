import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelDefinition } from './model-definition.ts';
import type { ProjectDefinition } from './project-definition.ts';
import type { SourceDefinition } from './source-definition.ts';

/** A problem found while compiling, with the file it is in. */
export interface CompileProblem {
  readonly file: string;
  readonly message: string;
}

export interface LoadedFile<T> {
  /** Relative to the current directory, for messages. */
  readonly file: string;
  /** Relative to the project root, POSIX separators (`models/marts/charges/fct_x.ts`). */
  readonly path: string;
  readonly definition: T;
}

export interface LoadedDefinitions {
  readonly models: readonly LoadedFile<ModelDefinition>[];
  readonly sources: readonly LoadedFile<SourceDefinition>[];
  readonly project?: LoadedFile<ProjectDefinition>;
}

/**
 * Imports every file under the models folder by path: `project.ts` is the project's settings,
 * `sources/*.ts` declare source systems, a file whose name starts with `_` is a module that models
 * import (shared column declarations, say), every other `.ts` file is one model. Files that cannot
 * be loaded become problems, so one broken file does not hide the others.
 */
export async function loadDefinitions(
  modelsDir: string,
  problems: CompileProblem[],
): Promise<LoadedDefinitions> {
  const root = path.dirname(modelsDir);
  const models: LoadedFile<ModelDefinition>[] = [];
  const sources: LoadedFile<SourceDefinition>[] = [];
  let project: LoadedFile<ProjectDefinition> | undefined;
  const files = await listTsFiles(modelsDir);
  const loaded = await Promise.all(files.map(async (full) => ({ full, result: await importDefault(full) })));
  for (const { full, result } of loaded) {
    const file = path.relative(process.cwd(), full);
    const inside = path.relative(modelsDir, full).split(path.sep).join('/');
    if ('error' in result) {
      problems.push({ file, message: result.error });
      continue;
    }
    const entry = {
      file,
      path: path.relative(root, full).split(path.sep).join('/'),
      definition: result.value,
    };
    if (inside === 'project.ts') project = entry as LoadedFile<ProjectDefinition>;
    else if (inside.startsWith('sources/')) sources.push(entry as LoadedFile<SourceDefinition>);
    else models.push(entry as LoadedFile<ModelDefinition>);
  }
  return { models, sources, project };
}

async function importDefault(file: string): Promise<{ value: never } | { error: string }> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: never };
    if (!mod.default) return { error: 'has no default export (export default defineModel({...}))' };
    return { value: mod.default };
  } catch (error) {
    return { error: `cannot be loaded: ${(error as Error).message}` };
  }
}

async function listTsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (e) =>
        e.isFile() &&
        e.name.endsWith('.ts') &&
        !e.name.startsWith('_') &&
        !e.name.endsWith('.test.ts') &&
        !e.name.endsWith('.d.ts'),
    )
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
