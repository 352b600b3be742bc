import { sql, type RawBuilder } from 'kysely';

/**
 * A person identifier as marts may carry it: the hex SHA-256 of the deployment's secret salt
 * (`ops.key_salt`, drawn when the warehouse is created) and the given SQL expressions, joined with
 * `|` (null when the identifier is null). Without the salt a key could be recovered by hashing
 * every possible code. Staging models compute it beside the pii-tagged column, so the models after
 * them join on the key and never need the identifier itself.
 *
 * @example hashedIdentifier('hospital_code', 'patient_id') // a patient within one hospital
 */
export function hashedIdentifier(...expressions: readonly string[]): RawBuilder<string> {
  const last = expressions[expressions.length - 1]!;
  const joined = ['(select salt from ops.key_salt)', ...expressions].join(` || '|' || `);
  return sql<string>`case when ${sql.raw(last)} is null then null else encode(sha256(convert_to(${sql.raw(joined)}, 'UTF8')), 'hex') end`;
}
