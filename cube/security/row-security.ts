import type { Logger } from '../../core/logging/logger.ts';
import { shareableViews, type SharingPolicy } from '../../core/security/sharing-policy.ts';
import { cubeForbidden } from '../cube-modules.ts';
import type { CatalogEntry } from '../model-catalog.ts';
import { securityContextSchema } from './context.ts';
import { cubesOfQuery, membersOfQuery, UnreadableMemberError, type CubeQuery } from './query-cubes.ts';

/** The dimension that ties a row to one hospital; a cube without it cannot be shown to a member. */
export const hospitalDimension = 'hospital_code';

/** What `queryRewrite` is given besides the query: the request's context as Cube built it. */
export interface RewriteContext {
  readonly securityContext?: unknown;
  readonly requestId?: string;
}

/** The compiled model's cubes and views, as the request's context sees it. */
export type ModelCatalog = (context: RewriteContext) => Promise<ReadonlyMap<string, CatalogEntry>>;

export type QueryRewrite = (query: CubeQuery, context: RewriteContext) => Promise<CubeQuery>;

/**
 * Cube's `queryRewrite`: who may see what, failing closed, for every query shape (measures only,
 * dimensions, filters and and/or trees on any member, segments, time dimensions, ungrouped, and
 * GraphQL, which Cube turns into the same query before this runs). Every cube or view a query
 * names is checked:
 * - private cubes (`public: false`) are refused for everyone: they are building blocks of views,
 *   and Cube 0.33 would answer them with a 500 anyway;
 * - a view with a member marked `meta: { access: steward }` (exception detail, quarantined
 *   payloads) is for stewards only; one marked `meta: { access: staff }` (every hospital's place
 *   among its peers, regional_benchmark) is refused to members, even for their own rows;
 * - a `member` may read a shared aggregate of the sharing policy as it is (its cells are already
 *   suppressed in SQL), but only on its own in a query; any other view gets `hospital_code = <own>`
 *   added as a top-level filter (ANDed with whatever the query filters on), and one without a
 *   `hospital_code`, or a shareable view the policy does not share, is refused with 403.
 * Analysts see every hospital's detail; managers every hospital's aggregates but no ungrouped
 * (row-level) query; stewards also exception detail. For everyone, a view's dimension marked
 * `meta: { default_filter: <value> }` that the query names nowhere is filtered to that value
 * (`withDefaultFilters`), so a query written before the dimension existed keeps its meaning.
 */
export function createQueryRewrite(options: {
  readonly logger: Logger;
  readonly catalog: ModelCatalog;
  readonly policy: SharingPolicy;
}): QueryRewrite {
  const { logger, catalog, policy } = options;
  const shareable = new Set<string>(shareableViews);
  const shared = new Set<string>(policy.sharedViews);
  return async (query, context) => {
    const parsed = securityContextSchema.safeParse(context.securityContext);
    if (!parsed.success) throw refuse(logger, context, 'no valid security context');
    const security = parsed.data;

    let cubes: string[];
    try {
      cubes = [...cubesOfQuery(query)].sort();
    } catch (error) {
      if (error instanceof UnreadableMemberError) throw refuse(logger, context, error.message);
      throw error;
    }
    if (cubes.length === 0) throw refuse(logger, context, 'query names no cube');

    const model = await catalog(context);
    for (const cube of cubes) {
      const entry = model.get(cube);
      if (!entry) throw refuse(logger, context, `${cube} is not part of the data model`);
      if (!entry.public) throw refuse(logger, context, `${cube} is not public, query a view instead`);
      if (entry.stewardOnly && security.role !== 'steward') {
        throw refuse(logger, context, `${cube} is for data stewards only`);
      }
      if (entry.staffOnly && security.role === 'member') {
        throw refuse(logger, context, `${cube} is not for members, query member_vs_peers instead`);
      }
    }
    // Managers see every hospital's aggregates, never row-level (case- or patient-level) detail.
    if (security.role === 'manager' && query.ungrouped === true) {
      throw refuse(logger, context, 'managers see aggregates only, not ungrouped rows');
    }
    query = withDefaultFilters(query, cubes, model);
    if (security.role !== 'member') return query;

    const sharedCube = cubes.find((cube) => shareable.has(cube));
    if (sharedCube) {
      if (!shared.has(sharedCube)) throw refuse(logger, context, `${sharedCube} is not shared with members`);
      if (cubes.length > 1)
        throw refuse(logger, context, `${sharedCube} cannot be combined with other views`);
      return query;
    }
    const scoped = cubes.map((cube) => {
      if (!model.get(cube)?.dimensions.has(hospitalDimension)) {
        throw refuse(logger, context, `${cube} cannot be limited to one hospital`);
      }
      return { member: `${cube}.${hospitalDimension}`, operator: 'equals', values: [security.hospital_code] };
    });
    return { ...query, filters: [...(query.filters ?? []), ...scoped] };
  };
}

/**
 * The query with an `equals` filter on every default-filtered dimension of its views that it names
 * nowhere (e.g. regional_benchmark: benchmark_dimension = drg and period_grain = year unless the
 * query selects or filters either).
 */
export function withDefaultFilters(
  query: CubeQuery,
  cubes: readonly string[],
  model: ReadonlyMap<string, CatalogEntry>,
): CubeQuery {
  const named = membersOfQuery(query);
  const defaults = cubes.flatMap((cube) =>
    [...(model.get(cube)?.defaultFilters ?? [])]
      .filter(([dimension]) => !named.has(`${cube}.${dimension}`))
      .map(([dimension, value]) => ({ member: `${cube}.${dimension}`, operator: 'equals', values: [value] })),
  );
  return defaults.length === 0 ? query : { ...query, filters: [...(query.filters ?? []), ...defaults] };
}

function refuse(logger: Logger, context: RewriteContext, reason: string): Error {
  logger.warn({ reason, requestId: context.requestId }, 'Cube query refused by row security');
  return cubeForbidden(`Forbidden: ${reason}`);
}
