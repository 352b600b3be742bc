import { defineProject } from '../core/engine/project-definition.ts';

/** The project's name (manifest, dbt export) and the variables models read with `var()`, with their defaults. */
export default defineProject({
  name: 'hospital_dw',
  vars: {
    // The calendar dimensions span these dates (inclusive); widen them when older data is loaded.
    calendar_start: '2020-01-01',
    calendar_end: '2030-12-31',
  },
});
