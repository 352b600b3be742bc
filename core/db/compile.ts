import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';

/** A Kysely that only compiles, with `createQueryCompiler`'s compiler. */
function compilingKysely(createQueryCompiler: () => PostgresQueryCompiler): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler,
    },
  });
}

/** Writes each value into the text as a literal where a bind parameter would go. */
class InliningCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    this.append(literal(value));
  }
}

/** Lets `sql` templates run on a plain pg client (inside a COPY transaction). */
const compiler = compilingKysely(() => new PostgresQueryCompiler());
const inliner = compilingKysely(() => new InliningCompiler());

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
  return query.compile(inliner).sql;
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `array[${value.map(literal).join(', ')}]`;
  return `'${String(value).replaceAll("'", "''")}'`;
}
