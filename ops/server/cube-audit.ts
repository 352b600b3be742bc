import express from 'express';
import type { AccessAuditWriter, AccessEvent } from '../../core/security/access-audit.ts';
import { cubeApiPath } from '../../cube/server.ts';
import { cubesOfQuery, type CubeQuery } from '../../cube/security/query-cubes.ts';
import { verifyTokenIdentity, type TokenIdentity, type TokenVerifier } from '../../cube/security/token.ts';

/** What a query asked, for the audit trail: never what it returned. */
export interface QueryDescription {
  readonly views: string[];
  readonly members: string[];
  /** Members, operators and values of its filters, segments and date ranges (the query's own text). */
  readonly filters: unknown[];
}

/**
 * The views, members and filters of a Cube REST query (or an array of them). A shape that names
 * no readable member gives empty lists rather than an error: row security refuses such a query,
 * and the refusal is recorded all the same.
 */
export function describeCubeQuery(query: unknown): QueryDescription {
  const queries = (Array.isArray(query) ? query : [query]).filter(
    (q): q is CubeQuery => typeof q === 'object' && q !== null,
  );
  const views = new Set<string>();
  const members: string[] = [];
  const filters: unknown[] = [];
  for (const q of queries) {
    try {
      for (const cube of cubesOfQuery(q)) views.add(cube);
    } catch {
      // unreadable member: refused by row security; nothing to name here
    }
    for (const m of [...(q.measures ?? []), ...(q.dimensions ?? [])]) if (typeof m === 'string') members.push(m);
    for (const td of q.timeDimensions ?? []) {
      const t = td as { dimension?: unknown; granularity?: unknown; dateRange?: unknown };
      if (typeof t.dimension !== 'string') continue;
      members.push(typeof t.granularity === 'string' ? `${t.dimension}.${t.granularity}` : t.dimension);
      if (t.dateRange !== undefined)
        filters.push({ member: t.dimension, operator: 'inDateRange', values: t.dateRange });
    }
    for (const s of q.segments ?? []) if (typeof s === 'string') filters.push({ segment: s });
    for (const f of q.filters ?? []) filters.push(f);
  }
  return { views: [...views].sort(), members: [...new Set(members)], filters };
}

/**
 * The views and members a GraphQL query selects under `cube`: `{ cube(where: …) { view { member } } }`.
 * A small reader of the selection braces, not a GraphQL parser; its arguments (filters) are kept
 * as the query's text in `filters`.
 */
export function describeGraphqlQuery(text: unknown): QueryDescription {
  if (typeof text !== 'string') return { views: [], members: [], filters: [] };
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|[{}()]|"(?:[^"\\]|\\.)*"/g) ?? [];
  const views = new Set<string>();
  const members = new Set<string>();
  let depth = 0;
  let cubeDepth: number | undefined;
  let view: string | undefined;
  let last: string | undefined;
  let parens = 0;
  for (const token of tokens) {
    if (token === '(') parens += 1;
    else if (token === ')') parens -= 1;
    if (parens > 0 || token === ')') continue;
    if (token === '{') {
      depth += 1;
      if (cubeDepth === undefined && last === 'cube') cubeDepth = depth;
      else if (cubeDepth !== undefined && depth === cubeDepth + 1 && last) {
        view = last;
        views.add(view);
      }
    } else if (token === '}') {
      if (cubeDepth !== undefined && depth === cubeDepth) cubeDepth = undefined;
      depth -= 1;
    } else if (!token.startsWith('"')) {
      if (cubeDepth !== undefined && depth === cubeDepth + 1 && view) members.add(`${view}.${token}`);
      last = token;
    }
  }
  const args = /\bcube\s*\(([\s\S]*?)\)\s*\{/.exec(text)?.[1];
  return { views: [...views].sort(), members: [...members], filters: args ? [{ graphql: args.trim() }] : [] };
}

/** `Bearer <token>` or the bare token, as Cube accepts it. */
export function tokenOf(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value) return undefined;
  return /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
}

/** The caller's verified identity, or undefined for no, bad or foreign-alliance tokens. */
export async function identityOf(
  authorization: string | undefined,
  verifier: TokenVerifier,
  allianceId: string,
): Promise<TokenIdentity | undefined> {
  const token = tokenOf(authorization);
  if (!token) return undefined;
  try {
    const identity = await verifyTokenIdentity(token, verifier);
    return identity.context.alliance_id === allianceId ? identity : undefined;
  } catch {
    return undefined;
  }
}

/** Which API a Cube path is: `load`, `sql`, `meta`, `graphql`, `dry-run`, … */
function apiOf(path: string): string {
  const rest = path.slice(cubeApiPath.length).replace(/^\/(v1\/)?/, '');
  return rest.split('/')[0] || 'root';
}

/** How many rows an answer holds (load: its data, or each result's; GraphQL: its cube list). */
function rowCountOf(api: string, body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { data?: unknown; results?: Array<{ data?: unknown }> };
  if (api === 'load') {
    if (Array.isArray(b.data)) return b.data.length;
    if (Array.isArray(b.results))
      return b.results.reduce((n, r) => n + (Array.isArray(r.data) ? r.data.length : 0), 0);
    return null;
  }
  if (api === 'graphql') {
    const cube = (b.data as { cube?: unknown } | undefined)?.cube;
    return Array.isArray(cube) ? cube.length : null;
  }
  return null;
}

/**
 * Around the Cube API: records every request (REST load/sql/meta, GraphQL) in the access audit
 * trail once its answer is sent, with the caller's identity, the views, members and filters the
 * query named, the status and the number of rows returned (read from the answer, whose rows are
 * not kept). A "Continue wait" answer is not recorded: the client asks again, and the final answer
 * is. Requests carrying `exportMark` (the web application's own Excel export) are recorded as
 * downloads. The write happens after the answer, in the background: it never delays or breaks it.
 */
export function cubeAuditMiddleware(options: {
  readonly verifier: TokenVerifier;
  readonly allianceId: string;
  readonly audit: AccessAuditWriter;
  /** Header value marking the export's internal load requests (see app-server.ts). */
  readonly exportMark: string;
}): express.RequestHandler {
  const parseJson = express.json({ limit: '1mb' });
  return (req, res, next) => {
    if (!(req.path === cubeApiPath || req.path.startsWith(`${cubeApiPath}/`))) {
      next();
      return;
    }
    parseJson(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const api = apiOf(req.path);
      const identity = identityOf(req.headers.authorization, options.verifier, options.allianceId);
      let answer: unknown;
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        answer = body;
        return json(body);
      };
      res.once('finish', () => {
        if ((answer as { error?: unknown } | undefined)?.error === 'Continue wait') return;
        void identity.then((who) => {
          const asked = askedOf(api, req);
          const exported = req.headers['x-hdw-export'] === options.exportMark;
          const status = res.statusCode;
          const event: AccessEvent =
            status === 401 || status === 403 ? 'refused' : exported ? 'download' : 'query';
          options.audit.record({
            username: who?.subject ?? null,
            role: who?.context.role ?? null,
            hospitalCode: who?.context.hospital_code ?? null,
            authKind: who?.kind ?? null,
            event,
            api: exported ? 'export' : api,
            ...asked,
            rowCount: status < 400 ? rowCountOf(api, answer) : null,
            status,
            ip: req.ip ?? null,
            userAgent: req.headers['user-agent'] ?? null,
          });
        });
      });
      next();
    });
  };
}

function askedOf(api: string, req: express.Request): QueryDescription {
  const fromQueryString = (name: string): unknown => {
    const value = req.query[name];
    if (typeof value !== 'string') return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  };
  const body = (req.body ?? {}) as { query?: unknown };
  if (api === 'graphql') return describeGraphqlQuery(body.query ?? req.query.query);
  if (api === 'meta') return { views: [], members: [], filters: [] };
  return describeCubeQuery(body.query ?? fromQueryString('query'));
}
