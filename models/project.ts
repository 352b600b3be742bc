import { defineProject } from '../core/engine/project-definition.ts';

/** The project's name (manifest, dbt export) and the variables models read with `var()`, with their defaults. */
export default defineProject({
  name: 'hospital_dw',
  vars: {},
});
