/** A raw table a source system delivers. */
export interface SourceTableDefinition {
  readonly description: string;
  readonly columns?: Readonly<Record<string, { readonly description: string; readonly pii?: boolean }>>;
}

/**
 * How stale a source may get: its newest batch (`ops.batches.loaded_at` of its loaded batches)
 * older than `warnAfterHours` warns, older than `errorAfterHours` fails. Evaluated per source table
 * and hospital by `hdw source freshness` (core/engine/source-freshness.ts).
 */
export interface FreshnessExpectation {
  readonly warnAfterHours: number;
  readonly errorAfterHours: number;
}

/**
 * One source system's raw tables, declared once in `models/sources/<system>.ts` (`export default
 * defineSources({...})`). `source(system, table)` resolves only against these, so a typo fails
 * compilation instead of the build. Tables live in `raw_<system>` unless `schema` says otherwise.
 */
export interface SourceDefinition {
  readonly system: string;
  readonly description: string;
  readonly schema?: string;
  /** The column that says when a row arrived; the freshness check reads it via ops.batches. */
  readonly loadedAtField?: string;
  readonly freshness?: FreshnessExpectation;
  readonly tables: Readonly<Record<string, SourceTableDefinition>>;
}

/** Identity helper that gives source files type checking and editor help. */
export function defineSources(source: SourceDefinition): SourceDefinition {
  return source;
}

/** The schema a source system's tables live in. */
export function sourceSchema(source: SourceDefinition): string {
  return source.schema ?? `raw_${source.system}`;
}
