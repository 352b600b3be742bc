import { sql } from 'kysely';
import { codeInDictionary } from '../../ingest/rule-kit.ts';
import type { RuleDefinition, SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * A procedure date (`dateColumn`) outside the stay of `visitColumn`: before the admission day or
 * after the discharge day. The stay comes from the front page, else from the HIS inpatient visit.
 */
export function procedureDateInStay(dateColumn: string, visitColumn: string): RuleDefinition {
  const date = sql.ref(`r.${dateColumn}`);
  const visit = sql.ref(`r.${visitColumn}`);
  const stay = sql`(select s.admit_time::date as admit_day, s.discharge_time::date as discharge_day from (
      select f.admit_time, f.discharge_time, 1 as pref from raw_emr.front_pages f
      where f.hospital_code = r.hospital_code and f.visit_id = ${visit}
      union all
      select v.admit_time, v.discharge_time, 2 from raw_his.inpatient_visits v
      where v.hospital_code = r.hospital_code and v.visit_id = ${visit}) s order by s.pref limit 1)`;
  return {
    id: 'procedure_date_out_of_stay',
    category: 'plausibility.temporal',
    severity: 'blocking',
    description: '手术操作日期不在住院期间内',
    failsWhen: sql`exists (select 1 from ${stay} st where ${date} < st.admit_day or ${date} > st.discharge_day)`,
    message: sql`'手术操作日期 ' || ${date} || ' 不在住院期间 ' || (select st.admit_day || ' – ' || st.discharge_day from ${stay} st)`,
  };
}

/** A procedure code column that must be an ICD-9-CM-3 医保版 2.0 code of the unified dictionary. */
export function procedureInDictionary(column: string): RuleDefinition {
  return codeInDictionary({
    id: 'unknown_procedure_code',
    column,
    label: '手术操作编码',
    dictionary: 'ref.procedures',
    dictionaryColumn: 'oprn_code',
    perHospital: false,
  });
}

/** Procedures of the front page, one row per procedure of a stay. */
export const frontPageProcedures: SourceDefinition = {
  system: 'emr',
  entity: 'front_page_procedures',
  description: 'EMR 病案首页手术操作',
  filePattern: /^front_page_procedures_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['emr.front_pages', 'his.inpatient_visits'],
  key: 'visit_id',
  uniqueKey: ['visit_id', 'oprn_seq'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'medcasno', type: 'text', aliases: ['病案号'] },
    { name: 'oprn_seq', type: 'integer', required: true, aliases: ['手术序号'] },
    { name: 'oprn_code', type: 'text', required: true, aliases: ['手术操作编码'] },
    { name: 'oprn_name', type: 'text', aliases: ['手术操作名称'] },
    { name: 'main_flag', type: 'text', aliases: ['主手术标志'] },
    { name: 'oprn_date', type: 'date', aliases: ['手术操作日期'] },
    { name: 'oprn_level', type: 'text', aliases: ['手术级别'] },
    { name: 'anesthesia_type', type: 'text', aliases: ['麻醉方式'] },
    { name: 'incision_class', type: 'text', aliases: ['切口愈合等级'] },
  ],
  rules: [procedureInDictionary('oprn_code'), procedureDateInStay('oprn_date', 'visit_id')],
};
