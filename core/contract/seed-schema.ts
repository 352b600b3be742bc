import type { ColumnSpec } from './columns.ts';

/**
 * The row schema of a seed (`seeds/<domain>/<name>.csv`), kept beside it as `<name>.schema.ts`.
 * Seeds load into `ref.<name>`.
 */
export interface SeedSchema {
  readonly description: string;
  readonly key: string;
  readonly columns: readonly ColumnSpec[];
}
