import { sql, type RawBuilder } from 'kysely';

/**
 * A patient identifier as marts may carry it: the hex SHA-256 of the given SQL expressions joined
 * with `|` (null when the identifier is null). Staging models compute it beside the pii-tagged
 * column, so the models after them join on the key and never need the identifier itself.
 *
 * @example hashedIdentifier('hospital_code', 'patient_id') // a patient within one hospital
 */
export function hashedIdentifier(...expressions: readonly string[]): RawBuilder<string> {
  const last = expressions[expressions.length - 1]!;
  const joined = expressions.join(` || '|' || `);
  return sql<string>`case when ${sql.raw(last)} is null then null else encode(sha256(convert_to(${sql.raw(joined)}, 'UTF8')), 'hex') end`;
}
