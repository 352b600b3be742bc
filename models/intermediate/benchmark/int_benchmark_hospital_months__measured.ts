import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns } from '../../marts/benchmark/_peer_columns.ts';
import {
  FUND_PEER_MEASURES,
  FUND_PEER_POOL_DEFINITION,
  fundPeerMeasureCodes,
  fundPeerMeasureDescription,
} from './_peer_measures.ts';

export default defineModel({
  name: 'int_benchmark_hospital_months__measured',
  materialized: 'table',
  description: [
    '医联体内部基金监管指标对标的成员值：每医院 × 月份 × 指标一行，取 fct_fund_indicators 的全院层级行（口径同该集市），指标值由其分量计算并保留 4 位小数，对标池的分位数、加权均值与名次都按这个值计算。',
    fundPeerMeasureDescription,
    FUND_PEER_POOL_DEFINITION,
  ].join(''),
  grain: 'One row per hospital, month and fund indicator with a value.',
  primaryKey: ['hospital_code', 'month', 'measure'],
  columns: {
    ...peerHospitalColumns('医联体成员医院的编码。'),
    month: { title: '月份', description: '月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    measure: {
      title: '指标',
      description: fundPeerMeasureDescription,
      tests: [{ accepted_values: fundPeerMeasureCodes }],
    },
    value: { title: '指标值', description: '该医院该月的指标值（4 位小数）。', type: 'numeric(18, 4)' },
    cases: count('人次', '指标值所依据的人次（例数加权均值的权重，见指标口径）。'),
  },
  sql: ({ ref }) => sql`
    with hospital_months as (
      select * from ${ref('fct_fund_indicators')} f where f.aggregation_level = 'hospital'
    ),

    final as (
      select
        f.hospital_code,
        f.hospital_name,
        f.hospital_level,
        f.month,
        m.measure,
        m.value::numeric(18, 4) as value,
        m.cases::bigint as cases
      from hospital_months f
      cross join lateral (values ${sql.join(
        fundPeerMeasureCodes.map(
          (m) =>
            sql`(${sql.lit(m)}, round((${FUND_PEER_MEASURES[m].value})::numeric, 4), (${FUND_PEER_MEASURES[m].cases})::bigint)`,
        ),
      )}) m (measure, value, cases)
      where m.value is not null and m.cases > 0 and f.hospital_level is not null
    )

    select * from final`,
});
