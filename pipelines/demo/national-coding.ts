import { createGrouper, type Grouper } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';

let grouper: Grouper | undefined;

/**
 * The national CHS-DRG 1.1 grouper (the rules the project ships), loaded once per process: the
 * generator codes each stay's secondary diagnoses by its CC/MCC and exclusion tables, so that the
 * national rules place the stay in its true group.
 */
export function nationalGrouper(): Grouper {
  grouper ??= createGrouper(readRuleSet());
  return grouper;
}

/** What `secondary` counts as beside `principal` under the national rules: MCC, CC or nothing. */
export function complicationLevel(principal: string, secondary: string): 'MCC' | 'CC' | undefined {
  return nationalGrouper().complicationLevel(principal, secondary);
}

/** How severe a group is: 0 不伴, 1 伴并发症 (a CC counts), 2 伴严重并发症 (an MCC counts). */
export type Severity = 0 | 1 | 2;

const LEVEL_SEVERITY = { CC: 1, MCC: 2 } as const;

/**
 * Whether `secondary`, coded beside `principal`, leaves a stay of `severity` where it is: it counts
 * at most at that level (severity 0: neither CC nor MCC; 1: not an MCC; 2: anything).
 */
export function keepsSeverity(severity: Severity, principal: string, secondary: string): boolean {
  const level = complicationLevel(principal, secondary);
  return level === undefined || LEVEL_SEVERITY[level] <= severity;
}

/**
 * Of `candidates`, those that beside `principal` count exactly at `severity` (1: a CC, 2: an MCC):
 * one of them makes a stay of that severity. None for severity 0.
 */
export function severityComplications(
  severity: Severity,
  principal: string,
  candidates: readonly string[],
): string[] {
  if (severity === 0) return [];
  const wanted = severity === 2 ? 'MCC' : 'CC';
  return candidates.filter((c) => c !== principal && complicationLevel(principal, c) === wanted);
}
