import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__cost_ledger',
  materialized: 'view',
  description:
    'ERP/HRP 科室成本明细账：科室 × 成本项目（公立医院成本核算规范七大类：01 人员经费 … 07 其他运行费用）× 明细项目 × 月' +
    '（明细项目如收费/不收费卫生材料、试剂、胶片，西药、中成药、中药饮片；未细分为空串）。期间转为月初日期。',
  grain: 'One row per hospital, month, local department, cost item and sub-item.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code', 'cost_item_code', 'cost_subitem_code'],
  columns: {
    hospital_code: { description: '医院编码' },
    cost_month: { description: '会计期间（月初日期）', tests: ['not_null'] },
    dept_code: { description: '科室编码（院内）' },
    dept_name: { description: '科室名称' },
    cost_item_code: { description: '成本项目编码' },
    cost_item_name: { description: '成本项目名称' },
    cost_subitem_code: { description: '成本明细项目编码（未细分为空串）' },
    cost_subitem_name: { description: '成本明细项目名称' },
    amount: { description: '金额（元）', tests: ['not_null', { expression: 'amount >= 0' }] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'cost_ledger')}
    )

    select
      hospital_code,
      case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end as cost_month,
      dept_code,
      dept_name,
      cost_item_code,
      cost_item_name,
      coalesce(cost_subitem_code, '') as cost_subitem_code,
      cost_subitem_name,
      amount
    from source`,
});
