import type { Logger } from '../../core/logging/logger.ts';
import { cubeForbidden } from '../cube-modules.ts';
import type { SecurityContext } from './context.ts';
import { TokenError, verifyToken, type TokenVerifier } from './token.ts';

/** The part of Cube's request object that `checkAuth` reads and writes. */
export interface AuthRequest {
  securityContext?: SecurityContext;
  readonly method?: string;
  readonly originalUrl?: string;
  readonly url?: string;
  readonly ip?: string;
}

export type CheckAuth = (req: AuthRequest, authorization?: string) => Promise<void>;

/**
 * Cube's `checkAuth`. Cube's built-in JWT check lets anything through outside NODE_ENV=production,
 * so every request is verified here whatever the environment: no token, a bad one, one whose
 * context does not validate or one whose `alliance_id` is not the configured alliance gets 403 `{ "error": "Forbidden: <reason>" }` and a warn line with the
 * reason, never the token.
 */
export function createCheckAuth(options: {
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** The configured alliance (`HDW_ALLIANCE_ID`): a token for another alliance is refused. */
  readonly allianceId: string;
}): CheckAuth {
  const { verifier, logger, allianceId } = options;
  return async (req, authorization) => {
    const token = authorization?.trim();
    try {
      if (!token) throw new TokenError('missing token');
      const context = await verifyToken(token, verifier);
      if (context.alliance_id !== allianceId) throw new TokenError('token is for another alliance');
      req.securityContext = context;
    } catch (error) {
      const reason = error instanceof TokenError ? error.reason : 'token could not be checked';
      logger.warn(
        { reason, method: req.method, path: pathOf(req), ip: req.ip },
        'Cube request refused: invalid authorization',
      );
      throw cubeForbidden(`Forbidden: ${reason}`);
    }
  };
}

/** The path without the query string: a GET query may hold filter values, which stay out of logs. */
function pathOf(req: AuthRequest): string | undefined {
  return (req.originalUrl ?? req.url)?.split('?')[0];
}
