import { loadDefinitions, type CompileProblem } from '../core/engine/load-definitions.ts';
import { projectPaths } from '../core/paths.ts';
import { cubeModelText, readCubeModel, resolveCubeModel } from '../core/semantic/cube-model.ts';

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

/**
 * The data model read from an absolute folder (Cube's own FileRepository joins its path onto
 * process.cwd(), which breaks as soon as `hdw serve` runs from anywhere but the repository root),
 * checked against the transform models of `modelsPath` and with each member's title, description
 * and format filled in from the model column it exposes (core/semantic/cube-model.ts). A member
 * that reads a column the model no longer has throws SemanticLayerError naming it.
 */
export function createModelRepository(modelPath: string, modelsPath = projectPaths.models): ModelRepository {
  return {
    localPath: () => modelPath,
    async dataSchemaFiles() {
      const problems: CompileProblem[] = [];
      const { models } = await loadDefinitions(modelsPath, problems);
      const files = resolveCubeModel(
        await readCubeModel(modelPath),
        models.map((model) => model.definition),
      );
      return files.map((file) => ({ fileName: file.fileName, content: cubeModelText(file) }));
    },
  };
}
