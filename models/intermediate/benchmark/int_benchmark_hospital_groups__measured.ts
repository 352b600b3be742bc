import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns } from '../../marts/benchmark/_peer_columns.ts';
import {
  PEER_MEASURES,
  PEER_POOL_DEFINITION,
  peerMeasureCodes,
  peerMeasureDescription,
} from './_peer_measures.ts';

export default defineModel({
  name: 'int_benchmark_hospital_groups__measured',
  materialized: 'table',
  description: [
    '医联体内部对标的成员值：每医院 × DRG 病组 × 出院年度 × 指标一行，取 fct_inpatient_cases 的入组病例（未排除且有病组）。',
    '指标值保留 4 位小数，对标池的分位数、加权均值与名次都按这个值计算。',
    peerMeasureDescription,
    PEER_POOL_DEFINITION,
  ].join(''),
  grain: 'One row per hospital, DRG group, discharge year and measure with a value.',
  primaryKey: ['hospital_code', 'drg_code', 'year', 'measure'],
  columns: {
    ...peerHospitalColumns('医联体成员医院的编码。'),
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    year: { title: '出院年度', description: '出院年度。', type: 'integer', tests: ['not_null'] },
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    value: {
      title: '指标值',
      description: '该医院该病组该年度的指标值（4 位小数）。',
      type: 'numeric(18, 4)',
    },
    cases: count('例数', '指标值所依据的入组病例数（例数加权均值的权重）。'),
  },
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')} c where c.is_grouped and c.drg_code is not null
    ),

    per_group as (
      select
        c.hospital_code,
        min(c.hospital_name) as hospital_name,
        min(c.hospital_level) as hospital_level,
        c.drg_code,
        min(c.drg_name) as drg_name,
        c.year,
        ${sql.join(
          peerMeasureCodes.map(
            (m) => sql`round((${PEER_MEASURES[m].value})::numeric, 4) as ${sql.ref(`${m}_value`)},
        (${PEER_MEASURES[m].cases})::bigint as ${sql.ref(`${m}_cases`)}`,
          ),
        )}
      from cases c
      group by c.hospital_code, c.drg_code, c.year
    ),

    final as (
      select
        g.hospital_code,
        g.hospital_name,
        g.hospital_level,
        g.drg_code,
        g.drg_name,
        g.year::integer as year,
        m.measure,
        m.value::numeric(18, 4) as value,
        m.cases::bigint as cases
      from per_group g
      cross join lateral (values ${sql.join(
        peerMeasureCodes.map(
          (m) => sql`(${sql.lit(m)}, g.${sql.ref(`${m}_value`)}, g.${sql.ref(`${m}_cases`)})`,
        ),
      )}) m (measure, value, cases)
      where m.value is not null and m.cases > 0 and g.hospital_level is not null
    )

    select * from final`,
});
