import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__pay_scales',
  materialized: 'view',
  description: 'ERP/HRP 人员类别薪酬标准：每年每类人员的月人均薪酬与社保公积金计提比例。',
  grain: 'One row per hospital, year and staff class.',
  primaryKey: ['hospital_code', 'year', 'staff_class_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    year: { description: '年度' },
    staff_class_code: { description: '人员类别编码' },
    staff_class_name: { description: '人员类别' },
    monthly_pay: { description: '月人均薪酬（元）', tests: ['not_null'] },
    oncost_rate: { description: '社保公积金计提比例（0–1）' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'pay_scales')}
    )

    select
      hospital_code,
      year,
      staff_class as staff_class_code,
      staff_class_name,
      monthly_pay,
      oncost_rate
    from source`,
});
