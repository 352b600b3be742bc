import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { shiftMonth } from './fund-truth.ts';

/** A row of the seed fund_alert_rules, as its CSV gives it. */
export type AlertRule = Record<string, string>;

/** The rules of the seed fund_alert_rules. */
export const alertRules = (seedsDir: string): AlertRule[] =>
  parse(readFileSync(path.join(seedsDir, 'fund', 'fund_alert_rules.csv'), 'utf8'), {
    columns: true,
  }) as AlertRule[];

/** An alert episode as fct_fund_alerts gives it, periods as `YYYY-MM`. */
export interface AlertEpisode {
  readonly fund_alert_id: string;
  readonly first_breach_period: string;
  readonly opened_period: string;
  readonly last_breach_period: string;
  readonly breach_periods: number;
  readonly current_value: number;
  readonly status: 'open' | 'closed';
  readonly closed_period: string | null;
}

/** Whether a value compared with an absolute threshold breaches the rule (`<>`: moves more than it). */
function breaches(rule: AlertRule, value: number): boolean {
  const threshold = Number(rule.threshold);
  if (rule.comparator === '>') return value > threshold;
  if (rule.comparator === '<') return value < threshold;
  return Math.abs(value) > threshold;
}

/**
 * The episodes of an absolute-threshold monthly rule for one member (`*` the hospital) of a
 * hospital, as fct_fund_alerts documents them, from the member's monthly values (null: not
 * judged): each run of calendar-consecutive breaching months at least the rule's persistence long
 * opens on its first month + persistence − 1, carries its last month's value, and is open when its
 * last breach is the hospital's `latest` observed month, else closed on the month after.
 */
export function alertEpisodes(
  rule: AlertRule,
  hospital: string,
  member: string,
  series: readonly { readonly month: string; readonly value: number | null }[],
  latest: string,
): AlertEpisode[] {
  const persistence = Number(rule.persistence);
  const runs: { month: string; value: number }[][] = [];
  for (const { month, value } of [...series].sort((a, b) => a.month.localeCompare(b.month))) {
    if (value === null || !breaches(rule, value)) continue;
    const run = runs[runs.length - 1];
    if (run && shiftMonth(run[run.length - 1]!.month, -1) === month) run.push({ month, value });
    else runs.push([{ month, value }]);
  }
  return runs
    .filter((run) => run.length >= persistence)
    .map((run) => {
      const first = run[0]!.month;
      const last = run[run.length - 1]!;
      return {
        fund_alert_id: [rule.rule_id, hospital, member, first].join('|'),
        first_breach_period: first,
        opened_period: shiftMonth(first, 1 - persistence),
        last_breach_period: last.month,
        breach_periods: run.length,
        current_value: last.value,
        status: last.month === latest ? 'open' : 'closed',
        closed_period: last.month === latest ? null : shiftMonth(last.month, -1),
      };
    });
}
