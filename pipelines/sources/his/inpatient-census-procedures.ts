import { sql } from 'kysely';
import { batchHospital, notInSet } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';
import { procedureInDictionary } from '../emr/front-page-procedures.ts';
import { censusSnapshotDate } from './inpatient-census.ts';

/**
 * The procedures performed so far for the stays of a census snapshot (手术麻醉系统/医生站的手术操作
 * 记录: operations and procedures done by the cut-off), one row per procedure, delivered with the
 * snapshot of the same date (`inpatient_census_procedures_YYYY-MM-DD.csv`); a later snapshot's list
 * replaces the earlier one. A procedure planned but not yet performed is not on it.
 */
export const inpatientCensusProcedures: SourceDefinition = {
  system: 'his',
  entity: 'inpatient_census_procedures',
  description: 'HIS 在院手术操作（随在院清单交付，截至截止时点已完成的手术操作）',
  filePattern: /^inpatient_census_procedures_(?<period>\d{4}-\d{2}-\d{2})\.csv$/,
  after: ['his.inpatient_census'],
  key: 'visit_id',
  uniqueKey: ['visit_id', 'oprn_seq'],
  columns: [
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'oprn_seq', type: 'integer', required: true, aliases: ['手术序号'] },
    { name: 'oprn_code', type: 'text', required: true, aliases: ['手术操作编码'] },
    { name: 'oprn_name', type: 'text', aliases: ['手术操作名称'] },
    { name: 'main_flag', type: 'text', aliases: ['主手术标志'] },
    { name: 'oprn_time', type: 'timestamp', aliases: ['手术操作时间'] },
    censusSnapshotDate.column,
  ],
  derived: [censusSnapshotDate.derived],
  rules: [
    procedureInDictionary('oprn_code'),
    {
      id: 'census_procedure_time_out_of_stay',
      category: 'plausibility.temporal',
      severity: 'blocking',
      description: '在院手术操作时间早于入院时间或晚于在院清单截止时间',
      failsWhen: sql`exists (select 1 from raw_his.inpatient_census c
        where c.hospital_code = ${batchHospital} and c.visit_id = r.visit_id and c.snapshot_date = r.snapshot_date
          and (r.oprn_time < c.admit_time or r.oprn_time > c.snapshot_time))`,
      message: sql`'手术操作时间 ' || r.oprn_time || ' 不在入院至截止时间 ' || (select c.admit_time || ' – ' || c.snapshot_time
        from raw_his.inpatient_census c
        where c.hospital_code = ${batchHospital} and c.visit_id = r.visit_id and c.snapshot_date = r.snapshot_date
        limit 1)`,
    },
    {
      id: 'orphan_census_procedure',
      category: 'conformance.relational',
      severity: 'blocking',
      description: '在院手术操作对应的在院患者不在任何在院清单中 (visit_id not in his.inpatient_census)',
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
