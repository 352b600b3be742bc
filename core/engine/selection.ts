import { HdwError } from '../errors.ts';
import type { CompiledModel, CompiledProject } from './compile-models.ts';
import { ancestorsOf, descendantsOf } from './model-graph.ts';

/** A selector that matches no model, or is malformed. */
export class SelectionError extends HdwError {
  constructor(message: string) {
    super('E_SELECT', message);
  }
}

/**
 * The models a selection names, in dependency order. Space-separated selectors are a union:
 * `name`, `+name` (with everything it depends on), `name+` (with everything depending on it),
 * `+name+`, `tag:x`, `path:models/marts/charges` (a folder or file, from the project root).
 * No selection (undefined or blank) means every model.
 *
 * @example selectModels(project, '+fct_department_charges_monthly tag:daily')
 */
export function selectModels(project: CompiledProject, selection: string | undefined): CompiledModel[] {
  const selectors = (selection ?? '').split(/[\s,]+/).filter(Boolean);
  if (selectors.length === 0) return [...project.models];
  const chosen = new Set<string>();
  for (const selector of selectors) {
    const matched = matchSelector(project, selector);
    if (matched.size === 0) throw new SelectionError(`selector "${selector}" matches no model`);
    for (const name of matched) chosen.add(name);
  }
  return project.models.filter((m) => chosen.has(m.definition.name));
}

function matchSelector(project: CompiledProject, selector: string): Set<string> {
  const upstream = selector.startsWith('+');
  const downstream = selector.endsWith('+') && selector.length > 1;
  const core = selector.slice(upstream ? 1 : 0, downstream ? -1 : undefined);
  let base: CompiledModel[];
  if (core.startsWith('tag:')) {
    const tag = core.slice(4);
    base = project.models.filter((m) => m.definition.tags?.includes(tag));
  } else if (core.startsWith('path:')) {
    const prefix = core.slice(5).replace(/\/+$/, '');
    base = project.models.filter(
      (m) => m.path === prefix || m.path.startsWith(`${prefix}/`) || m.path === `${prefix}.ts`,
    );
  } else {
    if (!/^\w+$/.test(core))
      throw new SelectionError(`selector "${selector}" is not a model name, +name, name+, tag:x or path:dir`);
    base = project.models.filter((m) => m.definition.name === core);
  }
  const names = new Set(base.map((m) => m.definition.name));
  for (const name of [...names]) {
    if (upstream) for (const n of ancestorsOf(project.graph, name)) names.add(n);
    if (downstream) for (const n of descendantsOf(project.graph, name)) names.add(n);
  }
  return names;
}
