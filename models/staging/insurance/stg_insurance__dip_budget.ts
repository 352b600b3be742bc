import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_insurance__dip_budget',
  materialized: 'view',
  description:
    '医保局发布的 DIP 年度预算：统筹区的基金预算、总分值与点值（预算/总分值），及其状态（预估/清算）。',
  grain: 'One row per publisher, year and 统筹区.',
  primaryKey: ['publisher_code', 'year', 'region_code'],
  columns: {
    publisher_code: { description: '发布方编码' },
    year: { description: '年度' },
    region_code: { description: '统筹区（行政区划代码）' },
    budget: { description: '年度预算（元）', tests: ['not_null'] },
    total_points: { description: '总分值' },
    point_value: { description: '点值（元/分）', tests: ['not_null'] },
    status: { description: '状态' },
    provisional_point_value: { description: '预结算点值（年内按月结算所用，元/分）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'dip_budget')}
    )

    select
      hospital_code as publisher_code,
      year,
      region_code,
      budget,
      total_points,
      point_value,
      status,
      provisional_point_value
    from source`,
});
