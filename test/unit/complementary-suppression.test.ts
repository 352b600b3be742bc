import { describe, expect, it } from 'vitest';
import {
  complementarySuppression,
  type SuppressionAttacker,
  type SuppressionCell,
} from '../../core/security/complementary-suppression.ts';
import {
  lineTotals,
  recoverHiddenCells,
  type SeenCell,
  type TrueCell,
} from '../support/suppression-attack.ts';

/** A table written as rows of counts (null: no such cell), one period; ids `R<i>C<j>`. */
function table(counts: readonly (readonly (number | null)[])[], period = 'p'): SuppressionCell[] {
  return counts.flatMap((row, i) =>
    row.flatMap((count, j) =>
      count === null ? [] : [{ id: `${period}R${i}C${j}`, period, row: `R${i}`, column: `C${j}`, count }],
    ),
  );
}

const truth = (cells: readonly SuppressionCell[]): TrueCell[] =>
  cells.map((c) => ({ ...c, value: BigInt(c.count) }));

/** What an attacker sees once `hidden` are suppressed; `knownRows` are its own (shown to itself). */
function seen(
  cells: readonly SuppressionCell[],
  hidden: ReadonlySet<string>,
  knownRows: readonly string[] = [],
) {
  return cells.map((c): SeenCell => ({
    ...c,
    value: hidden.has(c.id) && !knownRows.includes(c.row) ? null : BigInt(c.count),
  }));
}

/** The suppressed cells the attack recovers, beyond those the line totals alone give away. */
function attack(
  cells: readonly SuppressionCell[],
  hidden: ReadonlySet<string>,
  knownRows: readonly string[] = [],
) {
  const totals = lineTotals(truth(cells));
  const recovered = recoverHiddenCells(seen(cells, hidden, knownRows), totals);
  for (const [id, value] of recovered)
    expect(value, `recovered value of ${id}`).toBe(BigInt(cells.find((c) => c.id === id)!.count));
  const byTotals = recoverHiddenCells(seen(cells, new Set(cells.map((c) => c.id)), knownRows), totals);
  return [...recovered.keys()].filter((id) => !byTotals.has(id)).sort();
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('complementary suppression', () => {
  it('the attack recovers a lone small cell of a line from its total (primary suppression alone leaks)', () => {
    const cells = table([
      [3, 40, 25],
      [30, 12, 50],
      [20, 60, 15],
    ]);
    expect(attack(cells, new Set(['pR0C0']))).toEqual(['pR0C0']);
  });

  it('a row with one small cell: its smallest sibling and the cells closing the rectangle are suppressed too', () => {
    const cells = table([
      [3, 40, 25],
      [30, 12, 50],
      [20, 60, 15],
    ]);
    const result = complementarySuppression(cells, 10);
    expect(result.primary).toEqual(['pR0C0']);
    // R0's smallest sibling is C2 (25); the cheapest rectangle through R0C0 and R0C2 then runs
    // through R2 (20 + 15) rather than R1 (30 + 50).
    expect(result.secondary).toEqual(['pR0C2', 'pR2C0', 'pR2C2']);
    expect(result.disclosedByTotals).toEqual([]);
    expect(attack(cells, new Set([...result.primary, ...result.secondary]))).toEqual([]);
  });

  it('a table needing no secondary suppression: small cells already on a cycle', () => {
    const cells = table([
      [3, 4, 25],
      [5, 6, 50],
      [20, 60, 15],
    ]);
    const result = complementarySuppression(cells, 10);
    expect(result.primary).toEqual(['pR0C0', 'pR0C1', 'pR1C0', 'pR1C1']);
    expect(result.secondary).toEqual([]);
    expect(attack(cells, new Set(result.primary))).toEqual([]);
  });

  it('a chain: every line holds two suppressed cells, yet the cell joining two rectangles is a bridge', () => {
    // Two suppressed rectangles (R0R1×C0C1 and R2R3×C2C3) joined by R1C2: every row and column
    // has at least two suppressed cells, so the line rule alone stops, but R1C2 is on no cycle.
    const cells = table([
      [2, 3, 40, 50, 60],
      [4, 5, 6, 70, 80],
      [90, 95, 7, 8, 99],
      [85, 75, 2, 3, 65],
    ]);
    const primary = new Set([
      'pR0C0',
      'pR0C1',
      'pR1C0',
      'pR1C1',
      'pR1C2',
      'pR2C2',
      'pR2C3',
      'pR3C2',
      'pR3C3',
    ]);
    expect(attack(cells, primary)).toEqual(['pR1C2']);
    const result = complementarySuppression(cells, 10);
    expect(new Set(result.primary)).toEqual(primary);
    // The cheapest cell closing a cycle through R1C2: a cell of R1 in C3 (70) or of R0 in C2/C3
    // (40), or of R2/R3 in C0/C1 (75 at least): R0C2 (40) wins.
    expect(result.secondary).toEqual(['pR0C2']);
    expect(attack(cells, new Set([...result.primary, ...result.secondary]))).toEqual([]);
  });

  it('leaves a cell the totals alone give away (the only cell of its column) to the report', () => {
    const cells = table([
      [3, 40, 25],
      [null, 12, 50],
      [null, 60, 15],
    ]);
    const result = complementarySuppression(cells, 10);
    expect(result.disclosedByTotals).toEqual(['pR0C0']);
    expect(result.secondary).toEqual([]);
  });

  it('keeps periods apart and is deterministic whatever the input order', () => {
    const cells = [
      ...table(
        [
          [3, 40],
          [30, 12],
        ],
        '2025-01',
      ),
      ...table(
        [
          [30, 40],
          [30, 12],
        ],
        '2025-02',
      ),
    ];
    const a = complementarySuppression(cells, 10);
    const b = complementarySuppression([...cells].reverse(), 10);
    expect(a).toEqual(b);
    expect(a.secondary.every((id) => id.startsWith('2025-01'))).toBe(true);
    expect(a.secondary).toEqual(['2025-01R0C1', '2025-01R1C0', '2025-01R1C1']);
  });

  for (const attacker of ['outsiders', 'each-row'] as const satisfies readonly SuppressionAttacker[])
    it(`random tables (${attacker}): the recovery attack recovers no suppressed cell the totals alone do not give away`, () => {
      const random = prng(attacker === 'outsiders' ? 15 : 16);
      let secondary = 0;
      let recoveredBefore = 0;
      for (let round = 0; round < 150; round++) {
        const rows = 2 + Math.floor(random() * 6);
        const columns = 2 + Math.floor(random() * 9);
        const density = 0.5 + random() * 0.5;
        const cells: SuppressionCell[] = [];
        for (const period of ['a', 'b'])
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < columns; j++)
              if (random() < density)
                cells.push({
                  id: `${period}|R${i}|C${j}`,
                  period,
                  row: `R${i}`,
                  column: `C${j}`,
                  count: Math.floor(random() < 0.35 ? random() * 10 : 10 + random() * 200),
                });
        const result = complementarySuppression(cells, 10, attacker);
        secondary += result.secondary.length;
        const hidden = new Set([...result.primary, ...result.secondary]);
        expect(result.secondary.some((id) => result.primary.includes(id))).toBe(false);
        const attackers =
          attacker === 'outsiders' ? [[]] : [[], ...[...new Set(cells.map((c) => c.row))].map((r) => [r])];
        for (const known of attackers) {
          recoveredBefore += attack(cells, new Set(result.primary), known).length;
          expect(attack(cells, hidden, known), `round ${round}, known ${known.join()}`).toEqual([]);
        }
      }
      // The property is not vacuous: primary suppression alone leaks, and secondary cells were needed.
      expect(recoveredBefore).toBeGreaterThan(20);
      expect(secondary).toBeGreaterThan(20);
    });

  it('is fast enough for the full demo (≈150 k DRG cells)', () => {
    const random = prng(7);
    const cells: SuppressionCell[] = [];
    for (let m = 0; m < 36; m++)
      for (let h = 0; h < 12; h++)
        for (let g = 0; g < 600; g++)
          if (random() < 0.6) {
            const count = Math.floor(random() < 0.5 ? random() * 10 : 10 + random() * 100);
            cells.push({ id: `${m}|${h}|${g}`, period: String(m), row: `H${h}`, column: `G${g}`, count });
          }
    const started = Date.now();
    const result = complementarySuppression(cells, 10);
    const ms = Date.now() - started;
    expect(cells.length).toBeGreaterThan(140_000);
    expect(result.secondary.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(30_000);
  });
});
