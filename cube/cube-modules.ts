import { createRequire } from 'node:module';

/**
 * Cube's own modules that server-core uses internally and does not re-export. They are loaded
 * from server-core's location, so `instanceof` checks inside Cube see the very same classes (a
 * second copy of api-gateway would make Cube treat our 403 as a 500 with a stack trace).
 */
const requireFromHere = createRequire(import.meta.url);

function requireBesideServerCore(id: string): unknown {
  const serverCoreEntry = requireFromHere.resolve('@cubejs-backend/server-core');
  return createRequire(serverCoreEntry)(id);
}

type CubejsHandlerErrorClass = new (status: number, type: string, message?: string) => Error;

/** An error Cube's API gateway answers with its status and `{ error: message }`, without a stack. */
export function cubeForbidden(message: string): Error {
  const { CubejsHandlerError } = requireBesideServerCore('@cubejs-backend/api-gateway') as {
    CubejsHandlerError: CubejsHandlerErrorClass;
  };
  return new CubejsHandlerError(403, 'Forbidden', message);
}

/** Cube's own setting reader (`getEnv` of @cubejs-backend/shared), as its API gateway reads them. */
export function cubeSetting(name: string): unknown {
  const { getEnv } = requireBesideServerCore('@cubejs-backend/shared') as {
    getEnv: (name: string) => unknown;
  };
  return getEnv(name);
}

/**
 * Drops every entry of one orchestrator (`redisPrefix`) from Cube's in-memory query cache.
 * `LocalCacheDriver` keeps a single store for the whole process and only forgets an entry when
 * that very key is read again, so results of a retired orchestrator would otherwise stay in memory
 * for good. Keys look like `<CATALOG>_<prefix>_<hash>`. Returns how many were dropped (0 if a Cube
 * upgrade changed that shape: correctness never depends on this, only memory does).
 */
export function dropLocalCacheEntries(prefix: string): number {
  const { LocalCacheDriver } = requireBesideServerCore('@cubejs-backend/query-orchestrator') as {
    LocalCacheDriver?: new () => { store?: unknown };
  };
  const store = LocalCacheDriver ? new LocalCacheDriver().store : undefined;
  if (typeof store !== 'object' || store === null) return 0;
  const entries = store as Record<string, unknown>;
  let dropped = 0;
  for (const key of Object.keys(entries)) {
    if (key.includes(`_${prefix}_`)) {
      delete entries[key];
      dropped += 1;
    }
  }
  return dropped;
}
