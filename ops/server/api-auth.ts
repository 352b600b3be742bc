import type express from 'express';
import type pg from 'pg';
import { findAppUser, hospitalNameOf } from '../../core/security/app-users.ts';
import type { TokenIdentity, TokenVerifier } from '../../cube/security/token.ts';
import { identityOf } from './cube-audit.ts';

/** The user as `POST /api/session` and `GET /api/me` answer it (the front end codes against this shape). */
export interface ApiUser {
  readonly username: string | null;
  readonly display_name: string | null;
  readonly role: string;
  readonly hospital_code: string | null;
  readonly hospital_name: string | null;
}

/** What `requireAuth` leaves on `res.locals.caller`. */
export interface Caller {
  readonly identity: TokenIdentity;
  readonly user: ApiUser;
}

/** The plain-Chinese answers of the API's refusals. */
export const apiErrors = {
  signInFailed: '用户名或密码错误',
  signInMissing: '请输入用户名和密码',
  signInThrottled: (seconds: number) => `登录尝试过于频繁，请 ${seconds} 秒后再试`,
  unauthenticated: '未登录或登录已过期，请重新登录',
  forbidden: '没有权限',
  otherHospital: '只能查看本院的数据',
  badRequest: '请求参数有误',
  notFound: '没有这个接口',
  internal: '服务器内部错误，请稍后再试',
} as const;

/**
 * The caller of an /api request from its Authorization header (a session token of `POST
 * /api/session`, an `hdw token`, or an identity provider's RS256 token): the user of a session
 * token as stored (a removed or disabled user's token stops working here at once), of other tokens
 * from their claims. Undefined when there is no valid token.
 */
export async function callerOf(
  req: express.Request,
  options: { readonly verifier: TokenVerifier; readonly allianceId: string; readonly pool: pg.Pool },
): Promise<Caller | undefined> {
  const identity = await identityOf(req.headers.authorization, options.verifier, options.allianceId);
  if (!identity) return undefined;
  if (identity.kind === 'session') {
    const stored = await findAppUser(options.pool, identity.subject!);
    if (
      !stored ||
      stored.disabled ||
      stored.role !== identity.context.role ||
      (stored.hospitalCode ?? undefined) !== identity.context.hospital_code
    )
      return undefined;
    return { identity, user: apiUserOf(stored) };
  }
  const hospitalCode = identity.context.hospital_code ?? null;
  return {
    identity,
    user: {
      username: identity.subject ?? null,
      display_name: identity.name ?? identity.subject ?? null,
      role: identity.context.role,
      hospital_code: hospitalCode,
      hospital_name: await hospitalNameOf(options.pool, hospitalCode ?? undefined),
    },
  };
}

export function apiUserOf(user: {
  readonly username: string;
  readonly displayName: string;
  readonly role: string;
  readonly hospitalCode: string | null;
  readonly hospitalName: string | null;
}): ApiUser {
  return {
    username: user.username,
    display_name: user.displayName,
    role: user.role,
    hospital_code: user.hospitalCode,
    hospital_name: user.hospitalName,
  };
}

/** 401 `{ error }` unless the request carries a valid token; the caller goes to `res.locals.caller`. */
export function requireAuth(options: {
  readonly verifier: TokenVerifier;
  readonly allianceId: string;
  readonly pool: pg.Pool;
}): express.RequestHandler {
  return (req, res, next) => {
    callerOf(req, options).then((caller) => {
      if (!caller) {
        res.status(401).set('cache-control', 'no-store').json({ error: apiErrors.unauthenticated });
        return;
      }
      res.locals.caller = caller;
      next();
    }, next);
  };
}

/** The caller `requireAuth` found. */
export function callerFrom(res: express.Response): Caller {
  return res.locals.caller as Caller;
}
