import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_department_direct_costs',
  materialized: 'table',
  // analysed from a 3,000-row sample, as int_charge_lines__summed_by_item says why
  plannerSettings: { default_statistics_target: '10' },
  description:
    '各科室直接成本表：医院 × 月 × 科室 × 成本项目 × 明细项目的直接成本，即 ERP/HRP 科室成本明细账入库后的金额（元，精确到分），' +
    '按成本项目汇总即标准的“各科室直接成本表”。被阻断规则隔离的账行（负数金额、未知科室）不在此表，' +
    '其金额作为对账行列在 fct_cost_ledger_reconciliation，入库数 + 隔离数 = 交付数。',
  grain: 'One row per hospital, month, local department, cost item and sub-item.',
  primaryKey: ['hospital_code', 'cost_month', 'dept_code', 'cost_item_code', 'cost_subitem_code'],
  columns: {
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    cost_month: {
      title: '成本月份',
      description: '会计期间（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    dept_code: {
      title: '科室编码',
      description: '院内科室编码（核算单元）。',
      tests: ['not_null'],
    },
    dept_name: { title: '科室名称', description: '院内科室名称。' },
    std_dept_code: { title: '标准科室编码', description: '联盟标准科室编码。', tests: ['not_null'] },
    cost_unit_class: {
      title: '核算单元类别',
      description: '临床服务类、医疗技术类、医疗辅助类或行政后勤类。',
      tests: ['not_null'],
    },
    cost_item_code: {
      title: '成本项目编码',
      description: '成本项目编码 01–07（公立医院成本核算规范七大类）。',
      tests: ['not_null', { relationships: { to: 'cost_items', field: 'cost_item_code' } }],
    },
    cost_item_name: { title: '成本项目', description: '成本项目名称，如人员经费、卫生材料费。' },
    cost_subitem_code: {
      title: '明细项目编码',
      description: '成本明细项目编码；账上未细分为空串。',
      tests: ['not_null'],
    },
    cost_subitem_name: { title: '明细项目', description: '成本明细项目名称，如可单独收费卫生材料、西药。' },
    controllability: {
      title: '可控性',
      description: '可控/不可控（明细项目种子，未细分时取成本项目种子）。',
      tests: [{ accepted_values: ['可控', '不可控'] }],
    },
    cost_behaviour: {
      title: '成本性态',
      description: '固定/变动（明细项目种子，未细分时取成本项目种子）。',
      tests: [{ accepted_values: ['固定', '变动'] }],
    },
    is_separately_billed: {
      title: '是否单独收费',
      description: '药品与可单独收费卫生材料为真：医疗服务项目成本中扣除。',
      type: 'boolean',
    },
    direct_cost: {
      title: '直接成本',
      description: '入库账面金额（元，精确到分）。',
      type: 'numeric(18, 2)',
      format: 'currency',
      tests: ['not_null'],
    },
  },
  sql: ({ ref }) => sql`
    with ledger as (
      select * from ${ref('stg_erp__cost_ledger')}
    ),

    units as (
      select * from ${ref('dim_cost_units')}
    ),

    items as (
      select * from ${ref('cost_items')}
    ),

    subitems as (
      select * from ${ref('cost_subitems')}
    ),

    final as (
      select
        -- ids
        l.hospital_code,
        l.cost_month,
        l.dept_code,
        coalesce(u.dept_name, l.dept_name) as dept_name,
        u.std_dept_code,
        u.cost_unit_class,
        l.cost_item_code,
        coalesce(i.cost_item_name, l.cost_item_name) as cost_item_name,
        l.cost_subitem_code,
        coalesce(s.cost_subitem_name, nullif(l.cost_subitem_name, '')) as cost_subitem_name,
        -- attributes
        coalesce(s.controllability, i.controllability) as controllability,
        coalesce(s.cost_behaviour, i.cost_behaviour) as cost_behaviour,
        coalesce(s.is_separately_billed, false) as is_separately_billed,
        -- amounts
        sum(l.amount)::numeric(18, 2) as direct_cost
      from ledger l
      left join units u on u.hospital_code = l.hospital_code and u.dept_code = l.dept_code
      left join items i on i.cost_item_code = l.cost_item_code
      left join subitems s on s.cost_subitem_code = l.cost_subitem_code
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
    )

    select * from final`,
});
