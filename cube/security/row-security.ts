import type { Logger } from '../../core/logging/logger.ts';
import { cubeForbidden } from '../cube-modules.ts';
import type { CatalogEntry } from '../model-catalog.ts';
import { securityContextSchema } from './context.ts';
import { cubesOfQuery, UnreadableMemberError, type CubeQuery } from './query-cubes.ts';

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
 * Cube's `queryRewrite`: row security that fails closed. A `member` sees only its own hospital, so
 * every cube or view its query reads gets `hospital_code = <own>`, and a query reading one that
 * has no `hospital_code` (or that we cannot read) is refused with 403 rather than answered
 * unfiltered. Other roles see the whole alliance for now. Private cubes (`public: false`) are
 * refused for everyone: they are building blocks of views, and Cube 0.33 would answer them with a
 * 500 anyway.
 */
export function createQueryRewrite(options: {
  readonly logger: Logger;
  readonly catalog: ModelCatalog;
}): QueryRewrite {
  const { logger, catalog } = options;
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
    const privateCube = cubes.find((cube) => model.get(cube)?.public === false);
    if (privateCube) throw refuse(logger, context, `${privateCube} is not public, query a view instead`);
    if (security.role !== 'member') return query;

    const scoped = cubes.map((cube) => {
      if (!model.get(cube)?.dimensions.has(hospitalDimension)) {
        throw refuse(logger, context, `${cube} cannot be limited to one hospital`);
      }
      return { member: `${cube}.${hospitalDimension}`, operator: 'equals', values: [security.hospital_code] };
    });
    return { ...query, filters: [...(query.filters ?? []), ...scoped] };
  };
}

function refuse(logger: Logger, context: RewriteContext, reason: string): Error {
  logger.warn({ reason, requestId: context.requestId }, 'Cube query refused by row security');
  return cubeForbidden(`Forbidden: ${reason}`);
}
