import type { SourceDefinition } from '../ingest/source-definition.ts';
import { hisSources } from './his/index.ts';

/** Every source the warehouse ingests, in no particular order (`after` decides the load order). */
export const allSources: readonly SourceDefinition[] = [...hisSources];
