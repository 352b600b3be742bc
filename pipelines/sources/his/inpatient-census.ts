import { sql } from 'kysely';
import { codeInDictionary } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * HIS 在院患者清单: the patients in bed at a cut-off (a daily snapshot, `inpatient_census_YYYY-MM-DD.csv`,
 * the date being the cut-off's). A later snapshot supersedes the earlier ones: a hospital's open
 * stays are those of its latest snapshot; a corrected file for the same date replaces that date's
 * batch. A stay leaves the census when a later snapshot no longer lists it; its HIS visit, front page
 * and remaining charge lines arrive with its discharge month, and a stay whose discharge is delivered
 * is no longer open even if the latest snapshot still lists it (discharge wins).
 */
/** A census file's snapshot date: the date in its file name (the cut-off), on both census sources. */
export const censusSnapshotDate = {
  column: { name: 'snapshot_date', type: 'date', description: '快照日期（文件名中的截止日期）' },
  derived: {
    column: 'snapshot_date',
    description: 'the date of the file name (the cut-off)',
    value: ({ period }: { period: string }) => sql`${sql.lit(period)}::date`,
  },
} as const;

export const inpatientCensus: SourceDefinition = {
  system: 'his',
  entity: 'inpatient_census',
  description: 'HIS 在院患者清单（每日快照，截止时点在院的住院患者）',
  filePattern: /^inpatient_census_(?<period>\d{4}-\d{2}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'visit_id',
  uniqueKey: ['visit_id'],
  columns: [
    { name: 'snapshot_time', type: 'timestamp', required: true, aliases: ['截止时间'] },
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'patient_id', type: 'text', required: true, aliases: ['患者ID'] },
    { name: 'gender', type: 'text', aliases: ['性别'] },
    { name: 'birth_date', type: 'date', aliases: ['出生日期'] },
    { name: 'admit_time', type: 'timestamp', required: true, aliases: ['入院时间'] },
    { name: 'admit_dept_code', type: 'text', aliases: ['入院科室'] },
    { name: 'current_dept_code', type: 'text', required: true, aliases: ['当前科室', '所在科室'] },
    { name: 'insurance_type', type: 'text', aliases: ['险种'] },
    censusSnapshotDate.column,
  ],
  derived: [censusSnapshotDate.derived],
  rules: [
    {
      id: 'admission_after_snapshot',
      category: 'plausibility.temporal',
      severity: 'blocking',
      description: '入院时间晚于在院清单截止时间',
      failsWhen: sql`r.admit_time > r.snapshot_time`,
      message: sql`'入院时间 ' || r.admit_time || ' 晚于截止时间 ' || r.snapshot_time`,
    },
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'admit_dept_code',
      label: '入院科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'current_dept_code',
      label: '当前科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
  ],
};
