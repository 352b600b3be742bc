import type { ErrorRequestHandler, RequestHandler } from 'express';

/**
 * Cube's API gateway puts `stack` into many error bodies (400, 403 from queryRewrite, 500). A stack
 * tells a caller about our internals and nothing they can act on; it is removed from every JSON
 * error body before it leaves. The log still has the full error.
 */
export function stripErrorStacks(): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body?: unknown) => {
      if (res.statusCode >= 400 && typeof body === 'object' && body !== null && 'stack' in body) {
        const { stack: _stack, ...rest } = body as Record<string, unknown>;
        return json(rest);
      }
      return json(body);
    };
    next();
  };
}

/**
 * Cube's error middleware answers and then passes the error on, and Express's final handler cuts
 * the connection of a response already sent. An answered error stops here instead.
 */
export function swallowAnsweredErrors(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return;
    next(error);
  };
}
