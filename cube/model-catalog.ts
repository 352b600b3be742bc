/** A member of Cube's compiled metadata, the fields we read. */
interface MetaMember {
  readonly name?: unknown;
  readonly meta?: unknown;
}

/** One entry of Cube's compiled metadata (`CompilerApi.metaConfig()`), the fields we read. */
interface MetaCube {
  readonly isVisible?: unknown;
  readonly config?: {
    readonly name?: unknown;
    readonly dimensions?: readonly MetaMember[];
    readonly measures?: readonly MetaMember[];
  };
}

/** What row security needs to know about a cube or view of the compiled model. */
export interface CatalogEntry {
  /** False for `public: false` cubes: building blocks of views, not for querying. */
  readonly public: boolean;
  /** Short names of its dimensions (`hospital_code`, not `cube.hospital_code`). */
  readonly dimensions: ReadonlySet<string>;
  /**
   * True when any of its members is marked `meta: { access: steward }` (exception detail,
   * quarantined payloads): then only stewards may query it at all, whichever members they pick.
   */
  readonly stewardOnly: boolean;
  /**
   * True when any of its members is marked `meta: { access: staff }` (every hospital's position
   * among its peers): analysts, managers and stewards may query it, members not at all.
   */
  readonly staffOnly: boolean;
  /**
   * Dimensions marked `meta: { default_filter: <value> }` (short name → value): a query of this
   * view that names such a dimension nowhere (not selected, not filtered) reads that value only, so
   * that queries written before the dimension existed keep their meaning (regional_benchmark's
   * benchmark_dimension = drg, period_grain = year).
   */
  readonly defaultFilters: ReadonlyMap<string, string>;
}

/** Cubes and views of the compiled model by name, private cubes included. */
export function catalogOf(metaConfig: unknown): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  if (!Array.isArray(metaConfig)) return out;
  for (const cube of metaConfig as MetaCube[]) {
    const name = cube.config?.name;
    if (typeof name !== 'string') continue;
    const dimensions = new Set<string>();
    const defaultFilters = new Map<string, string>();
    for (const dimension of cube.config?.dimensions ?? []) {
      if (typeof dimension.name !== 'string') continue;
      const short = dimension.name.slice(name.length + 1);
      dimensions.add(short);
      const fallback = defaultFilterOf(dimension.meta);
      if (fallback !== undefined) defaultFilters.set(short, fallback);
    }
    const members = [...(cube.config?.dimensions ?? []), ...(cube.config?.measures ?? [])];
    const stewardOnly = members.some((member) => accessOf(member.meta) === 'steward');
    const staffOnly = members.some((member) => accessOf(member.meta) === 'staff');
    out.set(name, { public: cube.isVisible === true, dimensions, stewardOnly, staffOnly, defaultFilters });
  }
  return out;
}

function accessOf(meta: unknown): unknown {
  return typeof meta === 'object' && meta !== null ? (meta as { access?: unknown }).access : undefined;
}

function defaultFilterOf(meta: unknown): string | undefined {
  const value =
    typeof meta === 'object' && meta !== null
      ? (meta as { default_filter?: unknown }).default_filter
      : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
