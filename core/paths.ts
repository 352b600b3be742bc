import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (where package.json is), whatever the current directory. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folders found by path, never imported: models, seeds, the Cube data model, the dashboard. */
export const projectPaths = {
  models: path.join(projectRoot, 'models'),
  seeds: path.join(projectRoot, 'seeds'),
  cubeModel: path.join(projectRoot, 'cube', 'model'),
  web: path.join(projectRoot, 'web'),
  target: path.join(projectRoot, 'target'),
} as const;
