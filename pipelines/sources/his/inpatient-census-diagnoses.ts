import { sql } from 'kysely';
import { batchHospital, notInSet } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';
import { diagnosisInDictionary } from '../emr/front-page-diagnoses.ts';
import { censusSnapshotDate } from './inpatient-census.ts';

/**
 * The diagnoses recorded so far for the stays of a census snapshot (住院医生站诊断记录: 入院诊断 and
 * those added later), one row per diagnosis, delivered with the snapshot of the same date
 * (`inpatient_census_diagnoses_YYYY-MM-DD.csv`); a later snapshot's list replaces the earlier one.
 */
export const inpatientCensusDiagnoses: SourceDefinition = {
  system: 'his',
  entity: 'inpatient_census_diagnoses',
  description: 'HIS 在院患者诊断（随在院清单交付，截至截止时点已下的诊断）',
  filePattern: /^inpatient_census_diagnoses_(?<period>\d{4}-\d{2}-\d{2})\.csv$/,
  after: ['his.inpatient_census'],
  key: 'visit_id',
  uniqueKey: ['visit_id', 'diag_seq'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'diag_seq', type: 'integer', required: true, aliases: ['诊断序号'] },
    { name: 'diag_code', type: 'text', required: true, aliases: ['诊断编码'] },
    { name: 'diag_name', type: 'text', aliases: ['诊断名称'] },
    { name: 'main_flag', type: 'text', aliases: ['主诊断标志'] },
    { name: 'diag_type', type: 'text', aliases: ['诊断类别'] },
    { name: 'recorded_time', type: 'timestamp', aliases: ['诊断时间'] },
    censusSnapshotDate.column,
  ],
  derived: [censusSnapshotDate.derived],
  rules: [
    diagnosisInDictionary('diag_code'),
    {
      id: 'orphan_census_diagnosis',
      category: 'conformance.relational',
      severity: 'blocking',
      description: '在院诊断对应的在院患者不在任何在院清单中 (visit_id not in his.inpatient_census)',
      failsWhen: sql`coalesce(${notInSet(
        sql`r.visit_id`,
        sql`select c.visit_id from raw_his.inpatient_census c
            where c.hospital_code = ${batchHospital} and c.visit_id is not null`,
      )}, true)
        and coalesce(r.visit_id not in (select q.record_key from ops.quarantine q
          where q.source = 'his.inpatient_census' and q.status = 'quarantined'
            and q.hospital_code = ${batchHospital} and q.record_key is not null), true)`,
      message: sql`'住院号 ' || r.visit_id || ' 不在在院清单中'`,
    },
  ],
};
