import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The parameters of new password hashes, in this one place: scrypt (memory-hard) with N = 2^15,
 * r = 8, p = 1 (32 MiB and some 50–100 ms per hash), a random 16-byte salt and a 32-byte key. A
 * stored hash names its own parameters, so raising them later leaves old hashes verifiable.
 */
export const passwordHashParameters = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that, so allow twice. */
const maxmemFor = (N: number, r: number) => 256 * N * r;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyBytes: number) {
  const options: ScryptOptions = { N, r, p, maxmem: maxmemFor(N, r) };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * Hashes a password for storage as `scrypt$N$r$p$<salt base64>$<hash base64>`.
 *
 * @example
 *   await hashPassword('correct horse') // 'scrypt$32768$8$1$3q…$Zk…'
 */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = passwordHashParameters;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, N, r, p, keyBytes);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Whether `password` matches a hash made by `hashPassword`, compared in constant time. A stored
 * value that is not such a hash never matches (and still costs a hash, so timing does not tell).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  const valid =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(N) &&
    N >= 2 &&
    (N & (N - 1)) === 0 &&
    N <= 2 ** 20 &&
    Number.isInteger(R) &&
    R >= 1 &&
    R <= 32 &&
    Number.isInteger(P) &&
    P >= 1 &&
    P <= 16;
  if (!valid) {
    await hashPassword(password);
    return false;
  }
  const expected = Buffer.from(hash!, 'base64');
  const actual = await derive(password, Buffer.from(salt!, 'base64'), N, R, P, expected.length || 32);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A random password for a new account (printed once): 16 characters of base64url, ~96 bits. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
