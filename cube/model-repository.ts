import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A model file as Cube's compiler wants it: a path relative to the model folder and its text. */
export interface ModelFile {
  readonly fileName: string;
  readonly content: string;
}

/** The repository interface Cube's compiler reads the data model through. */
export interface ModelRepository {
  localPath(): string;
  dataSchemaFiles(): Promise<ModelFile[]>;
}

const modelExtensions = ['.yml', '.yaml', '.js'];

/**
 * The data model read from an absolute folder. Cube's own FileRepository joins its path onto
 * process.cwd(), which breaks as soon as `hdw serve` runs from anywhere but the repository root.
 */
export function createModelRepository(modelPath: string): ModelRepository {
  const root = path.resolve(modelPath);
  return {
    localPath: () => root,
    async dataSchemaFiles() {
      const names = (await listFiles(root, '')).sort();
      return Promise.all(
        names.map(async (fileName) => ({
          fileName,
          content: await readFile(path.join(root, fileName), 'utf8'),
        })),
      );
    },
  };
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, relative)));
    else if (entry.isFile() && modelExtensions.includes(path.extname(entry.name))) out.push(relative);
  }
  return out;
}
