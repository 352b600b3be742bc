import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from '../../core/logging/logger.ts';
import { inBatchTransaction } from './batch-transaction.ts';
import {
  checkRules,
  createLoadTableSql,
  insertLoadedRows,
  loadColumns,
  recordRuleResults,
  settleBatch,
  type RuleCounts,
  type RuleRun,
} from './apply-rules.ts';
import { createBatchTable } from './batch-table.ts';
import { loadOrder } from './ingest-inbox.ts';
import { loadRuleSettings } from './rule-catalogue.ts';
import { DeliveryError, encodeRow, mapHeader, type HeaderMapping } from './row-encoder.ts';
import { rawTable, sourceId, type SourceDefinition } from './source-definition.ts';

/**
 * Rows held for reasons only a corrected delivery can fix: their fields could not even be told
 * apart, so re-running rules on the stored payload would judge a different row.
 */
const structural = ['column_count_mismatch', 'unbalanced_quotes', 'field_too_long', 'invalid_encoding'];

export interface ReplayResult {
  readonly batchId: number;
  readonly source: string;
  readonly sourceFile: string;
  /** Quarantined rows re-run. */
  readonly replayed: number;
  /** Of those, rows that now pass every blocking rule and were loaded into the batch. */
  readonly released: number;
  readonly stillQuarantined: number;
}

/**
 * Re-runs quarantined rows through their source's rules after a steward fixed what they broke
 * (a dictionary delivery, a seed), each batch in one transaction: rows that now pass load into the
 * raw table under their original batch, file and line; the batch's figures are reconciled again
 * (the ops.batches check still holds) and its rule results and flag recomputed. `rule` narrows the
 * replay to rows held by that rule; rows held for structural reasons wait for a corrected delivery.
 */
export async function replayQuarantine(
  pool: pg.Pool,
  options: {
    readonly sources: readonly SourceDefinition[];
    readonly logger: Logger;
    readonly rule?: string;
    readonly source?: string;
  },
): Promise<ReplayResult[]> {
  const { rows: batches } = await pool.query<QuarantinedBatch>(
    `select distinct b.batch_id, b.source, b.source_file, b.hospital_code, b.period
     from ops.quarantine q join ops.batches b using (batch_id)
     where q.status = 'quarantined' and b.status = 'loaded' and not (q.rule_ids && $1::text[])
       and ($2::text is null or $2 = any (q.rule_ids)) and ($3::text is null or b.source = $3)`,
    [structural, options.rule ?? null, options.source ?? null],
  );
  const order = loadOrder(options.sources);
  batches.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || a.batch_id - b.batch_id);
  const results: ReplayResult[] = [];
  for (const batch of batches) {
    const source = options.sources.find((s) => sourceId(s) === batch.source);
    if (!source) continue;
    results.push(await replayBatch(pool, source, batch, options));
  }
  return results;
}

/** A loaded batch holding quarantined rows to replay. */
interface QuarantinedBatch {
  readonly batch_id: number;
  readonly source: string;
  readonly source_file: string;
  readonly hospital_code: string;
  readonly period: string;
}

/**
 * Replays one batch's quarantined rows, in the batch's transaction. Phases: read the quarantined
 * payloads → rule scan → duplicates (none: told apart when first loaded) → violations → settle
 * (quarantine first, `settleReplayed`) → release what passes into the raw table.
 */
async function replayBatch(
  pool: pg.Pool,
  source: SourceDefinition,
  batch: QuarantinedBatch,
  options: { readonly logger: Logger; readonly rule?: string },
): Promise<ReplayResult> {
  const result = await inBatchTransaction(
    pool,
    `${batch.source}|${batch.hospital_code}|${batch.period}`,
    async (client) => {
      const read = await readQuarantined(client, source, batch, options.rule);
      const table = await createBatchTable(client, source, {
        batchId: batch.batch_id,
        sourceFile: batch.source_file,
        hospitalCode: batch.hospital_code,
        temporary: true,
      });
      await insertLoadedRows(client, source, table);
      const settings = await loadRuleSettings(client, source);
      const run: RuleRun = {
        source,
        batchId: batch.batch_id,
        sourceFile: batch.source_file,
        hospitalCode: batch.hospital_code,
        period: batch.period,
        table,
        rows: read.rows,
        headers: read.headers,
        payloadColumns: [],
        // Told apart from duplicates when first loaded: not compared again.
        candidateHashes: [],
        settings,
      };
      const check = await checkRules(client, run);
      const counts = await settleBatch(client, run, check, await settleReplayed(client, run));
      await releaseRows(client, run, counts);
      return {
        batchId: batch.batch_id,
        source: batch.source,
        sourceFile: batch.source_file,
        replayed: read.rows,
        released: counts.loaded,
        stillQuarantined: read.rows - counts.loaded,
      } satisfies ReplayResult;
    },
  );
  options.logger.info(
    { ...result },
    `replay ${batch.source_file}: ${result.released} of ${result.replayed} row(s) released`,
  );
  return result;
}

/**
 * Reads the batch's quarantined payloads (narrowed to `rule`; structural holds left out) through
 * header mapping and strict parsing into `_load`, as a delivery's rows would be. A payload whose
 * headers no longer map is left in quarantine. Returns the rows read and their headers.
 */
async function readQuarantined(
  client: pg.PoolClient,
  source: SourceDefinition,
  batch: QuarantinedBatch,
  rule: string | undefined,
): Promise<{ rows: number; headers: readonly string[] }> {
  const { rows } = await client.query<{ source_line: number; payload: Record<string, string> }>(
    `select source_line, payload from ops.quarantine
     where batch_id = $1 and status = 'quarantined' and not (rule_ids && $2::text[]) and ($3::text is null or $3 = any (rule_ids))
     order by source_line`,
    [batch.batch_id, structural, rule ?? null],
  );
  await client.query(createLoadTableSql(source));
  const mappings = new Map<string, HeaderMapping | undefined>();
  let headers: readonly string[] = [];
  const lines = rows.flatMap(({ source_line, payload }) => {
    const keys = Object.keys(payload);
    const signature = keys.join('\u0000');
    if (!mappings.has(signature)) {
      try {
        mappings.set(signature, mapHeader(source, keys, batch.source_file));
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        mappings.set(signature, undefined);
      }
    }
    const mapping = mappings.get(signature);
    if (!mapping) return [];
    headers = mapping.headers;
    return [
      encodeRow(
        source,
        mapping,
        { line: source_line, fields: keys.map((k) => payload[k] ?? '') },
        batch.hospital_code,
      ),
    ];
  });
  await pipeline(
    Readable.from(lines.length > 0 ? [lines.join('')] : []),
    client.query(copyFrom(`copy _load (${loadColumns(source)}) from stdin`)),
  );
  return { rows: lines.length, headers };
}

/**
 * What passes now joins the batch in its raw table (its partition, by batch id); the batch's
 * figures are reconciled again (the ops.batches check still holds) and its rule results recomputed.
 */
async function releaseRows(client: pg.PoolClient, run: RuleRun, counts: RuleCounts): Promise<void> {
  const { source, batchId } = run;
  const columns = [
    'batch_id',
    'source_file',
    'source_line',
    'hospital_code',
    ...source.columns.map((c) => c.name),
  ];
  await client.query(
    `insert into ${rawTable(source)} (${columns.join(', ')}) select ${columns.join(', ')} from ${run.table}`,
  );
  const { rows: updated } = await client.query<{ rows_read: number }>(
    `update ops.batches set rows_loaded = rows_loaded + $2, rows_quarantined = rows_quarantined - $2, rows_warned = rows_warned + $3
     where batch_id = $1 returning rows_read`,
    [batchId, counts.loaded, counts.warned],
  );
  await recordRuleResults(client, batchId, updated[0]!.rows_read, run.settings);
}

/**
 * Replay's settlement of quarantine, before the rows not loaded leave `run.table`: replayed rows
 * that pass every blocking rule leave quarantine; the others keep it, with the rules they fail
 * now; the replayed rows' open exceptions are resolved (their violations now are recorded anew).
 * Returns the rows still quarantined.
 */
async function settleReplayed(client: pg.PoolClient, run: RuleRun): Promise<number> {
  await client.query(
    `update ops.quarantine q set status = 'replayed'
     from ${run.table} r where q.batch_id = $1 and q.source_line = r.source_line and q.status = 'quarantined'
       and not exists (select 1 from _violations v where v.source_line = r.source_line and v.severity = 'blocking')`,
    [run.batchId],
  );
  const still = await client.query(
    `update ops.quarantine q set rule_ids = v.rule_ids
     from (select source_line, array_agg(distinct rule_id order by rule_id) as rule_ids from _violations
           where severity = 'blocking' group by source_line) v
     where q.batch_id = $1 and q.source_line = v.source_line and q.status = 'quarantined'`,
    [run.batchId],
  );
  await client.query(
    `update ops.exceptions e set resolved_at = now() from ${run.table} r
     where e.batch_id = $1 and e.source_line = r.source_line and e.resolved_at is null`,
    [run.batchId],
  );
  return still.rowCount ?? 0;
}
