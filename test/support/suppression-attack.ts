/**
 * The recovery attack on a shared sum table: what an attacker who knows every line total (each
 * row's and each column's total, per period) and the cells it is shown can work out of the cells
 * it is not shown. Exact: Gaussian elimination (Gauss–Jordan) on the line equations restricted to
 * the hidden cells, integer coefficients and bigint right-hand sides; a hidden cell is recovered
 * iff its unit vector lies in the equations' row space, i.e. iff its reduced equation has no free
 * unknown left. Independent of the suppression algorithm (no graph, no bridges): the test's own
 * judge.
 */

/** A cell as the attacker sees it: `value` is null when hidden, else the figure shown (cents, counts). */
export interface SeenCell {
  readonly id: string;
  readonly period: string;
  readonly row: string;
  readonly column: string;
  readonly value: bigint | null;
}

/** A cell as it truly is (the marts), for line totals and to check a recovered value. */
export interface TrueCell {
  readonly id: string;
  readonly period: string;
  readonly row: string;
  readonly column: string;
  readonly value: bigint;
}

/** Line totals by `lineKey`: every row's and every column's total of every period. */
export type LineTotals = ReadonlyMap<string, bigint>;

export function lineKey(period: string, axis: 'row' | 'column', key: string): string {
  return `${period}\u0000${axis}\u0000${key}`;
}

/** Every line's total of a true table: what the attacker is assumed to know. */
export function lineTotals(cells: readonly TrueCell[]): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  const add = (key: string, value: bigint) => totals.set(key, (totals.get(key) ?? 0n) + value);
  for (const c of cells) {
    add(lineKey(c.period, 'row', c.row), c.value);
    add(lineKey(c.period, 'column', c.column), c.value);
  }
  return totals;
}

interface Equation {
  readonly terms: Map<number, number>;
  rhs: bigint;
}

/**
 * The hidden cells the attacker can work out, with the value it works out (by id). Throws if the
 * equations contradict each other (the totals do not belong to the table) or a coefficient leaves
 * {−1, 0, 1} (line equations are totally unimodular, so exact integer pivots always exist).
 */
export function recoverHiddenCells(seen: readonly SeenCell[], totals: LineTotals): Map<string, bigint> {
  const recovered = new Map<string, bigint>();
  const byPeriod = new Map<string, SeenCell[]>();
  for (const cell of seen) {
    const list = byPeriod.get(cell.period);
    if (list) list.push(cell);
    else byPeriod.set(cell.period, [cell]);
  }
  for (const [period, cells] of byPeriod) {
    const hidden = cells.filter((c) => c.value === null).sort((a, b) => (a.id < b.id ? -1 : 1));
    if (hidden.length === 0) continue;
    const lines = new Map<string, { hidden: number[]; shown: bigint }>();
    const line = (key: string) => {
      let l = lines.get(key);
      if (!l) lines.set(key, (l = { hidden: [], shown: 0n }));
      return l;
    };
    const index = new Map(hidden.map((c, i) => [c.id, i]));
    for (const c of cells)
      for (const key of [lineKey(period, 'row', c.row), lineKey(period, 'column', c.column)]) {
        const l = line(key);
        if (c.value === null) l.hidden.push(index.get(c.id)!);
        else l.shown += c.value;
      }
    const equations: Equation[] = [];
    for (const key of [...lines.keys()].sort()) {
      const l = lines.get(key)!;
      const total = totals.get(key);
      if (total === undefined || l.hidden.length === 0) continue;
      equations.push({ terms: new Map(l.hidden.map((u) => [u, 1])), rhs: total - l.shown });
    }
    // Short equations first: columns of few hospitals pivot without filling the long row lines in.
    equations.sort((a, b) => a.terms.size - b.terms.size);
    const holders = new Map<number, Set<number>>();
    equations.forEach((eq, i) => {
      for (const u of eq.terms.keys()) {
        let h = holders.get(u);
        if (!h) holders.set(u, (h = new Set()));
        h.add(i);
      }
    });
    const pivotOf = new Map<number, number>(); // unknown → equation
    equations.forEach((eq, i) => {
      if (eq.terms.size === 0) {
        if (eq.rhs !== 0n) throw new Error(`line totals contradict the table in period ${period}`);
        return;
      }
      const pivot = Math.min(...eq.terms.keys());
      const a = eq.terms.get(pivot)!;
      if (a !== 1 && a !== -1) throw new Error(`pivot ${a} is not a unit`);
      pivotOf.set(pivot, i);
      for (const k of [...holders.get(pivot)!]) {
        if (k === i) continue;
        const other = equations[k]!;
        const factor = other.terms.get(pivot)! * a; // a = ±1 = 1 / a
        for (const [u, coefficient] of eq.terms) {
          const value = (other.terms.get(u) ?? 0) - factor * coefficient;
          if (Math.abs(value) > 1) throw new Error(`coefficient ${value} left {-1, 0, 1}`);
          if (value === 0) {
            other.terms.delete(u);
            holders.get(u)!.delete(k);
          } else {
            if (!other.terms.has(u)) holders.get(u)!.add(k);
            other.terms.set(u, value);
          }
        }
        other.rhs -= BigInt(factor) * eq.rhs;
      }
    });
    for (const [u, i] of pivotOf) {
      const eq = equations[i]!;
      if (eq.terms.size === 1) recovered.set(hidden[u]!.id, eq.rhs * BigInt(eq.terms.get(u)!));
    }
  }
  return recovered;
}
