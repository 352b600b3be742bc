import express from 'express';
import type pg from 'pg';
import type { Config } from '../../core/config/config.ts';
import { warehouseStatus } from '../../core/jobs/warehouse-status.ts';
import type { AccessAuditWriter } from '../../core/security/access-audit.ts';
import { authenticateAppUser } from '../../core/security/app-users.ts';
import { signToken, type TokenVerifier } from '../../cube/security/token.ts';
import { apiErrors, apiUserOf, callerFrom, requireAuth } from './api-auth.ts';
import { SignInLimiter } from './sign-in-limiter.ts';

export interface SessionRouteOptions {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly verifier: TokenVerifier;
  readonly jwtSecret: string;
  readonly audit: AccessAuditWriter;
}

/**
 * `POST /api/session` (sign-in), `GET /api/me` and `GET /api/freshness`.
 *
 * - `POST /api/session` `{ username, password }` → 200 `{ token, expires_at, user: { username,
 *   display_name, role, hospital_code, hospital_name } }`; the token is an HS256 JWT with the
 *   claims Cube checks (role, hospital_code, alliance_id) and `sub` = the user name, valid
 *   HDW_SESSION_TTL_MINUTES. Unknown user, wrong password and disabled user all get the same 401
 *   `{ error: '用户名或密码错误' }`; too many failures get 429 with Retry-After (sign-in-limiter.ts).
 * - `GET /api/me` → the user as above (for an identity provider's token, from its claims).
 * - `GET /api/freshness` → `{ last_publish_at, run_id }` of the last successful publish (or nulls).
 */
export function sessionRoutes(options: SessionRouteOptions): express.Router {
  const { config, pool, audit } = options;
  const router = express.Router();
  const limiter = new SignInLimiter({
    maxFailuresPerUser: config.HDW_SIGNIN_MAX_FAILURES,
    maxFailuresPerIp: config.HDW_SIGNIN_MAX_FAILURES_PER_IP,
    windowMs: config.HDW_SIGNIN_WINDOW_MINUTES * 60_000,
  });
  const ttlSeconds = config.HDW_SESSION_TTL_MINUTES * 60;

  router.post('/session', (req, res, next) => {
    const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const ip = req.ip ?? 'unknown';
    const where = { ip, userAgent: req.headers['user-agent'] ?? null, api: 'session' } as const;
    res.set('cache-control', 'no-store');
    if (username === '' || password === '') {
      res.status(400).json({ error: apiErrors.signInMissing });
      return;
    }
    const wait = limiter.retryAfterSeconds(username, ip);
    if (wait > 0) {
      audit.record({ ...where, username, event: 'sign_in_failed', status: 429 });
      res.status(429).set('retry-after', String(wait)).json({ error: apiErrors.signInThrottled(wait) });
      return;
    }
    authenticateAppUser(pool, username, password)
      .then(async (user) => {
        if (!user) {
          limiter.failed(username, ip);
          audit.record({ ...where, username, event: 'sign_in_failed', status: 401 });
          res.status(401).json({ error: apiErrors.signInFailed });
          return;
        }
        limiter.succeeded(username);
        const token = await signToken(
          {
            role: user.role,
            alliance_id: config.HDW_ALLIANCE_ID,
            ...(user.hospitalCode ? { hospital_code: user.hospitalCode } : {}),
          },
          options.jwtSecret,
          ttlSeconds,
          { subject: user.username },
        );
        audit.record({
          ...where,
          username: user.username,
          role: user.role,
          hospitalCode: user.hospitalCode,
          authKind: 'session',
          event: 'sign_in',
          status: 200,
        });
        res.status(200).json({
          token,
          expires_at: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
          user: apiUserOf(user),
        });
      })
      .catch(next);
  });

  router.get('/me', requireAuth({ ...options, allianceId: config.HDW_ALLIANCE_ID }), (_req, res) => {
    res.set('cache-control', 'no-store').json(callerFrom(res).user);
  });

  router.get('/freshness', (_req, res, next) => {
    warehouseStatus(pool, { publishMaxAgeHours: config.HDW_PUBLISH_MAX_AGE_HOURS })
      .then((status) =>
        res.set('cache-control', 'no-store').json({
          last_publish_at: status.lastPublishAt?.toISOString() ?? null,
          run_id: status.lastPublishRunId ?? null,
        }),
      )
      .catch(next);
  });
  return router;
}
