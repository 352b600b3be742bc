import { apiFetch, session } from './session';

/** The last successful publish (`GET /api/freshness`): when, and its run (null when none yet). */
export interface Freshness {
  readonly lastPublishAt: string | null;
  readonly runId: string | number | null;
}

async function fetchFreshness(): Promise<Freshness> {
  const response = await apiFetch('/api/freshness');
  const body = (await response.json()) as { last_publish_at?: string | null; run_id?: string | number | null };
  return { lastPublishAt: body.last_publish_at ?? null, runId: body.run_id ?? null };
}

let early: Promise<Freshness> | null = null;

/**
 * Asks for the freshness as the application starts, beside the page's own script, so the first page
 * does not wait for it after mounting. Nothing is asked before sign-in.
 */
export function prefetchFreshness(): void {
  if (!session.signedIn.value) return;
  early = fetchFreshness();
  early.catch(() => undefined); // its error is seen by the page that takes it
}

/** The freshness: the answer asked for at start (once), else asked now, so each page shows it current. */
export function currentFreshness(): Promise<Freshness> {
  const answer = early ?? fetchFreshness();
  early = null;
  return answer;
}
