import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { HdwError } from '../../core/errors.ts';
import {
  describeContextProblem,
  securityContextSchema,
  type SecurityContext,
  type TokenClaims,
} from './context.ts';

/** Leeway for clocks that disagree a little between the token issuer and this server. */
const clockToleranceSeconds = 5;
const minSecretLength = 32;

/**
 * How tokens are checked. Only shared-secret HS256 for now; an RS256 issuer with a configured
 * public key becomes one more member here and one more case in `verificationKey`.
 */
export type TokenKeys = { readonly kind: 'hs256'; readonly secret: string };

/** A token that cannot be trusted. `reason` is for the log and the 403 body; it never holds the token. */
export class TokenError extends HdwError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super('E_TOKEN', `Token refused: ${reason}`, options);
    this.reason = reason;
  }
}

/**
 * Signs a token for `hdw token`: HS256, issued now, valid for `ttlSeconds` (8 hours by default, a
 * working day). The claims are validated first, so a token the server would refuse is never made.
 *
 * @example
 *   const token = await signToken({ role: 'member', hospital_code: 'H001', alliance_id: 'A1' }, secret);
 */
export async function signToken(claims: TokenClaims, secret: string, ttlSeconds = 8 * 3600): Promise<string> {
  const parsed = securityContextSchema.safeParse(claims);
  if (!parsed.success) {
    throw new HdwError('E_TOKEN_CLAIMS', `Cannot sign token: ${describeContextProblem(parsed.error)}`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new HdwError('E_TOKEN_CLAIMS', 'Cannot sign token: ttlSeconds must be a positive whole number');
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...parsed.data })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(hs256Key(secret));
}

/**
 * Verifies a token and returns its security context. Algorithms are pinned, so `alg: none` and
 * algorithm-confusion tokens fail; `exp` is required, so no token lives forever. Throws TokenError
 * with a short reason.
 */
export async function verifyToken(token: string, keys: TokenKeys): Promise<SecurityContext> {
  const { key, algorithms } = verificationKey(keys);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms,
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    throw new TokenError(reasonFor(error), { cause: error });
  }
  const parsed = securityContextSchema.safeParse(payload);
  if (!parsed.success)
    throw new TokenError(`invalid security context (${describeContextProblem(parsed.error)})`);
  return parsed.data;
}

/** Checks the key material once at start-up, so a weak secret stops the server rather than a request. */
export function assertTokenKeys(keys: TokenKeys): void {
  verificationKey(keys);
}

function verificationKey(keys: TokenKeys): { key: Uint8Array; algorithms: string[] } {
  switch (keys.kind) {
    case 'hs256':
      return { key: hs256Key(keys.secret), algorithms: ['HS256'] };
  }
}

function hs256Key(secret: string): Uint8Array {
  if (secret.length < minSecretLength) {
    throw new HdwError('E_CONFIG', `The JWT secret must be at least ${minSecretLength} characters long`);
  }
  return new TextEncoder().encode(secret);
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" ${error.reason}`;
  if (error instanceof errors.JOSENotSupported) return 'signing algorithm not allowed';
  return 'malformed token';
}
