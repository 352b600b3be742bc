import type { SourceDefinition } from '../ingest/source-definition.ts';
import { benchmarkSources } from './benchmark/index.ts';
import { emrSources } from './emr/index.ts';
import { erpSources } from './erp/index.ts';
import { hisSources } from './his/index.ts';
import { insuranceSources } from './insurance/index.ts';
import { labSources } from './lab/index.ts';

/** Every source the warehouse ingests, in no particular order (`after` decides the load order). */
export const allSources: readonly SourceDefinition[] = [
  ...hisSources,
  ...emrSources,
  ...insuranceSources,
  ...erpSources,
  ...labSources,
  ...benchmarkSources,
];
