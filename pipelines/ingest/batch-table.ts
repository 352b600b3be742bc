import type pg from 'pg';
import { ddlType } from '../../core/contract/columns.ts';
import { withTransaction } from '../../core/db/transaction.ts';
import { rawTable, sourceId, type SourceDefinition } from './source-definition.ts';

/**
 * Raw tables are partitioned by batch: each batch's rows live in their own partition
 * (`raw_his.charge_lines__b42`). A batch is built in a table of its own inside its transaction —
 * COPY writes the delivered rows straight into their final place, the rules read it with parallel
 * workers, the few rows that fail are deleted — and attached to the raw table when the batch
 * commits. Retiring a batch drops its partition. Rows written without a batch partition (fixtures,
 * rows loaded before raw tables were partitioned) land in the default partition `…__unbatched`.
 */

/** Working column of a batch table: the hash that groups candidate duplicates. Dropped before attaching. */
export const RECORD_HASH = '_record_hash';

/** `raw_his.charge_lines__b42`: the partition holding one batch's rows. */
export function batchPartition(source: SourceDefinition, batchId: number): string {
  return `${rawTable(source)}__b${batchId}`;
}

function declaredColumns(source: SourceDefinition): string {
  return source.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(',\n  ');
}

/**
 * Creates each source's raw table if missing (partitioned by batch, with a default partition), so
 * models can be built before the first delivery. A raw table from before partitioning is kept as
 * the partition of the batches it holds. A source that others load after (dictionaries, visits,
 * settlements) gets an index on its natural key, since their rules look records up by it.
 */
export async function ensureRawTables(pool: pg.Pool, sources: readonly SourceDefinition[]): Promise<void> {
  await dropOrphanParts(pool);
  const referenced = new Set(sources.flatMap((s) => s.after ?? []));
  for (const schema of new Set(sources.map((s) => rawTable(s).split('.')[0]!)))
    await pool.query(`create schema if not exists ${schema}`);
  for (const source of sources) {
    const table = rawTable(source);
    const [schema, name] = table.split('.') as [string, string];
    const { rows } = await pool.query<{ relkind: string }>(
      `select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
      [schema, name],
    );
    const legacy = rows[0]?.relkind === 'r';
    if (legacy) await pool.query(`alter table ${table} rename to ${name}__legacy`);
    if (!rows[0] || legacy) {
      // No foreign key on batch_id: only batches write here, inside their own transaction.
      await pool.query(`create table ${table} (
  batch_id bigint not null,
  source_file text not null,
  source_line integer not null,
  hospital_code text not null,
  ${declaredColumns(source)}
) partition by list (batch_id)`);
      await pool.query(`create table ${table}__unbatched partition of ${table} default`);
    }
    if (legacy) {
      const { rows: ids } = await pool.query<{ ids: string[] | null }>(
        `select array_agg(distinct batch_id)::text[] as ids from ${schema}.${name}__legacy`,
      );
      if (ids[0]?.ids?.length) {
        await pool.query(
          `alter table ${table} attach partition ${schema}.${name}__legacy for values in (${ids[0].ids.join(', ')})`,
        );
      } else {
        await pool.query(`drop table ${schema}.${name}__legacy`);
      }
    }
    if (referenced.has(sourceId(source))) {
      await pool.query(`create index if not exists ${name}__key on ${table} (hospital_code, ${source.key})`);
    }
  }
}

/**
 * Creates the table a new batch is built in: the raw table's columns, the batch's constants as
 * defaults (so COPY need not send them), the record hash, and text columns for delivered columns
 * the source does not declare (kept while the batch is checked, so a quarantined row's payload is
 * whole). The check constraint lets attaching skip a scan.
 */
export async function createBatchTable(
  client: pg.PoolClient,
  source: SourceDefinition,
  batch: {
    readonly batchId: number;
    readonly sourceFile: string;
    readonly hospitalCode: string;
    readonly extraColumns?: readonly string[];
    /** A temp table `_replay` (dropped at commit) instead of the batch's partition-to-be. */
    readonly temporary?: boolean;
    /** The batch table is loaded in parts (`batchPart`), each holding a range of lines. */
    readonly inParts?: boolean;
    /** Creates part `part` of the batch table, for lines in [from, to). */
    readonly part?: { readonly part: number; readonly from?: number; readonly to?: number };
    /** Leaves out the batch's constant columns, added after COPY by `addBatchConstants`. */
    readonly constantsLater?: boolean;
  },
): Promise<string> {
  const table = batch.temporary
    ? '_replay'
    : batch.part
      ? batchPart(source, batch.batchId, batch.part.part)
      : batchPartition(source, batch.batchId);
  const extra = (batch.extraColumns ?? []).map((c) => `,\n  ${c} text`).join('');
  const lines = batch.part
    ? [
        ...(batch.part.from !== undefined ? [`source_line >= ${batch.part.from}`] : []),
        ...(batch.part.to !== undefined ? [`source_line < ${batch.part.to}`] : []),
      ]
    : [];
  const constants = batch.constantsLater ? '' : `${batchConstants(client, batch)},\n  `;
  await client.query(`create ${batch.temporary ? 'temp ' : ''}table ${table} (
  ${constants}source_line integer not null${lines.length > 0 ? ` check (${lines.join(' and ')})` : ''},
  ${declaredColumns(source)},
  ${RECORD_HASH} integer${extra}
)${batch.temporary ? ' on commit drop' : ''}${batch.inParts ? ' partition by range (source_line)' : ''}`);
  return table;
}

/**
 * The batch's constant columns with their values as defaults. The check constraint is named so
 * the parts of a batch table loaded in parts carry the same one as their parent.
 */
function batchConstants(
  client: pg.ClientBase,
  batch: { readonly batchId: number; readonly sourceFile: string; readonly hospitalCode: string },
): string {
  return [
    `batch_id bigint not null default ${batch.batchId} constraint batch_${batch.batchId} check (batch_id = ${batch.batchId})`,
    `source_file text not null default ${client.escapeLiteral(batch.sourceFile)}`,
    `hospital_code text not null default ${client.escapeLiteral(batch.hospitalCode)}`,
  ].join(',\n  ');
}

/**
 * Adds the batch's constant columns to a table filled without them. Their values become the
 * columns' "missing values" (PostgreSQL's fast default): stored once in the catalogue, not in every
 * row — a file path and a hospital code less per charge line to write and to scan.
 */
export async function addBatchConstants(
  client: pg.ClientBase,
  table: string,
  batch: { readonly batchId: number; readonly sourceFile: string; readonly hospitalCode: string },
): Promise<void> {
  const columns = batchConstants(client, batch)
    .split(',\n  ')
    .map((c) => `add column ${c}`);
  await client.query(`alter table ${table} ${columns.join(', ')}`);
}

/** `raw_his.charge_lines__b42_1`: part 1 of a batch table loaded in parts. */
export function batchPart(source: SourceDefinition, batchId: number, part: number): string {
  return `${batchPartition(source, batchId)}_${part}`;
}

/**
 * A large file's batch table is loaded in parts by other connections, each committed before the
 * batch's own transaction attaches them; that transaction holds this lock meanwhile, so an
 * unattached part whose lock is free belongs to a batch that died, and can be dropped.
 */
export function partsLockKey(batchId: number): string {
  return `hdw-batch-parts-${batchId}`;
}

/** Drops parts left by batches whose process died before attaching them (see `partsLockKey`). */
export async function dropOrphanParts(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ rel: string; batch_id: string }>(
    `select c.oid::regclass::text as rel, substring(c.relname from '__b([0-9]+)_[0-9]+$') as batch_id
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname like 'raw\\_%' and c.relkind = 'r' and c.relname ~ '__b[0-9]+_[0-9]+$'
       and not exists (select 1 from pg_inherits i where i.inhrelid = c.oid)`,
  );
  for (const { rel, batch_id } of rows) {
    await withTransaction(pool, async (client) => {
      const free = await client.query<{ ok: boolean }>(
        `select pg_try_advisory_xact_lock(hashtext($1)) as ok`,
        [partsLockKey(Number(batch_id))],
      );
      if (free.rows[0]?.ok) await client.query(`drop table if exists ${rel}`);
    });
  }
}

/** Drops the batch table's working columns and attaches it to the raw table as the batch's partition. */
export async function attachBatchTable(
  client: pg.PoolClient,
  source: SourceDefinition,
  batchId: number,
  extraColumns: readonly string[] = [],
): Promise<void> {
  const table = batchPartition(source, batchId);
  const drops = [RECORD_HASH, ...extraColumns].map((c) => `drop column ${c}`);
  const defaults = ['batch_id', 'source_file', 'hospital_code'].map((c) => `alter column ${c} drop default`);
  await client.query(`alter table ${table} ${[...drops, ...defaults].join(', ')}`);
  await client.query(`alter table ${rawTable(source)} attach partition ${table} for values in (${batchId})`);
}

/** Removes a batch's rows from its raw table: its partition, or its rows in a shared partition. */
export async function dropBatchRows(
  client: pg.PoolClient,
  source: SourceDefinition,
  batchId: number,
): Promise<void> {
  const { rows } = await client.query<{ exists: boolean }>(`select to_regclass($1) is not null as exists`, [
    batchPartition(source, batchId),
  ]);
  if (rows[0]?.exists) await client.query(`drop table ${batchPartition(source, batchId)}`);
  else await client.query(`delete from ${rawTable(source)} where batch_id = $1`, [batchId]);
}
