/** The parts of a Cube query (as `queryRewrite` receives it, normalised) that name members. */
export interface CubeQuery {
  measures?: unknown[];
  dimensions?: unknown[];
  segments?: unknown[];
  timeDimensions?: Array<{ dimension?: unknown }>;
  filters?: unknown[];
  order?: unknown;
  [key: string]: unknown;
}

/** Thrown when a query names a member in a form we cannot attribute to a cube. */
export class UnreadableMemberError extends Error {}

/**
 * Every cube or view a query reads, from measures, dimensions, segments, time dimensions and
 * filters (nested and/or included). A member is `cube.member` (time dimensions may add
 * `.granularity`); member expressions name their cube in `cubeName`. Anything else throws, so a
 * shape we do not understand can never slip past row security. `order` is left out on purpose:
 * Cube only sorts by members already selected and drops any other order entry, so it never brings
 * a cube into the SQL (and GraphQL's root `orderBy` spells cube names capitalised).
 */
export function cubesOfQuery(query: CubeQuery): Set<string> {
  const cubes = new Set<string>();
  visitMembers(query, (member) => cubes.add(cubeOfMember(member)));
  return cubes;
}

/**
 * The members (`cube.member`) a query names by name anywhere it can: measures, dimensions,
 * segments, time dimensions (without a granularity) and filters, nested and/or included.
 */
export function membersOfQuery(query: CubeQuery): Set<string> {
  const members = new Set<string>();
  visitMembers(query, (member) => {
    if (typeof member === 'string') members.add(member.split('.').slice(0, 2).join('.'));
  });
  return members;
}

function visitMembers(query: CubeQuery, add: (member: unknown) => void): void {
  for (const member of query.measures ?? []) add(member);
  for (const member of query.dimensions ?? []) add(member);
  for (const member of query.segments ?? []) add(member);
  for (const td of query.timeDimensions ?? []) add(td.dimension);
  for (const filter of query.filters ?? []) addFilter(filter, add);
}

function cubeOfMember(member: unknown): string {
  if (typeof member === 'string') {
    const cube = member.split('.')[0];
    if (cube && member.includes('.')) return cube;
  } else if (typeof member === 'object' && member !== null) {
    const cubeName = (member as { cubeName?: unknown }).cubeName;
    if (typeof cubeName === 'string' && cubeName !== '') return cubeName;
  }
  throw new UnreadableMemberError('query names a member that is not of the form cube.member');
}

function addFilter(filter: unknown, add: (member: unknown) => void): void {
  if (typeof filter !== 'object' || filter === null) throw new UnreadableMemberError('unreadable filter');
  const f = filter as { member?: unknown; dimension?: unknown; and?: unknown; or?: unknown };
  if (Array.isArray(f.and) || Array.isArray(f.or)) {
    for (const inner of [...((f.and as unknown[]) ?? []), ...((f.or as unknown[]) ?? [])])
      addFilter(inner, add);
    return;
  }
  add(f.member ?? f.dimension);
}
