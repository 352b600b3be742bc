import { sql } from 'kysely';
import { codeInDictionary, hisInpatientValue } from '../../ingest/rule-kit.ts';
import type { RuleDefinition, SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * A diagnosis restricted to one sex (ref.diagnoses.sex_restriction) on a patient of the other.
 * The patient's sex comes from the stay's front page, else from its HIS inpatient visit.
 */
export function diagnosisSexConflict(codeColumn: string, visitColumn: string): RuleDefinition {
  const code = sql.ref(`r.${codeColumn}`);
  const visit = sql.ref(`r.${visitColumn}`);
  const sex = sql`coalesce(
    (select f.gender from raw_emr.front_pages f where f.hospital_code = r.hospital_code and f.visit_id = ${visit} limit 1),
    ${hisInpatientValue(visit, 'gender', '性别', 'text')})`;
  return {
    id: 'diagnosis_sex_conflict',
    category: 'plausibility.atemporal',
    severity: 'blocking',
    description: '诊断与患者性别不符（如男性患者的妊娠诊断）',
    failsWhen: sql`exists (select 1 from ref.diagnoses d where d.diag_code = ${code} and d.sex_restriction is not null
      and d.sex_restriction <> ${sex})`,
    message: sql`'诊断 ' || ${code} || ' 仅限性别 ' || (select d.sex_restriction from ref.diagnoses d where d.diag_code = ${code}) || '，患者性别 ' || coalesce(${sex}, '?')`,
  };
}

/** A diagnosis code column that must be an ICD-10 医保版 2.0 code of the unified dictionary. */
export function diagnosisInDictionary(column: string): RuleDefinition {
  return codeInDictionary({
    id: 'unknown_diagnosis_code',
    column,
    label: '诊断编码',
    dictionary: 'ref.diagnoses',
    dictionaryColumn: 'diag_code',
    perHospital: false,
  });
}

/** Diagnoses of the front page, one row per diagnosis of a stay. */
export const frontPageDiagnoses: SourceDefinition = {
  system: 'emr',
  entity: 'front_page_diagnoses',
  description: 'EMR 病案首页诊断',
  filePattern: /^front_page_diagnoses_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['emr.front_pages', 'his.inpatient_visits'],
  key: 'visit_id',
  uniqueKey: ['visit_id', 'diag_seq'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'medcasno', type: 'text', aliases: ['病案号'] },
    { name: 'diag_seq', type: 'integer', required: true, aliases: ['诊断序号'] },
    { name: 'diag_code', type: 'text', required: true, aliases: ['诊断编码'] },
    { name: 'diag_name', type: 'text', aliases: ['诊断名称'] },
    { name: 'main_flag', type: 'text', aliases: ['主诊断标志'] },
    { name: 'adm_cond', type: 'text', aliases: ['入院病情'] },
  ],
  rules: [diagnosisInDictionary('diag_code'), diagnosisSexConflict('diag_code', 'visit_id')],
};
