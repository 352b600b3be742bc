import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';

/** A Kysely that only compiles: lets `sql` templates run on a plain pg client (inside a COPY transaction). */
const compiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** Compiles a `sql` template to text and positional values for `pg`'s `client.query(text, values)`. */
export function compileSql(query: RawBuilder<unknown>): { text: string; values: unknown[] } {
  const compiled = query.compile(compiler);
  return { text: compiled.sql, values: [...compiled.parameters] };
}

/**
 * Compiles a `sql` template to text with its values written in as literals, for statements that
 * take no bind parameters (CREATE TABLE … AS, which may then scan with parallel workers).
 */
export function inlineSql(query: RawBuilder<unknown>): string {
  const { text, values } = compileSql(query);
  return text.replace(/\$(\d+)\b/g, (_, n: string) => literal(values[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `array[${value.map(literal).join(', ')}]`;
  return `'${String(value).replaceAll("'", "''")}'`;
}
