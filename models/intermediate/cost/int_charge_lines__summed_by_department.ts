import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_charge_lines__summed_by_department',
  materialized: 'table',
  description:
    '收费明细按月、开单科室与执行科室汇总（院内科室编码，入库明细之和）：医技科室的“开单收入”分摊动因（执行科室为分摊方）与临床科室的开单收入都由此取数。' +
    '由按项目汇总的收费明细（int_charge_lines__summed_by_item）再汇总，不另读收费明细。',
  grain: 'One row per hospital, charge month, ordering department and executing department.',
  primaryKey: ['hospital_code', 'charge_month', 'order_dept_code', 'exec_dept_code'],
  columns: {
    hospital_code: { title: '医院编码', description: '医联体成员医院编码。', tests: ['not_null'] },
    charge_month: { title: '收费月份', description: '收费时间所在月（月初日期）。', type: 'date' },
    order_dept_code: { title: '开单科室', description: '开单科室（院内编码，未填为空串）。' },
    exec_dept_code: { title: '执行科室', description: '执行科室（院内编码，未填为空串）。' },
    amount: {
      title: '金额',
      description: '收费金额合计（元）。',
      type: 'numeric(18, 2)',
      format: 'currency',
      tests: ['not_null'],
    },
    line_count: { title: '明细条数', description: '汇总的收费明细行数。', type: 'bigint' },
  },
  sql: ({ ref }) => sql`
    with item_sums as (
      select * from ${ref('int_charge_lines__summed_by_item')}
    )

    select
      hospital_code,
      charge_month,
      order_dept_code,
      exec_dept_code,
      sum(amount)::numeric(18, 2) as amount,
      sum(line_count)::bigint as line_count
    from item_sums
    group by 1, 2, 3, 4`,
});
