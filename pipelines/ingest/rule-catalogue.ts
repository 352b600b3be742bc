import type pg from 'pg';
import { parseRules } from './row-encoder.ts';
import type { RuleCategory, Severity, SourceDefinition } from './source-definition.ts';

/** How one rule behaves in this warehouse: the declared default, overridden by `ref.dq_rules`. */
export interface RuleSetting {
  readonly ruleId: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** Share of a batch's rows failing the rule above which the whole batch is flagged. */
  readonly batchThreshold: number;
  readonly description: string;
}

/** Default share of failing rows that flags a batch, when the catalogue does not say. */
export const DEFAULT_BATCH_THRESHOLD = 0.05;

/**
 * The rule catalogue (after OHDSI's DQD): every rule a source declares plus the checks made while
 * reading, with severity and batch threshold taken from `ref.dq_rules` (seeds/reference/dq_rules.csv)
 * where the steward configured them, else from the declaration.
 */
export async function loadRuleSettings(
  client: pg.PoolClient | pg.Pool,
  source: SourceDefinition,
): Promise<Map<string, RuleSetting>> {
  const configured = new Map<string, { severity: string; batch_threshold: string }>();
  const exists = await client.query<{ t: string | null }>(`select to_regclass('ref.dq_rules')::text as t`);
  if (exists.rows[0]?.t) {
    const { rows } = await client.query<{ rule_id: string; severity: string; batch_threshold: string }>(
      `select rule_id, severity, batch_threshold::text from ref.dq_rules`,
    );
    for (const row of rows) configured.set(row.rule_id, row);
  }
  const settings = new Map<string, RuleSetting>();
  const declare = (ruleId: string, category: RuleCategory, severity: Severity, description: string) => {
    if (settings.has(ruleId)) return;
    const row = configured.get(ruleId);
    settings.set(ruleId, {
      ruleId,
      category,
      severity: row?.severity === 'blocking' || row?.severity === 'warning' ? row.severity : severity,
      batchThreshold: row ? Number(row.batch_threshold) : DEFAULT_BATCH_THRESHOLD,
      description,
    });
  };
  for (const [ruleId, rule] of Object.entries(parseRules))
    declare(ruleId, rule.category, rule.severity, rule.description);
  for (const rule of source.rules) declare(rule.id, rule.category, rule.severity, rule.description);
  return settings;
}
