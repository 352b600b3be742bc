/** One entry of Cube's compiled metadata (`CompilerApi.metaConfig()`), the fields we read. */
interface MetaCube {
  readonly config?: {
    readonly name?: unknown;
    readonly dimensions?: ReadonlyArray<{ readonly name?: unknown }>;
  };
}

/**
 * Cube and view names of the compiled model, each with the short names of its dimensions (private
 * cubes included: row security must know them even if nobody should query them directly).
 */
export function dimensionsByCube(metaConfig: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!Array.isArray(metaConfig)) return out;
  for (const cube of metaConfig as MetaCube[]) {
    const name = cube.config?.name;
    if (typeof name !== 'string') continue;
    const dimensions = new Set<string>();
    for (const dimension of cube.config?.dimensions ?? []) {
      if (typeof dimension.name === 'string') dimensions.add(dimension.name.slice(name.length + 1));
    }
    out.set(name, dimensions);
  }
  return out;
}
