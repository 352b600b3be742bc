import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__service_split',
  materialized: 'view',
  description: '门诊、住院共用科室的成本划分比例（按月）；两个比例之和应为 1。',
  grain: 'One row per hospital, month and local department.',
  primaryKey: ['hospital_code', 'split_month', 'dept_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    split_month: { description: '期间（月初日期）', tests: ['not_null'] },
    dept_code: { description: '科室编码（院内）' },
    dept_name: { description: '科室名称' },
    outpatient_share: { description: '门诊占比（0–1）', tests: ['not_null'] },
    inpatient_share: { description: '住院占比（0–1）', tests: ['not_null'] },
    basis: { description: '划分依据' },
  },
  tests: [{ name: 'shares_sum_to_one', expression: 'abs(outpatient_share + inpatient_share - 1) <= 0.001' }],
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'service_split')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as split_month,
      dept_code,
      dept_name,
      outpatient_share,
      inpatient_share,
      basis
    from source`,
});
