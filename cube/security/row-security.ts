import type { Logger } from '../../core/logging/logger.ts';
import { cubeForbidden } from '../cube-modules.ts';
import { securityContextSchema } from './context.ts';
import { cubesOfQuery, UnreadableMemberError, type CubeQuery } from './query-cubes.ts';

/** The dimension that ties a row to one hospital; a cube without it cannot be shown to a member. */
export const hospitalDimension = 'hospital_code';

/** What `queryRewrite` is given besides the query: the request's context as Cube built it. */
export interface RewriteContext {
  readonly securityContext?: unknown;
  readonly requestId?: string;
}

/** For each cube and view of the compiled model, the short names of its dimensions. */
export type CubeDimensions = (context: RewriteContext) => Promise<ReadonlyMap<string, ReadonlySet<string>>>;

export type QueryRewrite = (query: CubeQuery, context: RewriteContext) => Promise<CubeQuery>;

/**
 * Cube's `queryRewrite`: row security that fails closed. A `member` sees only its own hospital, so
 * every cube or view its query touches gets `hospital_code = <own>`, and a query touching one that
 * has no `hospital_code` is refused with 403 rather than answered unfiltered. Other roles see the
 * whole alliance for now.
 */
export function createQueryRewrite(options: {
  readonly logger: Logger;
  readonly cubeDimensions: CubeDimensions;
}): QueryRewrite {
  const { logger, cubeDimensions } = options;
  return async (query, context) => {
    const parsed = securityContextSchema.safeParse(context.securityContext);
    if (!parsed.success) throw refuse(logger, context, 'no valid security context');
    const security = parsed.data;
    if (security.role !== 'member') return query;

    let cubes: Set<string>;
    try {
      cubes = cubesOfQuery(query);
    } catch (error) {
      if (error instanceof UnreadableMemberError) throw refuse(logger, context, error.message);
      throw error;
    }
    if (cubes.size === 0) throw refuse(logger, context, 'query names no cube');

    const dimensions = await cubeDimensions(context);
    const scoped = [...cubes].sort().map((cube) => {
      if (!dimensions.get(cube)?.has(hospitalDimension)) {
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
