import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { filters } from './filters';
import { load, type CubeQuery, type CubeResult } from './cube';

export interface QueryState {
  readonly result: ShallowRef<CubeResult | null>;
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
  /** The query last sent (for the table's Excel export, which runs the same query on the server). */
  readonly query: ShallowRef<CubeQuery | null>;
  reload(): Promise<void>;
}

/**
 * A Cube query that follows the page filters: `build` is called again whenever the period or
 * hospital changes (or its own reactive inputs do), and may return null to wait (e.g. until the
 * months are known). Only the latest answer is kept, so a slow earlier answer never overwrites it.
 */
export function useCube(build: () => CubeQuery | null): QueryState {
  const result = shallowRef<CubeResult | null>(null);
  const query = shallowRef<CubeQuery | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let latest = 0;
  async function reload(): Promise<void> {
    const q = build();
    query.value = q;
    if (!q) return;
    const ticket = ++latest;
    loading.value = true;
    error.value = null;
    try {
      const answer = await load(q);
      if (ticket === latest) result.value = answer;
    } catch (e) {
      if (ticket === latest) {
        error.value = (e as Error).message;
        result.value = null;
      }
    } finally {
      if (ticket === latest) loading.value = false;
    }
  }
  watch(
    () => [filters.from, filters.to, filters.hospital, JSON.stringify(build())],
    () => void reload(),
    { immediate: true },
  );
  return { result, loading, error, query, reload };
}
