import { sql } from 'kysely';
import type { RuleDefinition, Severity } from './source-definition.ts';

/**
 * A code column that must exist in a hospital's dictionary (or in a reference table shared by all
 * hospitals when `perHospital` is false). A blank code is left to `required_field_missing`.
 */
export function codeInDictionary(options: {
  readonly id: string;
  readonly column: string;
  readonly label: string;
  readonly dictionary: string;
  readonly dictionaryColumn: string;
  readonly perHospital?: boolean;
  readonly severity?: Severity;
}): RuleDefinition {
  const col = sql.ref(`r.${options.column}`);
  const sameHospital = options.perHospital === false ? sql`true` : sql`d.hospital_code = r.hospital_code`;
  return {
    id: options.id,
    category: 'conformance.relational',
    severity: options.severity ?? 'blocking',
    description: `${options.label}不在字典中 (${options.column} not in ${options.dictionary})`,
    failsWhen: sql`${col} is not null and not exists (
      select 1 from ${sql.table(options.dictionary)} d
      where ${sameHospital} and d.${sql.ref(options.dictionaryColumn)} = ${col})`,
    message: sql`${options.label} || ' ' || ${col} || ' 不在字典 ' || ${options.dictionary} || ' 中'`,
  };
}
