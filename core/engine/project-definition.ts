import type { Scalar } from './model-definition.ts';

/**
 * The project's own settings, in `models/project.ts` (`export default defineProject({...})`):
 * its name (used in the manifest and the dbt export) and the variables models read with `var()`,
 * each with its default; callers may override them per run.
 */
export interface ProjectDefinition {
  readonly name: string;
  readonly vars: Readonly<Record<string, Scalar>>;
}

export function defineProject(project: ProjectDefinition): ProjectDefinition {
  return project;
}

export const defaultProject: ProjectDefinition = { name: 'hospital_dw', vars: {} };
