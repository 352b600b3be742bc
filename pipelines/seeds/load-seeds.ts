import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { ddlType, parseValue } from '../../core/contract/columns.ts';
import type { SeedSchema } from '../../core/contract/seed-schema.ts';
import { withTransaction } from '../../core/db/transaction.ts';
import { HdwError } from '../../core/errors.ts';
import type { Logger } from '../../core/logging/logger.ts';

export interface SeedFile {
  readonly name: string;
  readonly csv: string;
  readonly schema: SeedSchema;
}

/** Seeds found by path: every `<dir>/<domain>/<name>.csv` with its `<name>.schema.ts`. */
export async function findSeeds(dir: string): Promise<SeedFile[]> {
  const seeds: SeedFile[] = [];
  for (const domain of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    const folder = path.join(dir, domain.name);
    for (const file of (await readdir(folder)).filter((f) => f.endsWith('.csv')).sort()) {
      const name = file.slice(0, -4);
      const schemaFile = path.join(folder, `${name}.schema.ts`);
      const mod = (await import(pathToFileURL(schemaFile).href).catch((error) => {
        throw new HdwError(
          'E_SEED',
          `seed ${file} has no readable schema ${schemaFile}: ${(error as Error).message}`,
        );
      })) as { schema: SeedSchema };
      // Every seed becomes ref.<name>: two folders with the same name would overwrite each other.
      const twin = seeds.find((s) => s.name === name);
      if (twin)
        throw new HdwError(
          'E_SEED',
          `seed ${path.join(domain.name, file)} has the same name as ${path.relative(dir, twin.csv)}: both would be ref.${name}; rename one`,
        );
      seeds.push({ name, csv: path.join(folder, file), schema: mod.schema });
    }
  }
  return seeds;
}

/**
 * Replaces `ref.<name>` with the seed's rows, in one transaction, validating every value against
 * its schema first: a bad seed stops the load with the file, line and column named. A seed whose
 * content changed gets a new version in ops.seed_versions (its sha256 and a change number), which
 * is how the engine knows to rebuild incremental models that read it.
 */
export async function loadSeeds(
  pool: pg.Pool,
  seeds: readonly SeedFile[],
  logger: Logger,
  /** Run in the same transaction after the seeds, e.g. to add the national code lists. */
  after?: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  await withTransaction(pool, async (client) => {
    for (const seed of seeds) {
      const content = await readFile(seed.csv, 'utf8');
      const rows = parse(content, {
        columns: true,
        skip_empty_lines: true,
        bom: true,
      }) as Record<string, string>[];
      const { columns } = seed.schema;
      const values = rows.map((row, i) => seedRowValues(seed.schema, row, `${seed.csv} line ${i + 2}`));
      const table = `ref.${seed.name}`;
      const ddl = columns
        .map((c) => `${c.name} ${ddlType(c.type)}${c.required ? ' not null' : ''}`)
        .join(', ');
      if (
        await sameColumns(
          client,
          seed.name,
          columns.map((c) => c.name),
        )
      ) {
        // Keep the table (and the views built on it); only its rows change.
        await client.query(`delete from ${table}`);
      } else {
        await client.query(`drop table if exists ${table} cascade`);
        await client.query(`create table ${table} (${ddl}, primary key (${seed.schema.key}))`);
      }
      await client.query(`comment on table ${table} is ${client.escapeLiteral(seed.schema.description)}`);
      for (let start = 0; start < values.length; start += 500) {
        const slice = values.slice(start, start + 500);
        const placeholders = slice
          .map((row, r) => `(${row.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
          .join(', ');
        await client.query(
          `insert into ${table} (${columns.map((c) => c.name).join(', ')}) values ${placeholders}`,
          slice.flat(),
        );
      }
      await client.query(
        `insert into ops.seed_versions (seed, content_sha256, change_seq) values ($1, $2, nextval('ops.change_seq'))
         on conflict (seed) do update set content_sha256 = excluded.content_sha256, change_seq = excluded.change_seq, loaded_at = now()
          where ops.seed_versions.content_sha256 <> excluded.content_sha256`,
        [seed.name, createHash('sha256').update(content).digest('hex')],
      );
      logger.debug({ seed: seed.name, rows: values.length }, 'seed loaded');
    }
    await after?.(client);
  });
}

/**
 * One seed row's values in the schema's column order, each parsed to its canonical text (null when
 * blank), as a CSV line of the seed or a row given another way (e.g. `hdw simulate`'s options).
 * Throws E_SEED naming `where` and the column when a value is invalid or a required one is missing.
 */
export function seedRowValues(
  schema: SeedSchema,
  row: Readonly<Record<string, string | undefined>>,
  where: string,
): (string | null)[] {
  return schema.columns.map((column) => {
    const parsed = parseValue(column.type, row[column.name] ?? '');
    if (!parsed.ok || (parsed.value === null && column.required)) {
      throw new HdwError('E_SEED', `${where}: ${column.name} ${parsed.ok ? 'is required' : parsed.problem}`);
    }
    return parsed.value;
  });
}

async function sameColumns(client: pg.PoolClient, table: string, names: readonly string[]): Promise<boolean> {
  const { rows } = await client.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = 'ref' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.length === names.length && rows.every((r, i) => r.column_name === names[i]);
}
