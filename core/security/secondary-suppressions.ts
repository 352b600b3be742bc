import type pg from 'pg';
import { complementarySuppression, type SuppressionCell } from './complementary-suppression.ts';
import type { SharedRelation } from './shared-relations.ts';
import type { SharingPolicy } from './sharing-policy.ts';

/**
 * The cells suppressed to protect others, by shared relation. Granted to no one: the shared views
 * read it with their owner's rights, so which cells are secondary stays as hidden as their figures.
 */
export const secondarySuppressionsTable = 'shared.secondary_suppressions';

/** The subquery of a relation's secondarily suppressed cell ids, for its view's SQL. */
export function secondarySuppressionsOf(relation: string): string {
  return `(select s.cell_id from ${secondarySuppressionsTable} s where s.relation = '${relation.replaceAll("'", "''")}')`;
}

export interface SecondarySuppressionCounts {
  /** Cells under the minimum count. */
  readonly primary: number;
  /** Cells suppressed so that no suppressed cell can be worked out of line totals and shown cells. */
  readonly secondary: number;
  /** Suppressed cells the line totals alone give away (the only cell of their line), beyond reach. */
  readonly disclosedByTotals: number;
}

/** Creates the (ungranted) table of secondary suppressions if it is not there yet. */
export async function ensureSecondarySuppressionsTable(client: pg.PoolClient): Promise<void> {
  await client.query(`
    create table if not exists ${secondarySuppressionsTable} (
      relation text not null,
      cell_id text not null,
      primary key (relation, cell_id)
    )`);
  await client.query(`revoke all on ${secondarySuppressionsTable} from public`);
}

/**
 * Recomputes a shared sum table's secondary suppressions from its cells as they are now (the
 * relation's own SQL, unsuppressed) and stores them, replacing the relation's earlier ones. Every
 * member knows its own hospital's cells, so a cell is protected against each member with the
 * member's own row known (`each-row`), not only against outsiders who know the line totals.
 *
 * @example
 *   await storeSecondarySuppressions(client, definition, policy); // then create its view
 */
export async function storeSecondarySuppressions(
  client: pg.PoolClient,
  definition: SharedRelation,
  policy: SharingPolicy,
): Promise<SecondarySuppressionCounts | undefined> {
  await client.query(`delete from ${secondarySuppressionsTable} where relation = $1`, [definition.relation]);
  const shape = definition.complementary;
  if (!shape) return undefined;
  const period = shape.period.map((c) => `${c}::text`).join(', ');
  const { rows } = await client.query<{
    id: string;
    period: string;
    row: string | null;
    col: string | null;
    count: string | null;
  }>(
    `select ${shape.cellId} as id, concat_ws('|', ${period}) as period, ${shape.row} as row,
       ${shape.column} as col, ${shape.count}::text as count
     from (${definition.sql(policy, 'true', { secondary: null })}) cells`,
  );
  const cells: SuppressionCell[] = rows.map((r) => ({
    id: r.id,
    period: r.period,
    row: r.row ?? '',
    column: r.col ?? '',
    count: r.count === null ? 0 : Number(r.count),
  }));
  const result = complementarySuppression(cells, Math.trunc(policy.minCellCases), 'each-row');
  if (result.secondary.length > 0)
    await client.query(
      `insert into ${secondarySuppressionsTable} (relation, cell_id) select $1, unnest($2::text[])`,
      [definition.relation, result.secondary],
    );
  return {
    primary: result.primary.length,
    secondary: result.secondary.length,
    disclosedByTotals: result.disclosedByTotals.length,
  };
}
