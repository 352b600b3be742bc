import { computed } from 'vue';
import type { CubeQuery } from './cube';
import { filters } from './filters';
import { useCube, type QueryState } from './use-cube';

/**
 * Whether the page's period is known (PageShell sets it once the months with data are loaded).
 * Until then a page shows its loading state rather than an empty one, and sends no query that
 * would cover every month only to be sent again with the period.
 */
export const periodReady = computed(() => filters.from !== null && filters.to !== null);

/** A `useCube` builder that waits for the period: `useCube(afterPeriod(() => ({ … })))`. */
export function afterPeriod(build: () => CubeQuery | null): () => CubeQuery | null {
  return () => (periodReady.value ? build() : null);
}

/** `useCube` for a query that needs the period (or should not run before the page knows it). */
export function usePeriodCube(build: () => CubeQuery | null): QueryState {
  return useCube(afterPeriod(build));
}
