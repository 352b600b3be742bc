import type { Logger } from '../core/logging/logger.ts';

/** Cube's logger signature: an event name and its details. */
export type CubeLoggerFn = (message: string, params?: Record<string, unknown>) => void;

/** Fields Cube fills with credentials (its auth failure log carries the raw token). */
const secretFields = new Set(['token', 'authorization', 'headers', 'apisecret', 'password', 'jwt', 'cookie']);
/** A JWT anywhere in a string: base64url of `{"` then two more dot-separated parts. */
const jwtPattern = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;
const maxDepth = 6;

/**
 * Routes Cube's own log events into our pino logger, details under `cube`: errors and warnings
 * at info, the rest (requests, SQL, cache) at debug. Credentials are removed on the way: fields
 * such as `token` are dropped and anything that looks like a JWT is masked, wherever it appears.
 */
export function createCubeLogger(log: Logger): CubeLoggerFn {
  return (message, params = {}) => {
    const details = redact(params, 0);
    const level = params.error !== undefined || params.warning !== undefined ? 'info' : 'debug';
    log[level]({ cube: details }, redactString(message));
  };
}

/** A copy of `value` without credentials. */
function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '[nested]';
  if (value instanceof Error) return redactString(value.stack ?? value.message);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (secretFields.has(key.toLowerCase())) continue;
    out[key] = redact(inner, depth + 1);
  }
  return out;
}

function redactString(value: string): string {
  return value.replace(jwtPattern, '[token]');
}
