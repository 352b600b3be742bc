import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { ddlType } from '../../core/contract/columns.ts';
import { compileSql, inlineSql } from '../../core/db/compile.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { RECORD_HASH } from './batch-table.ts';
import { SMALL_SET, inlineSmallSets, scansAlone } from './rule-kit.ts';
import type { RuleSetting } from './rule-catalogue.ts';
import { FIELD_SEPARATOR } from './row-encoder.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

/** What the rule phase needs to know about the batch whose rows are in `run.table`. */
export interface RuleRun {
  readonly source: SourceDefinition;
  readonly batchId: number;
  readonly sourceFile: string;
  readonly hospitalCode: string;
  /** The batch's period (fills `derived` columns that take it). */
  readonly period: string;
  /**
   * The table holding every row of the batch, typed (the raw table's columns plus the record
   * hash): the batch's own table when loading, a temp table when replaying.
   */
  readonly table: string;
  /** Rows in `table` before the rules run. */
  readonly rows: number;
  /** Delivered header names, to rebuild a quarantined row's payload from its raw fields (`_load.raw`). */
  readonly headers: readonly string[];
  /** For rows read without their raw text (COPY straight into `table`): each column of `table` and its delivered header. */
  readonly payloadColumns: readonly { readonly column: string; readonly header: string }[];
  readonly settings: ReadonlyMap<string, RuleSetting>;
  /**
   * Record hashes seen more than once while reading (plus a few false alarms), when the reader
   * tracked them; undefined: the rule phase groups the batch table's hashes itself. Rows replayed
   * from quarantine pass none (`[]`): they were told apart from duplicates when first loaded.
   */
  readonly candidateHashes?: readonly number[];
  /** Receives each step's duration at debug level (what to look at when a batch is slow). */
  readonly logger?: Logger;
}

/** What the rule phase settled for the batch. */
export interface RuleCounts {
  /** Rows left in `run.table`: everything not quarantined or dropped as a duplicate. */
  readonly loaded: number;
  readonly quarantined: number;
  readonly duplicate: number;
  readonly warned: number;
}

/**
 * The temporary table of rows read by the JavaScript parser (all rows of a workbook, a database
 * extraction or an irregular file; the few diverted rows of a regular CSV): their raw text, the
 * problems found while reading, and their typed values, which are then copied into the batch table.
 */
export function createLoadTableSql(source: SourceDefinition): string {
  const columns = source.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(', ');
  return `create temp table _load (source_line integer not null, raw text not null, problems jsonb,
    hospital_code text not null, ${columns}, record_hash integer) on commit drop`;
}

/** The load table's columns in COPY order (see `encodeRow`). */
export function loadColumns(source: SourceDefinition): string {
  return [
    'source_line',
    'raw',
    'problems',
    'hospital_code',
    ...source.columns.map((c) => c.name),
    'record_hash',
  ].join(', ');
}

/**
 * Copies the rows of `_load` into the batch table. A row without a hash from the reader gets one
 * here, over its natural key (or its raw text when the source has none).
 */
export async function insertLoadedRows(
  client: pg.PoolClient,
  source: SourceDefinition,
  table: string,
): Promise<void> {
  const columns = source.columns.map((c) => c.name).join(', ');
  const keys = uniqueKey(source);
  const hash = keys
    ? `hashtext(${keys.map((k) => `coalesce(${k}::text, '')`).join(` || '${FIELD_SEPARATOR}' || `)})`
    : `hashtext(raw)`;
  await client.query(`insert into ${table} (source_line, ${columns}, ${RECORD_HASH})
    select source_line, ${columns}, coalesce(record_hash, ${hash}) from _load`);
}

/**
 * A rule as the rule phase runs it: the source's declared rules and the two every batch gets
 * (`future_date`, `conflicting_duplicate_key`).
 */
interface BatchRule {
  readonly id: string;
  /** True for every row that fails: evaluated on the flagged rows, to record violations. */
  readonly failsWhen: RawBuilder<unknown>;
  /** True for at least every failing row, cheap enough for the scan of the whole batch; default `failsWhen`. */
  readonly scanWhen?: RawBuilder<unknown>;
  readonly message: RawBuilder<unknown>;
}

/** Rows of the batch worth a second look besides rule failures: possible duplicates, rows read with problems. */
interface Candidates {
  /** SQL: the row under `alias` shares its record hash with another row. */
  readonly isCandidate: (alias: string) => string;
  /** SQL: the row under `r` had problems while being read (`_load.problems`). */
  readonly hasProblems: string;
}

/** What the checks found, left in temp tables for the settlement (`_rows`, `_duplicates`, `_violations`). */
export interface RuleCheck {
  /** Exact duplicates found (`_duplicates`). */
  readonly duplicate: number;
}

/** Tomorrow, from now: a date after it is in the future (`future_date`). */
const FUTURE_MARGIN_MS = 86_400_000;

/**
 * Runs every rule set-based over a newly read batch, then settles each row: exact duplicates are
 * counted and dropped, rows failing a blocking rule go to quarantine with their payload and leave
 * the batch table, the rest stay; every failure of every rule becomes an exception with file and
 * line. (Replayed rows are checked the same way and settled by `replay-quarantine.ts`.)
 */
export async function applyRules(client: pg.PoolClient, run: RuleRun): Promise<RuleCounts> {
  const check = await checkRules(client, run);
  const quarantined = await quarantineViolations(client, run);
  return settleBatch(client, run, check, quarantined);
}

/**
 * The checks, in phases: rule scan → duplicates → violations. The batch table is scanned as few
 * times as possible, each scan free to use parallel workers: one grouping of the record hash finds
 * candidate duplicates (unless the reader found them); one scan evaluates every rule written as a
 * plain condition (hashed IN / NOT IN lookups included) and keeps only the rows failing something;
 * each rule with a correlated EXISTS gets a scan of its own (a hash semi-join). Everything after
 * that — duplicates, messages — works on those few rows (`_rows`).
 */
export async function checkRules(client: pg.PoolClient, run: RuleRun): Promise<RuleCheck> {
  const timed = stepTimer(run);
  await fillDerived(client, run);
  await prepareScan(client, run);
  const candidates = await findCandidates(client, run, timed);
  const rules = batchRules(run.source, candidates);
  await scanRules(client, run, rules, candidates, timed);
  const duplicate = await findDuplicates(client, run.source, candidates);
  await recordViolations(client, run, rules, timed);
  return { duplicate };
}

/** Fills the source's derived columns (`SourceDefinition.derived`) in one pass over the batch table. */
async function fillDerived(client: pg.PoolClient, run: RuleRun): Promise<void> {
  const derived = run.source.derived ?? [];
  if (derived.length === 0) return;
  const sets = derived.map((d) => sql`${sql.ref(d.column)} = ${d.value({ period: run.period })}`);
  await client.query(inlineSql(sql`update ${sql.raw(run.table)} r set ${sql.join(sets)}`));
}

/** Runs `work`, logging its duration at debug level (what to look at when a batch is slow). */
type StepTimer = <T>(step: string, work: () => Promise<T>) => Promise<T>;

function stepTimer(run: RuleRun): StepTimer {
  return async (step, work) => {
    const started = performance.now();
    const result = await work();
    run.logger?.debug(
      { source: sourceId(run.source), step, ms: Math.round(performance.now() - started) },
      'rule phase step',
    );
    return result;
  };
}

async function prepareScan(client: pg.PoolClient, run: RuleRun): Promise<void> {
  // The batch table has no statistics yet: tell the planner that handing rows back from parallel
  // workers is cheap (the scans keep few rows), so it scans with them.
  await client.query(`set local parallel_tuple_cost = 0.0001`);
  // Rules look dictionaries up for the batch's hospital through this setting (`batchHospital`).
  await client.query(`select set_config('hdw.batch_hospital', $1, true)`, [run.hospitalCode]);
}

/** `'{1,2}'::int[]`: a small set written into a scan as a constant (a hashed = ANY). */
function intArray(values: readonly number[]): string {
  return `'{${values.join(',')}}'::int[]`;
}

/** The values of a one-column query `v` as a constant array, or undefined past SMALL_SET. */
async function smallIntSet(client: pg.PoolClient, query: string): Promise<string | undefined> {
  const { rows } = await client.query<{ v: number }>(`${query} limit ${SMALL_SET + 1}`);
  return rows.length <= SMALL_SET ? intArray(rows.map((r) => r.v)) : undefined;
}

/**
 * Candidate duplicates (rows sharing a record hash: natural key, or the whole record; few) and
 * rows with read problems. Small sets are written into the scan as constants, which keeps it free
 * of temp tables and so open to parallel workers; the reader's candidates are used as they are;
 * otherwise (or when too many) they go to a temp table.
 */
async function findCandidates(client: pg.PoolClient, run: RuleRun, timed: StepTimer): Promise<Candidates> {
  let dupHashes =
    run.candidateHashes && run.candidateHashes.length <= SMALL_SET
      ? intArray(run.candidateHashes)
      : undefined;
  if (!dupHashes) {
    await client.query(`create temp table _dup_hashes (h integer) on commit drop`);
    if (run.candidateHashes) {
      await client.query(`insert into _dup_hashes select unnest($1::int[])`, [run.candidateHashes]);
    } else {
      await timed('duplicate hashes', () =>
        client.query(
          `insert into _dup_hashes select ${RECORD_HASH} from ${run.table} group by 1 having count(*) > 1`,
        ),
      );
    }
    dupHashes = await smallIntSet(client, `select h as v from _dup_hashes`);
  }
  const inline = dupHashes;
  const problemLines = await smallIntSet(
    client,
    `select source_line as v from _load where problems is not null`,
  );
  return {
    isCandidate: (alias) =>
      inline
        ? `${alias}.${RECORD_HASH} = any(${inline})`
        : `${alias}.${RECORD_HASH} in (select h from _dup_hashes)`,
    hasProblems: problemLines
      ? `r.source_line = any(${problemLines})`
      : `r.source_line in (select source_line from _load where problems is not null)`,
  };
}

/** The rules of a batch of `source`: dates in the future, conflicting keys, then the source's own. */
function batchRules(source: SourceDefinition, candidates: Candidates): BatchRule[] {
  const rules: BatchRule[] = [];
  const dated = source.columns.filter((c) => c.type === 'date' || c.type === 'timestamp');
  if (dated.length > 0) {
    // Compared with a constant (now + 1 day, taken once), not an expression per row.
    const cutoff = sql.lit(new Date(Date.now() + FUTURE_MARGIN_MS).toISOString());
    const future = (c: { name: string }) => sql`${sql.ref(`r.${c.name}`)} > ${cutoff}::timestamptz`;
    rules.push({
      id: 'future_date',
      failsWhen: sql.join(dated.map(future), sql` or `),
      message: sql`concat_ws('; ', ${sql.join(dated.map((c) => sql`case when ${future(c)} then ${sql.lit(c.name + ' ')} || ${sql.ref(`r.${c.name}`)}::text || ' 晚于当前时间' end`))})`,
    });
  }
  const keys = uniqueKey(source);
  if (keys) {
    const rowKeys = sql.join(keys.map((k) => sql.ref(`r.${k}`)));
    rules.push({
      id: 'conflicting_duplicate_key',
      // Only rows whose key hash is shared can conflict; the exact test (keys found by
      // `findDuplicates`) runs on those few rows.
      scanWhen: sql.raw(candidates.isCandidate('r')),
      failsWhen: sql`(${rowKeys}) in (select ${sql.join(keys.map((k) => sql.ref(k)))} from _conflicting_keys)`,
      message: sql`${sql.lit(keys.join('+') + ' ')} || concat_ws('+', ${rowKeys}) || ' 在本批次中出现多次且内容不同'`,
    });
  }
  for (const rule of source.rules)
    rules.push({ id: rule.id, failsWhen: rule.failsWhen, message: rule.message ?? sql`null` });
  return rules;
}

/** The source's natural key columns, if it declares any. */
function uniqueKey(source: SourceDefinition): readonly string[] | undefined {
  return source.uniqueKey && source.uniqueKey.length > 0 ? source.uniqueKey : undefined;
}

/**
 * The rule scan: the rows failing any rule, candidate duplicates and rows with read problems,
 * then fetched whole into `_rows` (`fetchFlaggedRows`). Each row is named by its table (the batch
 * table, or one of its parts when it was loaded in parts) and tuple id.
 */
async function scanRules(
  client: pg.PoolClient,
  run: RuleRun,
  rules: readonly BatchRule[],
  candidates: Candidates,
  timed: StepTimer,
): Promise<void> {
  const { table } = run;
  const scanWhen = (rule: BatchRule) => rule.scanWhen ?? rule.failsWhen;
  const shared = rules.filter((r) => !scansAlone(scanWhen(r)));
  const alone = rules.filter((r) => scansAlone(scanWhen(r)));
  const named = sql`r.tableoid::regclass::text as rel, r.ctid as tid`;
  const scans = [
    sql`select ${named} from ${sql.raw(table)} r where ${sql.raw(candidates.isCandidate('r'))} or ${sql.raw(candidates.hasProblems)}${sql.join(
      shared.map((rule) => sql` or (${scanWhen(rule)})`),
      sql``,
    )}`,
    ...alone.map((rule) => sql`select ${named} from ${sql.raw(table)} r where ${scanWhen(rule)}`),
  ];
  // A plain SELECT (a CREATE TABLE AS here would not be given parallel workers); the few tuple
  // ids come back, grouped by table.
  const scanText = inlineSql(await inlineSmallSets(client, sql.join(scans, sql` union all `)));
  const flagged = await timed(`scan rules ${rules.map((r) => r.id).join(', ')}`, () =>
    client.query<{ rel: string; tid: string }>(scanText),
  );
  const byTable = new Map<string, Set<string>>();
  for (const { rel, tid } of flagged.rows) {
    if (!byTable.has(rel)) byTable.set(rel, new Set());
    byTable.get(rel)!.add(tid);
  }
  await fetchFlaggedRows(client, run, byTable);
}

/**
 * The flagged rows whole into `_rows` (a TID scan per table), with their raw text where the reader
 * kept it and their content to compare duplicates by.
 */
async function fetchFlaggedRows(
  client: pg.PoolClient,
  run: RuleRun,
  byTable: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<void> {
  const { table } = run;
  const payloadColumns = run.payloadColumns.map((c) => `r.${c.column}`);
  const content = `coalesce(l.raw, concat_ws('${FIELD_SEPARATOR}', ${payloadColumns.map((c) => `coalesce(${c}::text, '')`).join(', ') || "''"}))`;
  // Named columns, not r.*: a part of the batch table may order them differently.
  const { rows: attributes } = await client.query<{ name: string }>(
    `select quote_ident(attname) as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [table],
  );
  const columns = attributes.map((a) => `r.${a.name}`).join(', ');
  await client.query(`create temp table _rows on commit drop as
    select null::text as rel, r.ctid as tid, ${columns}, l.raw, l.problems, ${content} as content
    from ${table} r left join _load l using (source_line) where false`);
  for (const [rel, tids] of byTable) {
    await client.query(
      `insert into _rows select $1, r.ctid, ${columns}, l.raw, l.problems, ${content}
       from ${rel} r left join _load l using (source_line) where r.ctid = any ($2::tid[])`,
      [rel, [...tids]],
    );
  }
}

/**
 * Duplicates among the flagged rows: exact duplicates (same content as an earlier row with the
 * same hash; only the first stays) into `_duplicates`, and keys delivered more than once with
 * different content (duplicates aside) into `_conflicting_keys`. Returns the exact duplicates.
 */
async function findDuplicates(
  client: pg.PoolClient,
  source: SourceDefinition,
  candidates: Candidates,
): Promise<number> {
  const dup = await client.query(`create temp table _duplicates on commit drop as
    select c.source_line, c.rel, c.tid, d.first_line from _rows c
    join (select content, min(source_line) as first_line from _rows
          where ${candidates.isCandidate('_rows')} group by content having count(*) > 1) d
      on c.content = d.content and c.source_line <> d.first_line`);
  const keys = uniqueKey(source);
  if (keys) {
    const keyList = keys.join(', ');
    await client.query(`create temp table _conflicting_keys on commit drop as
      select ${keyList} from _rows c where ${candidates.isCandidate('c')}
        and c.source_line not in (select source_line from _duplicates)
      group by ${keyList} having count(distinct content) > 1`);
  }
  return dup.rowCount ?? 0;
}

/**
 * Every failure of every flagged row that is not a duplicate into `_violations`: problems found
 * while reading, then each rule failed, with its severity and message. Each violation carries its
 * row's key, so quarantine and exceptions need no further pass. Messages are computed here, on the
 * flagged rows only.
 */
async function recordViolations(
  client: pg.PoolClient,
  run: RuleRun,
  rules: readonly BatchRule[],
  timed: StepTimer,
): Promise<void> {
  const { source, settings } = run;
  const kept = `r.source_line not in (select d.source_line from _duplicates d)`;
  await client.query(`create temp table _violations (source_line integer not null, rule_id text not null,
    severity text not null, message text not null, record_key text) on commit drop`);
  const parseSeverities = [...settings.values()].map((s) => `('${s.ruleId}', '${s.severity}')`).join(', ');
  await client.query(`
    insert into _violations (source_line, rule_id, severity, message, record_key)
    select r.source_line, e->>'rule', s.severity, e->>'message', r.${source.key}::text
    from _rows r cross join jsonb_array_elements(r.problems) e
    join (values ${parseSeverities}) s(rule, severity) on s.rule = e->>'rule'
    where r.problems is not null and ${kept}`);
  const { text, values } = compileSql(sql`
    insert into _violations (source_line, rule_id, severity, message, record_key)
    select f.source_line, (${rules.map((r) => r.id)}::text[])[u.i], (${rules.map((r) => severityOf(settings, r.id))}::text[])[u.i],
           u.message, f.record_key
    from (select r.source_line, ${sql.ref(`r.${source.key}`)}::text as record_key, array[${sql.join(
      rules.map(
        (rule) =>
          sql`case when ${rule.failsWhen} then coalesce(${rule.message}, ${descriptionOf(settings, rule.id)}::text) end`,
      ),
    )}]::text[] as messages
          from _rows r where ${sql.raw(kept)}) f
    cross join lateral unnest(f.messages) with ordinality as u(message, i)
    where u.message is not null`);
  await timed('rule messages', () => client.query(text, values));
}

/** A rule's severity from the catalogue; a rule missing there blocks. */
function severityOf(settings: ReadonlyMap<string, RuleSetting>, ruleId: string): string {
  return settings.get(ruleId)?.severity ?? 'blocking';
}

function descriptionOf(settings: ReadonlyMap<string, RuleSetting>, ruleId: string): string {
  return settings.get(ruleId)?.description ?? ruleId;
}

/**
 * Rows of a new batch failing a blocking rule go to quarantine with their payload: the delivered
 * fields under their headers — split from the raw text when the reader kept it, else the typed
 * values (which COPY took from canonical delivered text). Returns the rows quarantined.
 */
async function quarantineViolations(client: pg.PoolClient, run: RuleRun): Promise<number> {
  const typedPayload = run.payloadColumns.length
    ? `jsonb_build_object(${run.payloadColumns.map((c) => `${client.escapeLiteral(c.header)}, coalesce(r.${c.column}::text, '')`).join(', ')})`
    : `'{}'::jsonb`;
  const q = await stepTimer(run)('quarantine', () =>
    client.query(
      `insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload)
       select $1, $2, $6, $3, r.source_line, v.record_key, v.rule_ids,
              case when r.raw is null then ${typedPayload}
                   else coalesce((select jsonb_object_agg(coalesce(($4::text[])[u.i], '_extra_' || u.i), u.f)
                        from unnest(string_to_array(r.raw, $5)) with ordinality as u(f, i)), '{}'::jsonb) end
       from (select source_line, min(record_key) as record_key, array_agg(distinct rule_id order by rule_id) as rule_ids
             from _violations where severity = 'blocking' group by source_line) v
       join _rows r using (source_line)`,
      [run.batchId, sourceId(run.source), run.sourceFile, run.headers, FIELD_SEPARATOR, run.hospitalCode],
    ),
  );
  return q.rowCount ?? 0;
}

/**
 * The settlement both a new batch and a replay end with, once quarantine is settled: what does
 * not load (rows failing a blocking rule, duplicates) leaves `run.table`, every violation and
 * duplicate becomes an exception with file and line, and the figures are counted.
 */
export async function settleBatch(
  client: pg.PoolClient,
  run: RuleRun,
  check: RuleCheck,
  quarantined: number,
): Promise<RuleCounts> {
  const { rows: leaving } = await client.query<{ rel: string; tids: string[] }>(
    `select rel, array_agg(tid) as tids from (
       select r.rel, r.tid from _rows r where r.source_line in (select source_line from _violations where severity = 'blocking')
       union select rel, tid from _duplicates) x group by rel`,
  );
  let removed = 0;
  for (const { rel, tids } of leaving) {
    removed += (await client.query(`delete from ${rel} where ctid = any ($1::tid[])`, [tids])).rowCount ?? 0;
  }
  await stepTimer(run)('exceptions', () =>
    client.query(
      `insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message)
       select $1::bigint, v.rule_id, v.severity, $2::text, $3::text, $4::text, v.source_line, v.record_key, v.message
       from _violations v
       union all
       select $1, 'duplicate_row', $5, $2, $3, $4, d.source_line, c.${run.source.key}::text,
              '与第 ' || d.first_line || ' 行完全相同，已去重'
       from _duplicates d join _rows c using (source_line)`,
      [
        run.batchId,
        sourceId(run.source),
        run.hospitalCode,
        run.sourceFile,
        severityOf(run.settings, 'duplicate_row'),
      ],
    ),
  );
  const warned = await client.query<{ n: number }>(
    `select count(distinct source_line)::int as n from _violations v
     where v.severity = 'warning' and not exists (
       select 1 from _violations b where b.source_line = v.source_line and b.severity = 'blocking')`,
  );
  return {
    loaded: run.rows - removed,
    quarantined,
    duplicate: check.duplicate,
    warned: warned.rows[0]?.n ?? 0,
  };
}

/**
 * Stores each rule's failing rows against the batch's rows read (from its open exceptions) and
 * flags the batch for every rule whose failing share exceeds its threshold. Returns the flagged rules.
 */
export async function recordRuleResults(
  client: pg.PoolClient,
  batchId: number,
  rowsRead: number,
  settings: ReadonlyMap<string, RuleSetting>,
): Promise<string[]> {
  const catalogue = [...settings.values()];
  await client.query(`delete from ops.batch_rule_results where batch_id = $1`, [batchId]);
  await client.query(
    `insert into ops.batch_rule_results (batch_id, rule_id, category, severity, rows_checked, rows_failed, threshold, flagged)
     select $1, s.rule_id, s.category, s.severity, $2, coalesce(f.n, 0), s.threshold,
            $2 > 0 and coalesce(f.n, 0)::numeric / $2 > s.threshold
     from unnest($3::text[], $4::text[], $5::text[], $6::numeric[]) as s(rule_id, category, severity, threshold)
     left join (select rule_id, count(distinct source_line)::int as n from ops.exceptions
                where batch_id = $1 and resolved_at is null group by rule_id) f using (rule_id)`,
    [
      batchId,
      rowsRead,
      catalogue.map((s) => s.ruleId),
      catalogue.map((s) => s.category),
      catalogue.map((s) => s.severity),
      catalogue.map((s) => s.batchThreshold),
    ],
  );
  const { rows } = await client.query<{ flagged: string[] }>(
    `update ops.batches set flagged_rules = coalesce((select array_agg(rule_id order by rule_id) from ops.batch_rule_results
       where batch_id = $1 and flagged), '{}') where batch_id = $1 returning flagged_rules as flagged`,
    [batchId],
  );
  return rows[0]?.flagged ?? [];
}
