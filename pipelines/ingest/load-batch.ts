import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyText, ddlType, parseValue, type ColumnSpec } from '../../core/contract/columns.ts';
import { compileSql } from '../../core/db/compile.ts';
import { HdwError } from '../../core/errors.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { noProgress, type ProgressReporter } from '../../core/logging/progress.ts';
import { detectEncoding, type FileEncoding } from './detect-encoding.ts';
import { rawTable, sourceId, type SourceDefinition } from './source-definition.ts';

/** One delivered file, recognised as a source of one hospital and period. */
export interface Delivery {
  readonly source: SourceDefinition;
  readonly file: string;
  /** Path inside the inbox, as recorded on batches, exceptions and quarantine. */
  readonly relativePath: string;
  readonly hospitalCode: string;
  readonly period: string;
}

export interface BatchResult {
  readonly delivery: Delivery;
  /** loaded: a new batch; replaced: a corrected delivery replaced the period's batch; skipped: content already loaded. */
  readonly outcome: 'loaded' | 'replaced' | 'skipped';
  readonly batchId: number;
  readonly encoding?: FileEncoding;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsQuarantined: number;
  readonly rowsDuplicate: number;
  readonly rowsWarned: number;
}

/** The delivery cannot be read as its source at all (e.g. a required column is missing). */
export class DeliveryError extends HdwError {
  constructor(message: string) {
    super('E_DELIVERY', message);
  }
}

/** Conformance rules checked while parsing, before any SQL rule. */
export const parseRules = {
  required_field_missing: { category: 'completeness', severity: 'blocking', description: '必填字段为空' },
  invalid_value: { category: 'conformance.value', severity: 'blocking', description: '字段值格式错误' },
  column_count_mismatch: { category: 'conformance.value', severity: 'blocking', description: '字段个数与表头不符' },
  duplicate_row: { category: 'uniqueness', severity: 'warning', description: '与前面某行完全相同的重复行（已去重，不入库）' },
} as const;

interface ParseProblem {
  readonly rule: keyof typeof parseRules;
  readonly message: string;
}

/**
 * Loads one delivery as one batch, in one transaction: its raw rows, its exceptions, its
 * quarantined rows and its ops.batches record commit together or not at all. The same content
 * already loaded is skipped; other content for the same source, hospital and period replaces the
 * earlier batch. Reconciliation (read = loaded + quarantined + duplicate) is enforced by the
 * ops.batches check constraint, so a batch that does not reconcile cannot commit.
 */
export async function loadDelivery(
  pool: pg.Pool,
  delivery: Delivery,
  options: { readonly logger: Logger; readonly progress?: ProgressReporter; readonly jobRunId?: number },
): Promise<BatchResult> {
  const { source } = delivery;
  const id = sourceId(source);
  const contentSha256 = await sha256File(delivery.file);
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${id}|${delivery.hospitalCode}|${delivery.period}`]);
    const same = await client.query<{ batch_id: number }>(
      `select batch_id from ops.batches where source = $1 and hospital_code = $2 and content_sha256 = $3 and status = 'loaded'`,
      [id, delivery.hospitalCode, contentSha256],
    );
    if (same.rows[0]) {
      await client.query('rollback');
      return { delivery, outcome: 'skipped', batchId: same.rows[0].batch_id, rowsRead: 0, rowsLoaded: 0, rowsQuarantined: 0, rowsDuplicate: 0, rowsWarned: 0 };
    }
    const previous = await client.query<{ batch_id: number }>(
      `select batch_id from ops.batches where source = $1 and hospital_code = $2 and period = $3 and status = 'loaded'`,
      [id, delivery.hospitalCode, delivery.period],
    );
    const replaces = previous.rows[0]?.batch_id;
    if (replaces !== undefined) await retireBatch(client, source, replaces);

    const encoding = await detectEncoding(delivery.file);
    const batch = await client.query<{ batch_id: number }>(
      `insert into ops.batches (source, hospital_code, period, source_file, content_sha256, encoding, status,
         rows_read, rows_loaded, rows_quarantined, rows_duplicate, replaces_batch_id, job_run_id)
       values ($1, $2, $3, $4, $5, $6, 'loaded', 0, 0, 0, 0, $7, $8) returning batch_id`,
      [id, delivery.hospitalCode, delivery.period, delivery.relativePath, contentSha256, encoding, replaces ?? null, options.jobRunId ?? null],
    );
    const batchId = batch.rows[0]!.batch_id;

    await client.query(createLoadTableSql(source));
    const rowsRead = await copyDelivery(client, delivery, encoding, options.progress ?? noProgress);
    const counts = await applyRules(client, delivery, batchId);
    await client.query(
      `update ops.batches set rows_read = $2, rows_loaded = $3, rows_quarantined = $4, rows_duplicate = $5, rows_warned = $6
       where batch_id = $1`,
      [batchId, rowsRead, counts.loaded, counts.quarantined, counts.duplicate, counts.warned],
    );
    await client.query('commit');
    const result: BatchResult = {
      delivery,
      outcome: replaces === undefined ? 'loaded' : 'replaced',
      batchId,
      encoding,
      rowsRead,
      rowsLoaded: counts.loaded,
      rowsQuarantined: counts.quarantined,
      rowsDuplicate: counts.duplicate,
      rowsWarned: counts.warned,
    };
    options.logger.info(
      { source: id, hospital: delivery.hospitalCode, period: delivery.period, batchId, outcome: result.outcome, rowsRead, ...counts },
      `batch ${delivery.relativePath}: ${result.outcome}`,
    );
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A corrected delivery supersedes a batch: its rows leave the raw table, its quarantine is discarded. */
async function retireBatch(client: pg.PoolClient, source: SourceDefinition, batchId: number): Promise<void> {
  await client.query(`delete from ${rawTable(source)} where batch_id = $1`, [batchId]);
  await client.query(`update ops.quarantine set status = 'discarded' where batch_id = $1 and status = 'quarantined'`, [batchId]);
  await client.query(`update ops.batches set status = 'replaced' where batch_id = $1`, [batchId]);
}

/** Creates each source's raw table if missing, so models can be built before the first delivery. */
export async function ensureRawTables(pool: pg.Pool, sources: readonly SourceDefinition[]): Promise<void> {
  for (const source of sources) await pool.query(createRawTableSql(source));
}

function createRawTableSql(source: SourceDefinition): string {
  const columns = source.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(',\n  ');
  return `create table if not exists ${rawTable(source)} (
  batch_id bigint not null references ops.batches (batch_id),
  source_file text not null,
  source_line integer not null,
  hospital_code text not null,
  ${columns}
)`;
}

function createLoadTableSql(source: SourceDefinition): string {
  const columns = source.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(', ');
  return `create temp table _load (source_line integer not null, payload jsonb not null, problems jsonb,
    hospital_code text not null, ${columns}, is_duplicate boolean not null default false, duplicate_of integer) on commit drop`;
}

/**
 * Streams the file through decoding and CSV parsing into the temporary load table with COPY, so
 * memory stays flat whatever the file size. Returns the number of data rows read.
 */
async function copyDelivery(
  client: pg.PoolClient,
  delivery: Delivery,
  encoding: FileEncoding,
  progress: ProgressReporter,
): Promise<number> {
  const { source } = delivery;
  const total = (await stat(delivery.file)).size;
  const phase = `读取 ${delivery.relativePath}`;
  let bytes = 0;
  const input = createReadStream(delivery.file, { highWaterMark: 1 << 20 });
  input.on('data', (chunk) => {
    bytes += chunk.length;
    progress.update(phase, bytes, total);
  });
  const decoder = iconv.decodeStream(encoding === 'gb18030' ? 'gb18030' : 'utf-8', { stripBOM: true });
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
  const columnList = ['source_line', 'payload', 'problems', 'hospital_code', ...source.columns.map((c) => c.name)].join(', ');
  const copy = client.query(copyFrom(`copy _load (${columnList}) from stdin`));
  let rows = 0;
  await pipeline(
    input,
    decoder,
    parser,
    async function* toCopyText(records: AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      let mapping: HeaderMapping | undefined;
      let chunk: string[] = [];
      for await (const { record, info } of records) {
        if (!mapping) {
          mapping = mapHeader(source, record, delivery.relativePath);
          continue;
        }
        rows += 1;
        chunk.push(encodeRow(source, mapping, record, info.lines, delivery.hospitalCode));
        if (chunk.length >= 1000) {
          yield chunk.join('');
          chunk = [];
        }
      }
      if (!mapping) throw new DeliveryError(`${delivery.relativePath}: the file is empty (no header line)`);
      if (chunk.length > 0) yield chunk.join('');
    },
    copy,
  );
  progress.finish(phase);
  return rows;
}

interface HeaderMapping {
  readonly headers: readonly string[];
  /** For each declared column, the index of the delivered column holding it (or -1 when absent). */
  readonly positions: readonly number[];
}

function mapHeader(source: SourceDefinition, header: string[], file: string): HeaderMapping {
  const headers = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const positions = source.columns.map((column) =>
    headers.findIndex((h) => h === column.name || (column.aliases ?? []).includes(h)),
  );
  const missing = source.columns.filter((c, i) => c.required && positions[i] === -1);
  if (missing.length > 0) {
    const names = missing.map((c) => (c.aliases?.[0] ? `${c.name} (${c.aliases[0]})` : c.name)).join(', ');
    throw new DeliveryError(`${file}: missing required column(s) ${names}; header was: ${headers.join(',')}`);
  }
  return { headers, positions };
}

function encodeRow(source: SourceDefinition, mapping: HeaderMapping, record: string[], line: number, hospital: string): string {
  const problems: ParseProblem[] = [];
  if (record.length !== mapping.headers.length) {
    problems.push({
      rule: 'column_count_mismatch',
      message: `第 ${line} 行有 ${record.length} 个字段，表头有 ${mapping.headers.length} 个`,
    });
  }
  const payload: Record<string, string> = {};
  record.forEach((value, i) => {
    payload[mapping.headers[i] ?? `_extra_${i + 1}`] = value;
  });
  const values = source.columns.map((column, i) => {
    const position = mapping.positions[i]!;
    const raw = position >= 0 ? (record[position] ?? '') : '';
    return parseColumn(column, raw, problems);
  });
  const fields = [
    String(line),
    JSON.stringify(payload),
    problems.length > 0 ? JSON.stringify(problems) : null,
    hospital,
    ...values,
  ];
  return `${fields.map(copyText).join('\t')}\n`;
}

function parseColumn(column: ColumnSpec, raw: string, problems: ParseProblem[]): string | null {
  const parsed = parseValue(column.type, raw);
  if (!parsed.ok) {
    problems.push({ rule: 'invalid_value', message: `${column.name} ${JSON.stringify(raw.slice(0, 50))} ${parsed.problem}` });
    return null;
  }
  if (parsed.value === null && column.required) {
    problems.push({ rule: 'required_field_missing', message: `必填字段 ${column.name} 为空` });
  }
  return parsed.value;
}

/**
 * Runs every rule set-based over the load table, then splits it: exact duplicates are counted and
 * dropped, rows failing a blocking rule go to quarantine with their raw payload, the rest load;
 * every failure of every rule becomes an exception with file and line.
 */
async function applyRules(
  client: pg.PoolClient,
  delivery: Delivery,
  batchId: number,
): Promise<{ loaded: number; quarantined: number; duplicate: number; warned: number }> {
  const { source } = delivery;
  const run = async (query: RawBuilder<unknown>) => {
    const { text, values } = compileSql(query);
    return client.query(text, values);
  };
  const duplicates = await client.query(`
    update _load l set is_duplicate = true, duplicate_of = d.first_line
    from (select source_line, first_value(source_line) over w as first_line, row_number() over w as n
          from _load window w as (partition by payload order by source_line)) d
    where d.source_line = l.source_line and d.n > 1`);
  await client.query(`create temp table _violations (source_line integer not null, rule_id text not null,
    severity text not null, message text not null) on commit drop`);
  const parseSeverities = Object.entries(parseRules)
    .map(([rule, def]) => `('${rule}', '${def.severity}')`)
    .join(', ');
  await client.query(`
    insert into _violations (source_line, rule_id, severity, message)
    select r.source_line, e->>'rule', s.severity, e->>'message'
    from _load r cross join jsonb_array_elements(r.problems) e
    join (values ${parseSeverities}) s(rule, severity) on s.rule = e->>'rule'
    where not r.is_duplicate and r.problems is not null`);
  for (const rule of source.rules) {
    await run(sql`
      insert into _violations (source_line, rule_id, severity, message)
      select r.source_line, ${rule.id}, ${rule.severity}, coalesce(${rule.message ?? sql`null`}, ${rule.description})
      from _load r where not r.is_duplicate and (${rule.failsWhen})`);
  }
  const columns = source.columns.map((c) => c.name).join(', ');
  const loaded = await client.query(
    `insert into ${rawTable(source)} (batch_id, source_file, source_line, hospital_code, ${columns})
     select $1, $2, r.source_line, r.hospital_code, ${source.columns.map((c) => `r.${c.name}`).join(', ')}
     from _load r
     where not r.is_duplicate
       and not exists (select 1 from _violations v where v.source_line = r.source_line and v.severity = 'blocking')`,
    [batchId, delivery.relativePath],
  );
  const quarantined = await client.query(
    `insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload)
     select $1, $2, r.hospital_code, $3, r.source_line, r.${source.key}::text,
            array_agg(distinct v.rule_id order by v.rule_id), r.payload
     from _load r join _violations v on v.source_line = r.source_line and v.severity = 'blocking'
     group by r.source_line, r.hospital_code, r.${source.key}, r.payload`,
    [batchId, sourceId(source), delivery.relativePath],
  );
  await client.query(
    `insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message)
     select $1::bigint, v.rule_id, v.severity, $2::text, $3::text, $4::text, v.source_line, r.${source.key}::text, v.message
     from _violations v join _load r using (source_line)
     union all
     select $1, 'duplicate_row', 'warning', $2, $3, $4, r.source_line, r.${source.key}::text,
            '与第 ' || r.duplicate_of || ' 行完全相同，已去重'
     from _load r where r.is_duplicate`,
    [batchId, sourceId(source), delivery.hospitalCode, delivery.relativePath],
  );
  const warned = await client.query<{ n: number }>(
    `select count(distinct source_line)::int as n from _violations v
     where v.severity = 'warning' and not exists (
       select 1 from _violations b where b.source_line = v.source_line and b.severity = 'blocking')`,
  );
  return {
    loaded: loaded.rowCount ?? 0,
    quarantined: quarantined.rowCount ?? 0,
    duplicate: duplicates.rowCount ?? 0,
    warned: warned.rows[0]?.n ?? 0,
  };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}
