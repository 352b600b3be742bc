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
}

/** Cubes and views of the compiled model by name, private cubes included. */
export function catalogOf(metaConfig: unknown): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  if (!Array.isArray(metaConfig)) return out;
  for (const cube of metaConfig as MetaCube[]) {
    const name = cube.config?.name;
    if (typeof name !== 'string') continue;
    const dimensions = new Set<string>();
    for (const dimension of cube.config?.dimensions ?? []) {
      if (typeof dimension.name === 'string') dimensions.add(dimension.name.slice(name.length + 1));
    }
    const members = [...(cube.config?.dimensions ?? []), ...(cube.config?.measures ?? [])];
    const stewardOnly = members.some((member) => accessOf(member.meta) === 'steward');
    const staffOnly = members.some((member) => accessOf(member.meta) === 'staff');
    out.set(name, { public: cube.isVisible === true, dimensions, stewardOnly, staffOnly });
  }
  return out;
}

function accessOf(meta: unknown): unknown {
  return typeof meta === 'object' && meta !== null ? (meta as { access?: unknown }).access : undefined;
}
