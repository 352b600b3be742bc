import type express from 'express';
import type pg from 'pg';
import { publicStatus, warehouseStatus } from '../core/jobs/warehouse-status.ts';

/**
 * `GET /healthz` for monitoring, unauthenticated: states and times only (see `publicStatus`).
 * Answers 503 when the database does not answer or the marts were not published within
 * `publishMaxAgeHours` (HDW_PUBLISH_MAX_AGE_HOURS), so a plain HTTP check can page someone.
 */
export function healthzHandler(
  pool: pg.Pool,
  options: { readonly publishMaxAgeHours: number },
): express.RequestHandler {
  return (_req, res, next) => {
    warehouseStatus(pool, options)
      .then((status) =>
        res
          .set('cache-control', 'no-store')
          .status(status.healthy ? 200 : 503)
          .json(publicStatus(status)),
      )
      .catch(next);
  };
}
