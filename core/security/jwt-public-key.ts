import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.ts';

/** RSA keys shorter than this are refused: NIST deprecated 1024-bit RSA signatures long ago. */
const minModulusBits = 2048;

/**
 * The RS256 public key that API tokens from an external issuer (the alliance's SSO, say) are
 * verified with, from the value of `HDW_JWT_PUBLIC_KEY`: either the PEM itself (`-----BEGIN PUBLIC
 * KEY-----…`, literal `\n` allowed so it fits in one environment line) or the path of a PEM file,
 * resolved against `cwd`. Returns the normalised SPKI PEM. A private key, a certificate, a non-RSA
 * key or one under 2048 bits stops start-up: the server must never hold a signing key it does not need.
 *
 * @example
 *   const pem = await loadJwtPublicKey(process.env.HDW_JWT_PUBLIC_KEY); // undefined when unset
 */
export async function loadJwtPublicKey(
  value: string | undefined,
  cwd = process.cwd(),
): Promise<string | undefined> {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  let pem: string;
  if (trimmed.startsWith('-----BEGIN')) {
    pem = trimmed.replaceAll('\\n', '\n');
  } else {
    const file = path.resolve(cwd, trimmed);
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `HDW_JWT_PUBLIC_KEY names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return normalisePublicKey(pem);
}

function normalisePublicKey(pem: string): string {
  if (/PRIVATE KEY/.test(pem)) {
    throw new ConfigError('HDW_JWT_PUBLIC_KEY holds a private key; configure the public key only');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError('HDW_JWT_PUBLIC_KEY is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError('HDW_JWT_PUBLIC_KEY must be an RSA public key (tokens are verified with RS256)');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < minModulusBits) {
    throw new ConfigError(`HDW_JWT_PUBLIC_KEY must be an RSA key of at least ${minModulusBits} bits`);
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
