import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { ddlType } from '../../core/contract/columns.ts';
import { compileSql, inlineSql } from '../../core/db/compile.ts';
import type { Logger } from '../../core/logging/logger.ts';
import { RECORD_HASH } from './batch-table.ts';
import { SET_MARKS } from './rule-kit.ts';
import type { RuleSetting } from './rule-catalogue.ts';
import { FIELD_SEPARATOR } from './row-encoder.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

/** What the rule phase needs to know about the batch whose rows are in `run.table`. */
export interface RuleRun {
  readonly source: SourceDefinition;
  readonly batchId: number;
  readonly sourceFile: string;
  readonly hospitalCode: string;
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
   * tracked them; otherwise the rule phase groups the batch table's hashes itself.
   */
  readonly candidateHashes?: readonly number[];
  /** replay: the rows come back from quarantine; no duplicate detection, no new quarantine rows. */
  readonly mode: 'load' | 'replay';
  /** Receives each step's duration at debug level (what to look at when a batch is slow). */
  readonly logger?: Logger;
}

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
  const keys = source.uniqueKey && source.uniqueKey.length > 0 ? source.uniqueKey : undefined;
  const hash = keys
    ? `hashtext(${keys.map((k) => `coalesce(${k}::text, '')`).join(` || '${FIELD_SEPARATOR}' || `)})`
    : `hashtext(raw)`;
  await client.query(`insert into ${table} (source_line, ${columns}, ${RECORD_HASH})
    select source_line, ${columns}, coalesce(record_hash, ${hash}) from _load`);
}

/** Up to this many values are written into a scan as a constant array rather than read from a temp table. */
const SMALL_SET = 100_000;

interface Rule {
  readonly id: string;
  readonly failsWhen: RawBuilder<unknown>;
  readonly message: RawBuilder<unknown>;
}

/**
 * Runs every rule set-based over the batch, then settles each row: exact duplicates are counted
 * and dropped, rows failing a blocking rule go to quarantine with their payload and leave the
 * batch table, the rest stay; every failure of every rule becomes an exception with file and line.
 *
 * The batch table is scanned as few times as possible, each scan free to use parallel workers:
 * one grouping of the record hash finds candidate duplicates; one scan evaluates every rule
 * written as a plain condition (hashed IN / NOT IN lookups included) and keeps only the rows
 * failing something; each rule with a correlated EXISTS gets a scan of its own (a hash semi-join).
 * Everything after that — messages, duplicates, quarantine — works on those few rows.
 */
export async function applyRules(client: pg.PoolClient, run: RuleRun): Promise<RuleCounts> {
  const { source, settings, table } = run;
  const severity = (ruleId: string) => settings.get(ruleId)?.severity ?? 'blocking';
  const description = (ruleId: string) => settings.get(ruleId)?.description ?? ruleId;
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    run.logger?.debug(
      { source: sourceId(source), step, ms: Math.round(performance.now() - started) },
      'rule phase step',
    );
    return result;
  };
  const keys = source.uniqueKey && source.uniqueKey.length > 0 ? source.uniqueKey : undefined;
  const keyList = keys?.join(', ');

  // The batch table has no statistics yet: tell the planner that handing rows back from parallel
  // workers is cheap (the scans below keep few rows), so it scans with them.
  await client.query(`set local parallel_tuple_cost = 0.0001`);
  // Rules look dictionaries up for the batch's hospital through this setting (`batchHospital`).
  await client.query(`select set_config('hdw.batch_hospital', $1, true)`, [run.hospitalCode]);
  // Small sets are written into the scan as constants (a hashed = ANY), which keeps the scan free
  // of temp tables and so open to parallel workers.
  const intArray = (values: readonly number[]) => `'{${values.join(',')}}'::int[]`;
  const smallSet = async (query: string): Promise<string | undefined> => {
    const { rows } = await client.query<{ v: number }>(`${query} limit ${SMALL_SET + 1}`);
    return rows.length <= SMALL_SET ? intArray(rows.map((r) => r.v)) : undefined;
  };
  // Candidate duplicates: rows sharing a record hash (natural key, or the whole record). Few. The
  // reader's candidates are used as they are; otherwise (or when too many) they go to a temp table.
  let dupHashes =
    run.candidateHashes && run.candidateHashes.length <= SMALL_SET
      ? intArray(run.candidateHashes)
      : undefined;
  if (!dupHashes) {
    await client.query(`create temp table _dup_hashes (h integer) on commit drop`);
    if (run.candidateHashes) {
      await client.query(`insert into _dup_hashes select unnest($1::int[])`, [run.candidateHashes]);
    } else if (run.mode === 'load') {
      await timed('duplicate hashes', () =>
        client.query(
          `insert into _dup_hashes select ${RECORD_HASH} from ${table} group by 1 having count(*) > 1`,
        ),
      );
    }
    dupHashes = await smallSet(`select h as v from _dup_hashes`);
  }
  const isCandidate = (alias: string) =>
    dupHashes
      ? `${alias}.${RECORD_HASH} = any(${dupHashes})`
      : `${alias}.${RECORD_HASH} in (select h from _dup_hashes)`;
  const problemLines = await smallSet(`select source_line as v from _load where problems is not null`);
  const hasProblems = problemLines
    ? `r.source_line = any(${problemLines})`
    : `r.source_line in (select source_line from _load where problems is not null)`;

  const rules: Rule[] = [];
  const dated = source.columns.filter((c) => c.type === 'date' || c.type === 'timestamp');
  if (dated.length > 0) {
    // Compared with a constant (now + 1 day, taken once), not an expression per row.
    const cutoff = sql.lit(new Date(Date.now() + 86_400_000).toISOString());
    const future = (c: { name: string }) => sql`${sql.ref(`r.${c.name}`)} > ${cutoff}::timestamptz`;
    rules.push({
      id: 'future_date',
      failsWhen: sql.join(dated.map(future), sql` or `),
      message: sql`concat_ws('; ', ${sql.join(dated.map((c) => sql`case when ${future(c)} then ${sql.lit(c.name + ' ')} || ${sql.ref(`r.${c.name}`)}::text || ' 晚于当前时间' end`))})`,
    });
  }
  if (keys) {
    const rowKeys = sql.join(keys.map((k) => sql.ref(`r.${k}`)));
    rules.push({
      id: 'conflicting_duplicate_key',
      // Only rows whose key hash is shared can conflict; the exact test runs on those few rows.
      failsWhen: sql.raw(isCandidate('r')),
      message: sql`${sql.lit(keys.join('+') + ' ')} || concat_ws('+', ${rowKeys}) || ' 在本批次中出现多次且内容不同'`,
    });
  }
  for (const rule of source.rules)
    rules.push({ id: rule.id, failsWhen: rule.failsWhen, message: rule.message ?? sql`null` });
  const ownScan = (rule: Rule) => /\bexists\b/i.test(compileSql(rule.failsWhen).text);
  const shared = rules.filter((r) => !ownScan(r));
  const own = rules.filter(ownScan);

  // The scans: rows failing any rule, candidate duplicates, rows with read problems. Each row is
  // named by its table (the batch table, or one of its parts when it was loaded in parts) and tuple id.
  const named = sql`r.tableoid::regclass::text as rel, r.ctid as tid`;
  const scans = [
    sql`select ${named} from ${sql.raw(table)} r where ${sql.raw(isCandidate('r'))} or ${sql.raw(hasProblems)}${sql.join(
      shared.map((rule) => sql` or (${rule.failsWhen})`),
      sql``,
    )}`,
    ...own.map((rule) => sql`select ${named} from ${sql.raw(table)} r where ${rule.failsWhen}`),
  ];
  // A plain SELECT (a CREATE TABLE AS here would not be given parallel workers); the few tuple
  // ids come back, grouped by table.
  const scanText = await inlineSets(client, inlineSql(sql.join(scans, sql` union all `)));
  const flagged = await timed(`scan rules ${rules.map((r) => r.id).join(', ')}`, () =>
    client.query<{ rel: string; tid: string }>(scanText),
  );
  const byTable = new Map<string, Set<string>>();
  for (const { rel, tid } of flagged.rows) {
    if (!byTable.has(rel)) byTable.set(rel, new Set());
    byTable.get(rel)!.add(tid);
  }
  // The flagged rows whole (a TID scan per table), with their raw text where the reader kept it.
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

  let duplicate = 0;
  if (run.mode === 'load') {
    // Exact duplicates: same content as an earlier row with the same hash; only the first stays.
    const dup = await client.query(`create temp table _duplicates on commit drop as
      select c.source_line, c.rel, c.tid, d.first_line from _rows c
      join (select content, min(source_line) as first_line from _rows
            where ${isCandidate('_rows')} group by content having count(*) > 1) d
        on c.content = d.content and c.source_line <> d.first_line`);
    duplicate = dup.rowCount ?? 0;
  } else {
    await client.query(
      `create temp table _duplicates (source_line integer, rel text, tid tid, first_line integer) on commit drop`,
    );
  }
  if (keys) {
    // Keys delivered more than once with different content (duplicates aside).
    await client.query(`create temp table _conflicting_keys on commit drop as
      select ${keyList} from _rows c where ${isCandidate('c')}
        and c.source_line not in (select source_line from _duplicates)
      group by ${keyList} having count(distinct content) > 1`);
    const conflicting = rules.find((r) => r.id === 'conflicting_duplicate_key')!;
    const keyRefs = sql.join(keys.map((k) => sql.ref(k)));
    const rowKeys = sql.join(keys.map((k) => sql.ref(`r.${k}`)));
    rules[rules.indexOf(conflicting)] = {
      ...conflicting,
      failsWhen: sql`(${rowKeys}) in (select ${keyRefs} from _conflicting_keys)`,
    };
  }

  // Each violation carries its row's key and content, so quarantine and exceptions need no
  // further pass. Messages are computed here, on the flagged rows only.
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
    select f.source_line, (${rules.map((r) => r.id)}::text[])[u.i], (${rules.map((r) => severity(r.id))}::text[])[u.i],
           u.message, f.record_key
    from (select r.source_line, ${sql.ref(`r.${source.key}`)}::text as record_key, array[${sql.join(
      rules.map(
        (rule) =>
          sql`case when ${rule.failsWhen} then coalesce(${rule.message}, ${description(rule.id)}::text) end`,
      ),
    )}]::text[] as messages
          from _rows r where ${sql.raw(kept)}) f
    cross join lateral unnest(f.messages) with ordinality as u(message, i)
    where u.message is not null`);
  await timed('rule messages', () => client.query(text, values));

  const id = sourceId(source);
  let quarantined = 0;
  if (run.mode === 'load') {
    // The payload: the delivered fields under their headers — split from the raw text when the
    // reader kept it, else the typed values (which COPY took from canonical delivered text).
    const typedPayload = run.payloadColumns.length
      ? `jsonb_build_object(${run.payloadColumns.map((c) => `${client.escapeLiteral(c.header)}, coalesce(r.${c.column}::text, '')`).join(', ')})`
      : `'{}'::jsonb`;
    const q = await timed('quarantine', () =>
      client.query(
        `insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload)
       select $1, $2, $6, $3, r.source_line, v.record_key, v.rule_ids,
              case when r.raw is null then ${typedPayload}
                   else coalesce((select jsonb_object_agg(coalesce(($4::text[])[u.i], '_extra_' || u.i), u.f)
                        from unnest(string_to_array(r.raw, $5)) with ordinality as u(f, i)), '{}'::jsonb) end
       from (select source_line, min(record_key) as record_key, array_agg(distinct rule_id order by rule_id) as rule_ids
             from _violations where severity = 'blocking' group by source_line) v
       join _rows r using (source_line)`,
        [run.batchId, id, run.sourceFile, run.headers, FIELD_SEPARATOR, run.hospitalCode],
      ),
    );
    quarantined = q.rowCount ?? 0;
  } else {
    // Replayed rows that pass leave quarantine; the others keep it, with the rules they fail now.
    await client.query(
      `update ops.quarantine q set status = 'replayed'
       from ${table} r where q.batch_id = $1 and q.source_line = r.source_line and q.status = 'quarantined'
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
    quarantined = still.rowCount ?? 0;
    await client.query(
      `update ops.exceptions e set resolved_at = now() from ${table} r
       where e.batch_id = $1 and e.source_line = r.source_line and e.resolved_at is null`,
      [run.batchId],
    );
  }
  // What does not load leaves the batch table: quarantined rows and duplicates.
  const { rows: leaving } = await client.query<{ rel: string; tids: string[] }>(
    `select rel, array_agg(tid) as tids from (
       select r.rel, r.tid from _rows r where r.source_line in (select source_line from _violations where severity = 'blocking')
       union select rel, tid from _duplicates) x group by rel`,
  );
  let removed = 0;
  for (const { rel, tids } of leaving) {
    removed += (await client.query(`delete from ${rel} where ctid = any ($1::tid[])`, [tids])).rowCount ?? 0;
  }
  await timed('exceptions', () =>
    client.query(
      `insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message)
     select $1::bigint, v.rule_id, v.severity, $2::text, $3::text, $4::text, v.source_line, v.record_key, v.message
     from _violations v${
       run.mode === 'load'
         ? `
     union all
     select $1, 'duplicate_row', $5, $2, $3, $4, d.source_line, c.${source.key}::text,
            '与第 ' || d.first_line || ' 行完全相同，已去重'
     from _duplicates d join _rows c using (source_line)`
         : ''
     }`,
      [
        run.batchId,
        id,
        run.hospitalCode,
        run.sourceFile,
        ...(run.mode === 'load' ? [severity('duplicate_row')] : []),
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
    duplicate,
    warned: warned.rows[0]?.n ?? 0,
  };
}

/**
 * Writes each small `notInSet` set into the SQL as a constant array (see rule-kit.ts): each
 * distinct set query runs once; a set of more than SMALL_SET values keeps its NOT IN subquery.
 */
async function inlineSets(client: pg.PoolClient, text: string): Promise<string> {
  const { start, set, end } = SET_MARKS;
  const cache = new Map<string, string | undefined>();
  let out = '';
  let at = 0;
  for (let open = text.indexOf(start); open !== -1; open = text.indexOf(start, at)) {
    const middle = text.indexOf(set, open);
    const close = text.indexOf(end, middle);
    const value = text.slice(open + start.length, middle);
    const query = text
      .slice(middle + set.length, close)
      .replace(/^\s*not in \(/, '')
      .replace(/\)\s*$/, '');
    if (!cache.has(query)) {
      const { rows } = await client.query<{ v: string }>(
        `select v from (${query}) s(v) limit ${SMALL_SET + 1}`,
      );
      cache.set(
        query,
        rows.length > SMALL_SET
          ? undefined
          : `'{${rows
              .map((r) => `"${String(r.v).replace(/["\\]/g, '\\$&')}"`)
              .join(',')
              .replaceAll("'", "''")}}'::text[]`,
      );
    }
    const array = cache.get(query);
    out +=
      text.slice(at, open) + (array ? `(${value})::text <> all(${array})` : `${value} not in (${query})`);
    at = close + end.length;
  }
  return out + text.slice(at);
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
