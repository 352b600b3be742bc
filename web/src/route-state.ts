import { watch } from 'vue';
import { type LocationQuery, useRoute, useRouter } from 'vue-router';

/** Query keys of a page's own state (absent when undefined). */
export type RouteState = Record<string, string | undefined>;

/**
 * A page's drill-down kept in the address beside the period and hospital: `read` turns the query
 * keys into the page's state, `write` the state into them. Each step is a new history entry, so
 * the browser's back button climbs back up, and a bookmarked or shared address opens at the same
 * step (row security still decides what it shows).
 */
export function useRouteState(keys: readonly string[], read: (query: RouteState) => void, write: () => RouteState): void {
  const route = useRoute();
  const router = useRouter();
  const pick = (query: LocationQuery): RouteState =>
    Object.fromEntries(
      keys.map((k) => {
        const v = query[k];
        return [k, typeof v === 'string' && v !== '' ? v : undefined];
      }),
    );
  const same = (a: RouteState, b: RouteState) => keys.every((k) => a[k] === b[k]);
  read(pick(route.query));
  watch(
    () => pick(route.query),
    (query) => {
      if (!same(query, write())) read(query);
    },
  );
  watch(write, (state) => {
    if (!same(state, pick(route.query))) void router.push({ query: { ...route.query, ...state } });
  });
}
