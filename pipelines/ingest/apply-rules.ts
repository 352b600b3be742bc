import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { ddlType } from '../../core/contract/columns.ts';
import { compileSql } from '../../core/db/compile.ts';
import type { Logger } from '../../core/logging/logger.ts';
import type { RuleSetting } from './rule-catalogue.ts';
import { FIELD_SEPARATOR } from './row-encoder.ts';
import { rawTable, sourceId, type SourceDefinition } from './source-definition.ts';

/** What the rule phase needs to know about the batch whose rows are in `_load`. */
export interface RuleRun {
  readonly source: SourceDefinition;
  readonly batchId: number;
  readonly sourceFile: string;
  readonly hospitalCode: string;
  /** Delivered header names, to rebuild a quarantined row's payload from its raw fields. */
  readonly headers: readonly string[];
  readonly settings: ReadonlyMap<string, RuleSetting>;
  /** replay: the rows come back from quarantine; no duplicate detection, no new quarantine rows. */
  readonly mode: 'load' | 'replay';
  /** Receives each step's duration at debug level (what to look at when a batch is slow). */
  readonly logger?: Logger;
}

export interface RuleCounts {
  readonly loaded: number;
  readonly quarantined: number;
  readonly duplicate: number;
  readonly warned: number;
}

/** The temporary table every batch streams into before its rules run. */
export function createLoadTableSql(source: SourceDefinition): string {
  const columns = source.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(', ');
  return `create temp table _load (source_line integer not null, raw text not null, problems jsonb,
    hospital_code text not null, ${columns}) on commit drop`;
}

/** The load table's columns in COPY order (see `encodeRow`). */
export function loadColumns(source: SourceDefinition): string {
  return ['source_line', 'raw', 'problems', 'hospital_code', ...source.columns.map((c) => c.name)].join(', ');
}

/**
 * Runs every rule set-based over `_load`, then splits it: exact duplicates are counted and
 * dropped, rows failing a blocking rule go to quarantine with their raw payload, the rest load;
 * every failure of every rule becomes an exception with file and line, and each rule's failing
 * share is stored per batch (flagging the batch above the rule's threshold).
 */
export async function applyRules(client: pg.PoolClient, run: RuleRun): Promise<RuleCounts> {
  const { source, settings } = run;
  const severity = (ruleId: string) => settings.get(ruleId)?.severity ?? 'blocking';
  const exec = async (query: RawBuilder<unknown>) => {
    const { text, values } = compileSql(query);
    return client.query(text, values);
  };
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    run.logger?.debug(
      { source: sourceId(source), step, ms: Math.round(performance.now() - started) },
      'rule phase step',
    );
    return result;
  };
  await client.query('analyze _load');
  const keys = source.uniqueKey && source.uniqueKey.length > 0 ? source.uniqueKey : undefined;
  const keyList = keys?.join(', ');
  let duplicate = 0;
  if (run.mode === 'load') {
    // Duplicates are rare: one hashed pass finds the few candidate rows (sharing a natural key, or
    // a hash of the raw line when the source has none), and only those are compared whole.
    // Grouped by a 4-byte hash (a superset of the equal keys or lines), not by the text itself.
    const hash = keys
      ? `hashtext(${keys.map((k) => `coalesce(${k}::text, '')`).join(` || '${FIELD_SEPARATOR}' || `)})`
      : `hashtext(raw)`;
    await timed('duplicate hashes', () =>
      client.query(`create temp table _dup_hashes on commit drop as
        select ${hash} as h from _load group by 1 having count(*) > 1`),
    );
    const candidates = `${hash} in (select h from _dup_hashes)${
      keys ? ` or ${keys.map((k) => `${k} is null`).join(' or ')}` : ''
    }`;
    // The same pass keeps the rows with read problems, so those need no scan of their own.
    await timed('duplicate candidates', () =>
      client.query(`create temp table _dup_candidates on commit drop as
        select source_line, raw, ${source.key}::text as _record_key, problems,
               coalesce(${candidates}, false) as candidate${keys ? `, ${keyList}` : ''}
        from _load where problems is not null or ${candidates}`),
    );
    // Exact duplicates stay in `_load` and are skipped by every later step (a hashed NOT IN).
    const dup = await timed('duplicates', () =>
      client.query(`create temp table _duplicates on commit drop as
      select c.source_line, d.first_line from _dup_candidates c
      join (select raw, min(source_line) as first_line from _dup_candidates where candidate
            group by raw having count(*) > 1) d
        on c.raw = d.raw and c.source_line <> d.first_line
      where c.candidate`),
    );
    duplicate = dup.rowCount ?? 0;
  } else {
    await client.query(
      `create temp table _duplicates (source_line integer not null, first_line integer not null) on commit drop`,
    );
  }
  const kept = `r.source_line not in (select d.source_line from _duplicates d where d.source_line is not null)`;
  if (keys) {
    // Keys delivered more than once with different content: a small table the rule looks up hashed.
    const rows =
      run.mode === 'load'
        ? `_dup_candidates c where c.candidate and not exists (select 1 from _duplicates d where d.source_line = c.source_line)`
        : `_load`;
    await client.query(`create temp table _conflicting_keys on commit drop as
      select ${keyList} from ${rows} group by ${keyList} having count(*) > 1`);
  }
  // Each violation carries its row's key and raw line, so quarantine and exceptions need no
  // further pass over the batch.
  await client.query(`create temp table _violations (source_line integer not null, rule_id text not null,
    severity text not null, message text not null, record_key text, raw text not null) on commit drop`);
  const parseSeverities = [...settings.values()].map((s) => `('${s.ruleId}', '${s.severity}')`).join(', ');
  await timed('parse problems', () =>
    client.query(`
    insert into _violations (source_line, rule_id, severity, message, record_key, raw)
    select r.source_line, e->>'rule', s.severity, e->>'message', ${
      run.mode === 'load' ? 'r._record_key' : `r.${source.key}::text`
    }, r.raw
    from ${run.mode === 'load' ? '_dup_candidates' : '_load'} r cross join jsonb_array_elements(r.problems) e
    join (values ${parseSeverities}) s(rule, severity) on s.rule = e->>'rule'
    where r.problems is not null and ${kept}`),
  );

  const rules: { id: string; failsWhen: RawBuilder<unknown>; message: RawBuilder<unknown> }[] = [];
  const dated = source.columns.filter((c) => c.type === 'date' || c.type === 'timestamp');
  if (dated.length > 0) {
    const future = (c: { name: string }) => sql`${sql.ref(`r.${c.name}`)} > now() + interval '1 day'`;
    rules.push({
      id: 'future_date',
      failsWhen: sql.join(dated.map(future), sql` or `),
      message: sql`concat_ws('; ', ${sql.join(dated.map((c) => sql`case when ${future(c)} then ${sql.lit(c.name + ' ')} || ${sql.ref(`r.${c.name}`)}::text || ' 晚于当前时间' end`))})`,
    });
  }
  if (source.uniqueKey && source.uniqueKey.length > 0) {
    const keys = sql.join(source.uniqueKey.map((k) => sql.ref(k)));
    const rowKeys = sql.join(source.uniqueKey.map((k) => sql.ref(`r.${k}`)));
    rules.push({
      id: 'conflicting_duplicate_key',
      // IN over the few conflicting keys (computed above): hashed once, looked up per row.
      failsWhen: sql`(${rowKeys}) in (select ${keys} from _conflicting_keys)`,
      message: sql`${sql.lit(source.uniqueKey.join('+') + ' ')} || concat_ws('+', ${rowKeys}) || ' 在本批次中出现多次且内容不同'`,
    });
  }
  for (const rule of source.rules)
    rules.push({ id: rule.id, failsWhen: rule.failsWhen, message: rule.message ?? sql`null` });
  // Rules evaluated row by row (plain conditions, hashed IN / NOT IN lookups) are checked together
  // in one scan of the batch; a rule with a correlated EXISTS keeps its own query, where
  // PostgreSQL plans it as a hash (anti-)join.
  const compiled = rules.map((rule) => ({ rule, own: /\bexists\b/i.test(compileSql(rule.failsWhen).text) }));
  const shared = compiled.filter((c) => !c.own).map((c) => c.rule);
  if (shared.length > 0) {
    // One message column per rule (null when the row passes), computed in a plain scan so each
    // hashed lookup is built once; only rows failing something are unnested into violations.
    await timed(`rules ${shared.map((r) => r.id).join(', ')}`, () =>
      exec(sql`
      insert into _violations (source_line, rule_id, severity, message, record_key, raw)
      select f.source_line, (${shared.map((r) => r.id)}::text[])[u.i], (${shared.map((r) => severity(r.id))}::text[])[u.i], u.message,
             f.record_key, f.raw
      from (select r.source_line, ${sql.ref(`r.${source.key}`)}::text as record_key, r.raw, array[${sql.join(
        shared.map(
          (rule) =>
            sql`case when ${rule.failsWhen} then coalesce(${rule.message}, ${settings.get(rule.id)?.description ?? rule.id}::text) end`,
        ),
      )}]::text[] as messages
            from _load r where ${sql.raw(kept)} offset 0) f
      cross join lateral unnest(f.messages) with ordinality as u(message, i)
      where num_nonnulls(variadic f.messages) > 0 and u.message is not null`),
    );
  }
  for (const rule of compiled.filter((c) => c.own).map((c) => c.rule)) {
    const description = settings.get(rule.id)?.description ?? rule.id;
    const started = performance.now();
    await exec(sql`
      insert into _violations (source_line, rule_id, severity, message, record_key, raw)
      select r.source_line, ${rule.id}, ${severity(rule.id)}, coalesce(${rule.message}, ${description}),
             ${sql.ref(`r.${source.key}`)}::text, r.raw
      from _load r where ${sql.raw(kept)} and (${rule.failsWhen})`);
    run.logger?.debug(
      { source: sourceId(source), rule: rule.id, ms: Math.round(performance.now() - started) },
      'rule checked',
    );
  }
  await client.query(`create index on _violations (source_line)`);
  await client.query('analyze _violations');

  const columns = source.columns.map((c) => c.name).join(', ');
  const loaded = await timed('insert raw rows', () =>
    client.query(
      `insert into ${rawTable(source)} (batch_id, source_file, source_line, hospital_code, ${columns})
     select $1, $2, r.source_line, r.hospital_code, ${source.columns.map((c) => `r.${c.name}`).join(', ')}
     from _load r
     where ${kept}
       and not exists (select 1 from _violations v where v.source_line = r.source_line and v.severity = 'blocking')`,
      [run.batchId, run.sourceFile],
    ),
  );
  const id = sourceId(source);
  let quarantined = 0;
  if (run.mode === 'load') {
    const q = await timed('quarantine', () =>
      client.query(
        `insert into ops.quarantine (batch_id, source, hospital_code, source_file, source_line, record_key, rule_ids, payload)
       select $1, $2, $6, $3, v.source_line, v.record_key,
              array_agg(distinct v.rule_id order by v.rule_id),
              coalesce((select jsonb_object_agg(coalesce(($4::text[])[u.i], '_extra_' || u.i), u.f)
                        from unnest(string_to_array(v.raw, $5)) with ordinality as u(f, i)), '{}'::jsonb)
       from _violations v where v.severity = 'blocking'
       group by v.source_line, v.record_key, v.raw`,
        [run.batchId, id, run.sourceFile, run.headers, FIELD_SEPARATOR, run.hospitalCode],
      ),
    );
    quarantined = q.rowCount ?? 0;
  } else {
    // Replayed rows that pass leave quarantine; the others keep it, with the rules they fail now.
    await client.query(
      `update ops.quarantine q set status = 'replayed'
       from _load r where q.batch_id = $1 and q.source_line = r.source_line and q.status = 'quarantined'
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
      `update ops.exceptions e set resolved_at = now() from _load r
       where e.batch_id = $1 and e.source_line = r.source_line and e.resolved_at is null`,
      [run.batchId],
    );
  }
  await timed('exceptions', () =>
    client.query(
      `insert into ops.exceptions (batch_id, rule_id, severity, source, hospital_code, source_file, source_line, record_key, message)
     select $1::bigint, v.rule_id, v.severity, $2::text, $3::text, $4::text, v.source_line, v.record_key, v.message
     from _violations v${
       run.mode === 'load'
         ? `
     union all
     select $1, 'duplicate_row', $5, $2, $3, $4, d.source_line, c._record_key,
            '与第 ' || d.first_line || ' 行完全相同，已去重'
     from _duplicates d join _dup_candidates c using (source_line)`
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
  return { loaded: loaded.rowCount ?? 0, quarantined, duplicate, warned: warned.rows[0]?.n ?? 0 };
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
