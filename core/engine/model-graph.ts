/**
 * The dependency graph of the models: parents (what a model refs) and children, a stable
 * dependency order, and every cycle, so the compiler can report all of them at once.
 */
export interface ModelGraph {
  /** Every model after the models it refs; ties broken by name, so the order is stable. */
  readonly order: readonly string[];
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Each cycle as the names along it, first name repeated at the end. */
  readonly cycles: readonly (readonly string[])[];
}

/** Builds the graph from each model's parents; parents that are not models (seeds) are ignored. */
export function buildModelGraph(parentsOf: ReadonlyMap<string, readonly string[]>): ModelGraph {
  const parents = new Map<string, readonly string[]>();
  const children = new Map<string, string[]>();
  for (const name of parentsOf.keys()) children.set(name, []);
  for (const [name, refs] of parentsOf) {
    const models = [...new Set(refs.filter((r) => parentsOf.has(r)))];
    parents.set(name, models);
    for (const parent of models) children.get(parent)!.push(name);
  }
  const order: string[] = [];
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    const status = state.get(name);
    if (status === 'done') return;
    if (status === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(name)), name]);
      return;
    }
    state.set(name, 'visiting');
    for (const parent of parents.get(name) ?? []) visit(parent, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...parentsOf.keys()].sort()) visit(name, []);
  for (const list of children.values()) list.sort();
  return { order, parents, children, cycles };
}

/** Every model a model depends on, directly or not. */
export function ancestorsOf(graph: ModelGraph, name: string): Set<string> {
  return walk(name, (n) => graph.parents.get(n) ?? []);
}

/** Every model that depends on a model, directly or not. */
export function descendantsOf(graph: ModelGraph, name: string): Set<string> {
  return walk(name, (n) => graph.children.get(n) ?? []);
}

function walk(start: string, next: (name: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...next(name));
  }
  return seen;
}
