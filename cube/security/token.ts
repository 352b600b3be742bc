import {
  errors,
  importSPKI,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
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
 * How tokens are checked: a shared secret (HS256, tokens from `hdw token`), an issuer's RSA public
 * key (RS256, tokens from the alliance's identity provider), or both. Each algorithm is accepted
 * only with its own key, so an HS256 token "signed" with the public key (algorithm confusion) fails.
 */
export interface TokenKeys {
  /** At least 32 characters. */
  readonly hs256Secret?: string;
  /** SPKI PEM of an RSA key (see core/security/jwt-public-key.ts). */
  readonly rs256PublicKey?: string;
}

/** Keys imported once at start-up, ready for `verifyToken`. */
export interface TokenVerifier {
  readonly algorithms: readonly string[];
  keyFor(header: JWTHeaderParameters): Uint8Array | CryptoKey;
}

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
export async function signToken(
  claims: TokenClaims,
  secret: string,
  ttlSeconds = 8 * 3600,
  options: { readonly subject?: string } = {},
): Promise<string> {
  const parsed = securityContextSchema.safeParse(claims);
  if (!parsed.success) {
    throw new HdwError('E_TOKEN_CLAIMS', `Cannot sign token: ${describeContextProblem(parsed.error)}`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new HdwError('E_TOKEN_CLAIMS', 'Cannot sign token: ttlSeconds must be a positive whole number');
  }
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...parsed.data }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(hs256Key(secret));
}

/**
 * Verifies a token and returns its security context. Algorithms are pinned, so `alg: none` and
 * algorithm-confusion tokens fail; `exp` is required, so no token lives forever. Throws TokenError
 * with a short reason.
 */
export async function verifyToken(token: string, verifier: TokenVerifier): Promise<SecurityContext> {
  return (await verifyTokenIdentity(token, verifier)).context;
}

/** Who a verified token speaks for: its security context, and what else the web application shows. */
export interface TokenIdentity {
  readonly context: SecurityContext;
  /** The `sub` claim: the user name of a session token, the IdP's subject of an RS256 token. */
  readonly subject?: string;
  /** The `name` claim an identity provider may send. */
  readonly name?: string;
  /** `session`: HS256 with a subject (web sign-in); `token`: HS256 without one (`hdw token`); `idp`: RS256. */
  readonly kind: 'session' | 'token' | 'idp';
  /** When it expires (seconds since the epoch). */
  readonly expiresAt: number;
}

/** `verifyToken`, keeping the subject, name, kind and expiry for the web application and the audit trail. */
export async function verifyTokenIdentity(token: string, verifier: TokenVerifier): Promise<TokenIdentity> {
  let payload: JWTPayload;
  let algorithm: string | undefined;
  try {
    ({ payload, protectedHeader: { alg: algorithm } } = await jwtVerify(token, (header) => verifier.keyFor(header), {
      algorithms: [...verifier.algorithms],
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    throw new TokenError(reasonFor(error), { cause: error });
  }
  const parsed = securityContextSchema.safeParse(payload);
  if (!parsed.success)
    throw new TokenError(`invalid security context (${describeContextProblem(parsed.error)})`);
  const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  const name = typeof payload.name === 'string' && payload.name !== '' ? payload.name : undefined;
  return {
    context: parsed.data,
    ...(subject !== undefined ? { subject } : {}),
    ...(name !== undefined ? { name } : {}),
    kind: algorithm === 'RS256' ? 'idp' : subject !== undefined ? 'session' : 'token',
    expiresAt: payload.exp!,
  };
}

/**
 * Checks and imports the key material once at start-up, so a weak secret or a bad key stops the
 * server rather than a request. At least one key is required.
 */
export async function prepareTokenVerifier(keys: TokenKeys): Promise<TokenVerifier> {
  const byAlgorithm = new Map<string, Uint8Array | CryptoKey>();
  if (keys.hs256Secret !== undefined) byAlgorithm.set('HS256', hs256Key(keys.hs256Secret));
  if (keys.rs256PublicKey !== undefined) {
    try {
      byAlgorithm.set('RS256', await importSPKI(keys.rs256PublicKey, 'RS256'));
    } catch (error) {
      throw new HdwError('E_CONFIG', 'The JWT public key is not an RSA public key in SPKI PEM form', {
        cause: error,
      });
    }
  }
  if (byAlgorithm.size === 0) throw new HdwError('E_CONFIG', 'No JWT secret or public key is configured');
  return {
    algorithms: [...byAlgorithm.keys()],
    keyFor(header) {
      const key = header.alg === undefined ? undefined : byAlgorithm.get(header.alg);
      // jose checks `alg` against `algorithms` first; this is the second lock on the same door.
      if (!key) throw new errors.JOSEAlgNotAllowed('signing algorithm not allowed');
      return key;
    },
  };
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
