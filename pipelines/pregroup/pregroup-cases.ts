import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createGrouper, type Grouper } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import type { Logger } from '../../core/logging/logger.ts';
import type { ProgressReporter } from '../../core/logging/progress.ts';
import { ensureRawTables } from '../ingest/load-batch.ts';
import { allSources } from '../sources/index.ts';
import { groupStay, prepareStay, type PregroupInput, type PregroupRow } from './pregroup-record.ts';

/** The progress phase of the stage. */
export const PREGROUP_PHASE = '预分组 (pre-group)';

/** Stays written per insert. */
const BATCH_ROWS = 5_000;

export interface PregroupOptions {
  /** The rule set file or folder (config `HDW_DRG_RULE_SET`). */
  readonly ruleSet: string;
  readonly logger: Logger;
  readonly progress?: ProgressReporter;
  /** Stays per insert; default 5 000. */
  readonly batchRows?: number;
}

export interface PregroupSummary {
  /** Which rules grouped: the rule set's scheme and a hash of its content. */
  readonly ruleSetVersion: string;
  /** Stays read (front pages, settlement lists of stays without one, and stays in bed). */
  readonly stays: number;
  /** Stays grouped this run (new, changed input, or another rule set); the others kept. */
  readonly grouped: number;
  /** Of those, how many ended in each status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Pre-groups removed because their stay is no longer delivered (a corrected batch dropped it). */
  readonly removed: number;
}

interface Compiled {
  readonly grouper: Grouper;
  readonly version: string;
}

// Compiled once per rule set file and process: a scheduler runs the stage every hour.
const compiledBySource = new Map<string, Compiled>();
function compile(source: string): Compiled {
  let compiled = compiledBySource.get(source);
  if (!compiled) {
    const ruleSet = readRuleSet(source);
    const hash = createHash('sha256').update(JSON.stringify(ruleSet)).digest('hex').slice(0, 12);
    compiled = { grouper: createGrouper(ruleSet), version: `${ruleSet.rules.scheme}@${hash}` };
    compiledBySource.set(source, compiled);
  }
  return compiled;
}

interface InputRow {
  hospital_code: string;
  visit_id: string;
  record_source: 'front_page' | 'settlement_list' | 'in_stay';
  gender: string | null;
  age_years: number | null;
  birth_date: string | null;
  admitted_on: string | null;
  diagnoses: [string | null, boolean | null, number | null][] | null;
  procedures: [string | null, boolean | null, number | null][] | null;
  stored_hash: string | null;
  stored_version: string | null;
}

/**
 * Every stay's grouping input, read from the raw deliveries (the stage runs before any model is
 * built): its front page with its diagnoses and procedures, or, for a stay with no front page, its
 * latest settlement list with the list's western-medicine diagnoses (诊断类别 1) and procedures;
 * beside it what ops.case_pregroups holds for it. Codes come with their principal/main flag and
 * sequence (the settlement list's order is its delivered line order); pregroup-record.ts orders them.
 * A stay of its hospital's latest census snapshot (his.inpatient_census) with neither is a stay in
 * bed: grouped from that snapshot's diagnoses and procedures so far (his.inpatient_census_diagnoses,
 * his.inpatient_census_procedures; record source in_stay).
 */
const INPUTS_SQL = `
  with front_dx as (
    select hospital_code, visit_id,
      json_agg(json_build_array(diag_code, main_flag = '1', diag_seq) order by diag_seq, source_line) as diagnoses
    from raw_emr.front_page_diagnoses
    group by 1, 2
  ),
  front_px as (
    select hospital_code, visit_id,
      json_agg(json_build_array(oprn_code, main_flag = '1', oprn_seq) order by oprn_seq, source_line) as procedures
    from raw_emr.front_page_procedures
    group by 1, 2
  ),
  front as (
    select distinct on (f.hospital_code, f.visit_id)
      f.hospital_code, f.visit_id, 'front_page' as record_source, f.gender, f.age as age_years,
      f.birth_date::text as birth_date, f.admit_time::date::text as admitted_on, d.diagnoses, p.procedures
    from raw_emr.front_pages f
    left join front_dx d on d.hospital_code = f.hospital_code and d.visit_id = f.visit_id
    left join front_px p on p.hospital_code = f.hospital_code and p.visit_id = f.visit_id
    order by f.hospital_code, f.visit_id, f.batch_id desc
  ),
  settlement as (
    select distinct on (s.hospital_code, s.mdtrt_id)
      s.hospital_code, s.mdtrt_id as visit_id, s.setl_id, s.gend, s.age, s.brdy, s.adm_time
    from raw_insurance.settlements s
    where not exists (
      select 1 from raw_emr.front_pages f where f.hospital_code = s.hospital_code and f.visit_id = s.mdtrt_id
    )
    order by s.hospital_code, s.mdtrt_id, s.setl_time desc nulls last, s.batch_id desc, s.setl_id desc
  ),
  settlement_dx as (
    select d.hospital_code, d.setl_id,
      json_agg(json_build_array(d.diag_code, d.maindiag_flag = '1', d.source_line) order by d.source_line) as diagnoses
    from raw_insurance.settlement_diagnoses d
    join settlement s on s.hospital_code = d.hospital_code and s.setl_id = d.setl_id
    where coalesce(d.diag_type, '1') = '1'
    group by 1, 2
  ),
  settlement_px as (
    select o.hospital_code, o.setl_id,
      json_agg(json_build_array(o.oprn_oprt_code, o.main_oprn_flag = '1', o.source_line) order by o.source_line)
        as procedures
    from raw_insurance.settlement_procedures o
    join settlement s on s.hospital_code = o.hospital_code and s.setl_id = o.setl_id
    group by 1, 2
  ),
  latest_census as (
    select c.* from raw_his.inpatient_census c
    where c.snapshot_date = (select max(l.snapshot_date) from raw_his.inpatient_census l where l.hospital_code = c.hospital_code)
      and not exists (
        select 1 from raw_emr.front_pages f where f.hospital_code = c.hospital_code and f.visit_id = c.visit_id
      )
      and not exists (
        select 1 from raw_insurance.settlements s where s.hospital_code = c.hospital_code and s.mdtrt_id = c.visit_id
      )
      and not exists (
        select 1 from raw_his.inpatient_visits v where v.hospital_code = c.hospital_code and v.visit_id = c.visit_id
      )
  ),
  census_dx as (
    select d.hospital_code, d.visit_id,
      json_agg(json_build_array(d.diag_code, d.main_flag = '1', d.diag_seq) order by d.diag_seq, d.source_line) as diagnoses
    from raw_his.inpatient_census_diagnoses d
    join latest_census c on c.hospital_code = d.hospital_code and c.visit_id = d.visit_id and c.snapshot_date = d.snapshot_date
    group by 1, 2
  ),
  census_px as (
    select o.hospital_code, o.visit_id,
      json_agg(json_build_array(o.oprn_code, o.main_flag = '1', o.oprn_seq) order by o.oprn_seq, o.source_line)
        as procedures
    from raw_his.inpatient_census_procedures o
    join latest_census c on c.hospital_code = o.hospital_code and c.visit_id = o.visit_id and c.snapshot_date = o.snapshot_date
    group by 1, 2
  ),
  in_stay as (
    select distinct on (c.hospital_code, c.visit_id)
      c.hospital_code, c.visit_id, 'in_stay' as record_source, c.gender, null::integer as age_years,
      c.birth_date::text as birth_date, c.admit_time::date::text as admitted_on, d.diagnoses, p.procedures
    from latest_census c
    left join census_dx d on d.hospital_code = c.hospital_code and d.visit_id = c.visit_id
    left join census_px p on p.hospital_code = c.hospital_code and p.visit_id = c.visit_id
    order by c.hospital_code, c.visit_id, c.batch_id desc
  ),
  inputs as (
    select * from front
    union all
    select s.hospital_code, s.visit_id, 'settlement_list', s.gend, s.age, s.brdy::text, s.adm_time::date::text,
      d.diagnoses, p.procedures
    from settlement s
    left join settlement_dx d on d.hospital_code = s.hospital_code and d.setl_id = s.setl_id
    left join settlement_px p on p.hospital_code = s.hospital_code and p.setl_id = s.setl_id
    union all
    select * from in_stay
  )
  select i.*, c.input_hash as stored_hash, c.rule_set_version as stored_version
  from inputs i
  left join ops.case_pregroups c on c.hospital_code = i.hospital_code and c.visit_id = i.visit_id`;

const UPSERT_SQL = `
  insert into ops.case_pregroups as c (
    hospital_code, visit_id, record_source, rule_set_version, input_hash,
    mdc_code, adrg_code, drg_code, status, reasons, grouped_at
  )
  select u.hospital_code, u.visit_id, u.record_source, $10, u.input_hash,
    u.mdc_code, u.adrg_code, u.drg_code, u.status, u.reasons, now()
  from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[])
    as u(hospital_code, visit_id, record_source, input_hash, mdc_code, adrg_code, drg_code, status, reasons)
  on conflict (hospital_code, visit_id) do update set
    record_source = excluded.record_source,
    rule_set_version = excluded.rule_set_version,
    input_hash = excluded.input_hash,
    mdc_code = excluded.mdc_code,
    adrg_code = excluded.adrg_code,
    drg_code = excluded.drg_code,
    status = excluded.status,
    reasons = excluded.reasons,
    grouped_at = excluded.grouped_at`;

async function upsert(pool: pg.Pool, rows: readonly PregroupRow[], version: string): Promise<void> {
  const column = <K extends keyof PregroupRow>(key: K) => rows.map((r) => r[key]);
  await pool.query(UPSERT_SQL, [
    column('hospitalCode'),
    column('visitId'),
    column('recordSource'),
    column('inputHash'),
    column('mdcCode'),
    column('adrgCode'),
    column('drgCode'),
    column('status'),
    column('reasons'),
    version,
  ]);
}

/**
 * 预分组: groups every stay with the configured rule set and keeps the result in
 * ops.case_pregroups, before the models are built (stays still in bed too, from their diagnoses and
 * procedures so far: fct_inpatient_stay_estimates) (fct_inpatient_cases sets the hospital's own
 * group beside the payer's from it). Incremental: a stay whose input hash and rule set are those
 * stored is not grouped again; a new rule set regroups every stay. Written in batches, each its own
 * statement, so a rerun after a failure picks up what is left. Pre-groups of stays no longer
 * delivered are removed.
 */
export async function pregroupCases(pool: pg.Pool, options: PregroupOptions): Promise<PregroupSummary> {
  const { grouper, version } = compile(options.ruleSet);
  await ensureRawTables(pool, allSources);
  const { rows: inputs } = await pool.query<InputRow>(INPUTS_SQL);
  const group = (record: Parameters<Grouper['group']>[0]) => grouper.group(record);
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const byStatus: Record<string, number> = {};
  let pending: PregroupRow[] = [];
  let grouped = 0;
  for (const [index, row] of inputs.entries()) {
    const input: PregroupInput = {
      hospitalCode: row.hospital_code,
      visitId: row.visit_id,
      recordSource: row.record_source,
      gender: row.gender,
      ageYears: row.age_years,
      birthDate: row.birth_date,
      admittedOn: row.admitted_on,
      diagnoses: row.diagnoses ?? [],
      procedures: row.procedures ?? [],
    };
    const prepared = prepareStay(input);
    if (prepared.inputHash !== row.stored_hash || row.stored_version !== version) {
      const result = groupStay(input, prepared, group);
      byStatus[result.status] = (byStatus[result.status] ?? 0) + 1;
      pending.push(result);
      grouped += 1;
    }
    if (pending.length >= batchRows) {
      await upsert(pool, pending, version);
      pending = [];
    }
    options.progress?.update(PREGROUP_PHASE, index + 1, inputs.length);
  }
  if (pending.length > 0) await upsert(pool, pending, version);
  const removed = await pool.query(`
    delete from ops.case_pregroups c
    where not exists (select 1 from raw_emr.front_pages f where f.hospital_code = c.hospital_code and f.visit_id = c.visit_id)
      and not exists (
        select 1 from raw_insurance.settlements s where s.hospital_code = c.hospital_code and s.mdtrt_id = c.visit_id
      )
      and not exists (
        select 1 from raw_his.inpatient_census i
        where i.hospital_code = c.hospital_code and i.visit_id = c.visit_id
          and i.snapshot_date = (select max(l.snapshot_date) from raw_his.inpatient_census l where l.hospital_code = i.hospital_code)
          and not exists (
            select 1 from raw_his.inpatient_visits v where v.hospital_code = i.hospital_code and v.visit_id = i.visit_id
          )
      )`);
  options.progress?.finish(PREGROUP_PHASE);
  const summary = { ruleSetVersion: version, stays: inputs.length, grouped, byStatus, removed: removed.rowCount ?? 0 };
  options.logger.info({ stage: 'pregroup', ...summary }, 'pre-group: stays grouped');
  return summary;
}
