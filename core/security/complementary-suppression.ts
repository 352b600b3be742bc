/**
 * Complementary (secondary) suppression for the alliance's shared sum tables.
 *
 * A shared table is, per period (a month, or a month and visit type), a two-way table: rows are
 * hospitals, columns are categories (standard departments, DRG groups). Whoever knows a line total
 * (a hospital's monthly discharges, a region's per-department charges) and the shown cells of that
 * line can subtract, and a cell suppressed for too few cases comes back. We assume the attacker
 * knows every row and column total of every period.
 *
 * With the totals known, the suppressed cells of a period are the unknowns of one equation per
 * line. Seen as a bipartite graph (row and column nodes, one edge per suppressed cell), the cells
 * those equations determine are exactly the graph's bridges: an edge on a cycle can be moved by
 * +t/−t around the cycle without changing any line total, an edge on no cycle cannot. A line with
 * one suppressed cell is the simplest bridge (a node of degree 1). So the rule here is: until no
 * suppressed cell is a bridge, take each bridge and suppress the cheapest further cells that close
 * a cycle through it (the path of least count between its row and its column, suppressed cells
 * costing nothing). For a lone small cell in a row this is the familiar rectangle: its smallest
 * useful sibling in the row, and the cells completing the rectangle in the columns.
 *
 * A member also knows its own hospital's cells, which then drop out of the equations: with
 * `each-row` (what the shared relations use) every suppressed cell must also lie on a cycle that
 * avoids each other hospital's row, so no member can work a peer's cell out either.
 *
 * A cell that is a bridge of the period's table of *all* cells (the only hospital with that DRG in
 * that month, say) is given away by the totals themselves, whatever the table shows; no
 * suppression can protect it, and it is reported (`disclosedByTotals`) rather than chased.
 */

/** One cell of a shared sum table, as the suppression sees it. */
export interface SuppressionCell {
  /** The relation's cell id (`benchmark_cell_id`). */
  readonly id: string;
  /** The cell's period: lines never cross it (month, or month and visit type). */
  readonly period: string;
  /** The row key (the hospital). */
  readonly row: string;
  /** The column key (the category: department, DRG group). */
  readonly column: string;
  /** The count the minimum applies to (cases, lines, volume); also the cost of suppressing the cell. */
  readonly count: number;
}

/**
 * Who must not recover a suppressed cell: `outsiders` know every line total and the shown cells;
 * `each-row` also protects against every row's owner (a member knows its own hospital's cells,
 * so its row drops out of the equations).
 */
export type SuppressionAttacker = 'outsiders' | 'each-row';

export interface SuppressionResult {
  /** Cells under the minimum count, by id (sorted). */
  readonly primary: readonly string[];
  /** Further cells suppressed so that no suppressed cell is determined by the totals (sorted). */
  readonly secondary: readonly string[];
  /** Suppressed cells that the line totals alone determine, whatever is shown (sorted). */
  readonly disclosedByTotals: readonly string[];
}

/**
 * The cells to suppress in a shared sum table: every cell under `minCount`, and further cells so
 * that none of those is determined by the line totals and the shown cells. Deterministic (cells
 * are taken in id order), and linear-ish per bridge: one cheapest-path search per bridge found.
 *
 * @example
 *   const { secondary } = complementarySuppression(cells, policy.minCellCases);
 *   // store `secondary`; the shared view nulls primary and secondary cells alike
 */
export function complementarySuppression(
  cells: readonly SuppressionCell[],
  minCount: number,
  attacker: SuppressionAttacker = 'outsiders',
): SuppressionResult {
  const byPeriod = new Map<string, SuppressionCell[]>();
  for (const cell of [...cells].sort((a, b) => compare(a.id, b.id))) {
    const list = byPeriod.get(cell.period);
    if (list) list.push(cell);
    else byPeriod.set(cell.period, [cell]);
  }
  const primary: string[] = [];
  const secondary: string[] = [];
  const disclosed = new Set<string>();
  for (const periodCells of byPeriod.values()) {
    const table = periodTable(periodCells);
    const suppressed = periodCells.map((cell) => !(cell.count >= minCount));
    suppressed.forEach((s, e) => s && primary.push(periodCells[e]!.id));
    const views: (number | undefined)[] =
      attacker === 'each-row' ? [undefined, ...table.rowNodes] : [undefined];
    for (let pass = 0; ; pass++) {
      let added = false;
      for (const excluded of views) {
        const intrinsic = bridges(table, () => true, excluded);
        for (const b of bridgeList(bridges(table, (e) => suppressed[e]!, excluded))) {
          if (intrinsic[b]) {
            disclosed.add(periodCells[b]!.id);
            continue;
          }
          const path = cheapestClosingPath(table, b, suppressed, excluded);
          for (const e of path)
            if (!suppressed[e]) {
              suppressed[e] = true;
              secondary.push(periodCells[e]!.id);
              added = true;
            }
        }
      }
      if (!added) break;
      if (pass > periodCells.length) throw new Error('complementary suppression did not settle');
    }
  }
  return {
    primary: primary.sort(compare),
    secondary: secondary.sort(compare),
    disclosedByTotals: [...disclosed].sort(compare),
  };
}

/** Code-unit order, the same on every machine (ids are ASCII keys). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface PeriodTable {
  readonly nodeCount: number;
  /** Node indices of the rows (hospitals). */
  readonly rowNodes: readonly number[];
  /** Edge e joins row node `from[e]` and column node `to[e]`. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly count: Float64Array;
  /** Edges at each node, in edge (id) order. */
  readonly incident: readonly (readonly number[])[];
}

function periodTable(cells: readonly SuppressionCell[]): PeriodTable {
  const rows = [...new Set(cells.map((c) => c.row))].sort(compare);
  const columns = [...new Set(cells.map((c) => c.column))].sort(compare);
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const columnIndex = new Map(columns.map((c, i) => [c, rows.length + i]));
  const nodeCount = rows.length + columns.length;
  const from = new Int32Array(cells.length);
  const to = new Int32Array(cells.length);
  const count = new Float64Array(cells.length);
  const incident: number[][] = Array.from({ length: nodeCount }, () => []);
  cells.forEach((cell, e) => {
    from[e] = rowIndex.get(cell.row)!;
    to[e] = columnIndex.get(cell.column)!;
    count[e] = Math.max(0, cell.count);
    incident[from[e]!]!.push(e);
    incident[to[e]!]!.push(e);
  });
  return { nodeCount, rowNodes: rows.map((_, i) => i), from, to, count, incident };
}

/**
 * The bridges of the subgraph of edges where `active` holds, with node `excluded` (and its edges)
 * removed: an iterative Tarjan low-link search (no recursion, tables can be large).
 */
function bridges(table: PeriodTable, active: (e: number) => boolean, excluded?: number): Uint8Array {
  const { nodeCount, from, to, incident } = table;
  const isBridge = new Uint8Array(from.length);
  const order = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const parentEdge = new Int32Array(nodeCount).fill(-1);
  const cursor = new Int32Array(nodeCount);
  const usable = (e: number) => active(e) && from[e] !== excluded && to[e] !== excluded;
  let time = 0;
  const stack: number[] = [];
  for (let root = 0; root < nodeCount; root++) {
    if (order[root] !== -1 || root === excluded) continue;
    order[root] = low[root] = time++;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      const edges = incident[node]!;
      if (cursor[node]! < edges.length) {
        const e = edges[cursor[node]!++]!;
        if (e === parentEdge[node] || !usable(e)) continue;
        const next = from[e] === node ? to[e]! : from[e]!;
        if (order[next] === -1) {
          parentEdge[next] = e;
          order[next] = low[next] = time++;
          stack.push(next);
        } else low[node] = Math.min(low[node]!, order[next]!);
      } else {
        stack.pop();
        const e = parentEdge[node]!;
        if (e >= 0) {
          const parent = from[e] === node ? to[e]! : from[e]!;
          low[parent] = Math.min(low[parent]!, low[node]!);
          if (low[node]! > order[parent]!) isBridge[e] = 1;
        }
      }
    }
  }
  return isBridge;
}

function bridgeList(isBridge: Uint8Array): number[] {
  const list: number[] = [];
  isBridge.forEach((b, e) => b && list.push(e));
  return list;
}

/**
 * The unsuppressed edges of the cheapest path from the bridge's row to its column that avoids the
 * bridge (and the excluded node): suppressed edges cost nothing, others their count. Empty when
 * suppressed edges already close a cycle through it. Dijkstra with a binary heap; ties by node.
 */
function cheapestClosingPath(
  table: PeriodTable,
  bridge: number,
  suppressed: readonly boolean[],
  excluded?: number,
): number[] {
  const { nodeCount, from, to, count, incident } = table;
  const start = from[bridge]!;
  const goal = to[bridge]!;
  const distance = new Float64Array(nodeCount).fill(Infinity);
  const via = new Int32Array(nodeCount).fill(-1);
  const done = new Uint8Array(nodeCount);
  const heap = new MinHeap();
  distance[start] = 0;
  heap.push(0, start);
  while (heap.size > 0) {
    const [d, node] = heap.pop();
    if (done[node] || d > distance[node]!) continue;
    done[node] = 1;
    if (node === goal) break;
    for (const e of incident[node]!) {
      if (e === bridge) continue;
      const next = from[e] === node ? to[e]! : from[e]!;
      if (next === excluded || done[next]) continue;
      const nd = d + (suppressed[e] ? 0 : count[e]!);
      if (nd < distance[next]!) {
        distance[next] = nd;
        via[next] = e;
        heap.push(nd, next);
      }
    }
  }
  // A bridge of the table of all cells is never chased, so the goal is always reached.
  if (!done[goal])
    throw new Error('complementary suppression: no cycle closes a bridge of a 2-edge-connected table');
  const path: number[] = [];
  for (let node = goal; node !== start;) {
    const e = via[node]!;
    if (!suppressed[e]) path.push(e);
    node = from[e] === node ? to[e]! : from[e]!;
  }
  return path;
}

/** A binary min-heap of (key, node), ties broken by node index. */
class MinHeap {
  private readonly keys: number[] = [];
  private readonly nodes: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, node: number): void {
    this.keys.push(key);
    this.nodes.push(node);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.keys[0]!, this.nodes[0]!];
    const lastKey = this.keys.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.nodes[0] = lastNode;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.less(l, m)) m = l;
        if (r < this.keys.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return (
      this.keys[a]! < this.keys[b]! || (this.keys[a] === this.keys[b] && this.nodes[a]! < this.nodes[b]!)
    );
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.nodes[a], this.nodes[b]] = [this.nodes[b]!, this.nodes[a]!];
  }
}
