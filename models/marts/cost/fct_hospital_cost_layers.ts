import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const money = (title: string, description: string) => ({
  title,
  description,
  type: 'numeric(18, 2)',
  format: 'currency' as const,
  tests: ['not_null' as const],
});

export default defineModel({
  name: 'fct_hospital_cost_layers',
  materialized: 'table',
  description:
    '医院成本层次与账面对账：医院 × 月 × 成本项目。成本层次按公立医院成本核算规范：' +
    '医疗业务成本 = 临床服务类、医疗技术类、医疗辅助类单元的直接成本；医疗成本 = 医疗业务成本 + 行政后勤类（管理费用）；' +
    '医疗全成本 = 医疗成本 + 财政项目补助支出形成的折旧摊销；医院全成本 = 医疗全成本 + 科教项目支出形成的折旧摊销。' +
    'ERP 明细账不区分经费来源，后两项无法单列，故医疗全成本与医院全成本等于医疗成本（has_funding_source_split 为假时即此口径）。' +
    '对账行：交付金额 = 入库金额 + 隔离待处理金额 + 已丢弃金额（只计有效批次的隔离行，期间、项目与金额取隔离行原文，英文或中文表头；' +
    '金额无法识别的隔离行计入行数、金额按 0）；入库金额 = 各科室直接成本之和 = ' +
    '临床服务类全成本之和 + 留在分摊方的成本（动因与备用动因均为零的月份），逐级守恒到分。',
  grain: 'One row per hospital, month and cost item.',
  primaryKey: ['hospital_code', 'cost_month', 'cost_item_code'],
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
    cost_item_code: { title: '成本项目编码', description: '成本项目编码 01–07。', tests: ['not_null'] },
    cost_item_name: { title: '成本项目', description: '成本项目名称。' },
    delivered_amount: money('交付账面金额', '入库金额 + 隔离待处理金额 + 已丢弃金额（元）。'),
    quarantined_rows: {
      title: '隔离账行数',
      description: '被阻断规则隔离、尚待处理的明细账行数（负数金额、未知科室等）。',
      type: 'bigint',
      tests: ['not_null'],
    },
    quarantined_amount: money('隔离待处理金额', '隔离账行的原文金额合计（元；负数金额行按原文计负）。'),
    discarded_amount: money('已丢弃金额', '数据管理员确认丢弃的隔离账行金额（元）。'),
    loaded_amount: money('入库账面金额', '通过阻断规则入库的明细账金额（元）。'),
    direct_cost: money('直接成本合计', '各科室直接成本之和（元），应等于入库金额。'),
    medical_business_cost: money(
      '医疗业务成本',
      '临床服务类、医疗技术类、医疗辅助类单元直接成本之和（元）。',
    ),
    administrative_cost: money('管理费用', '行政后勤类单元直接成本之和（元）。'),
    medical_cost: money('医疗成本', '医疗业务成本 + 管理费用（元）。'),
    medical_full_cost: money(
      '医疗全成本',
      '医疗成本 + 财政项目补助形成的折旧摊销（账上不区分，等于医疗成本）。',
    ),
    hospital_full_cost: money(
      '医院全成本',
      '医疗全成本 + 科教项目形成的折旧摊销（账上不区分，等于医疗全成本）。',
    ),
    has_funding_source_split: {
      title: '是否区分经费来源',
      description: '明细账是否区分财政/科教经费来源；为假时医疗全成本、医院全成本等于医疗成本。',
      type: 'boolean',
    },
    clinical_full_cost: money('临床科室全成本合计', '三级分摊后临床服务类科室全成本之和（元）。'),
    retained_cost: money(
      '留在分摊方的成本',
      '分摊方当月动因与备用动因均为零而未分出的成本（元），通常为零。',
    ),
  },
  tests: [
    { name: 'direct_cost_equals_ledger_loaded', expression: 'direct_cost = loaded_amount' },
    {
      name: 'full_cost_conserves_direct_cost',
      expression: 'clinical_full_cost + retained_cost = direct_cost',
    },
  ],
  sql: ({ ref }) => sql`
    with ledger as (
      select hospital_code, cost_month, cost_item_code, sum(amount) as loaded_amount
      from ${ref('stg_erp__cost_ledger')}
      group by 1, 2, 3
    ),

    batches as (
      select * from ${ref('stg_ops__batches')}
    ),

    -- the quarantined row as delivered, under the English or the Chinese header
    quarantine as (
      select
        q.hospital_code,
        coalesce(q.payload ->> 'period', q.payload ->> '期间') as period,
        coalesce(q.payload ->> 'cost_item_code', q.payload ->> '成本项目编码', '') as cost_item_code,
        replace(coalesce(q.payload ->> 'amount', q.payload ->> '金额', ''), ',', '') as amount,
        q.quarantine_status,
        b.period_month
      from ${ref('stg_ops__quarantine')} q
      join batches b on b.batch_id = q.batch_id and b.is_active
      where q.source = 'erp.cost_ledger' and q.quarantine_status in ('quarantined', 'discarded')
    ),

    quarantine_rows as (
      select
        hospital_code,
        coalesce(case when period ~ '^\\d{4}-\\d{2}$' then to_date(period, 'YYYY-MM') end, period_month) as cost_month,
        cost_item_code,
        quarantine_status,
        case when amount ~ '^-?\\d+(\\.\\d+)?$' then amount::numeric else 0 end as amount
      from quarantine
    ),

    quarantined as (
      select
        hospital_code,
        cost_month,
        cost_item_code,
        count(*) filter (where quarantine_status = 'quarantined') as quarantined_rows,
        coalesce(sum(amount) filter (where quarantine_status = 'quarantined'), 0) as quarantined_amount,
        coalesce(sum(amount) filter (where quarantine_status = 'discarded'), 0) as discarded_amount
      from quarantine_rows
      group by 1, 2, 3
    ),

    units as (
      select
        hospital_code,
        cost_month,
        cost_item_code,
        sum(direct_cost) as direct_cost,
        coalesce(sum(direct_cost) filter (where cost_unit_class <> '行政后勤类'), 0) as medical_business_cost,
        coalesce(sum(direct_cost) filter (where cost_unit_class = '行政后勤类'), 0) as administrative_cost,
        coalesce(sum(full_cost) filter (where cost_unit_class = '临床服务类'), 0) as clinical_full_cost,
        coalesce(sum(full_cost) filter (where cost_unit_class <> '临床服务类'), 0) as retained_cost
      from ${ref('fct_department_full_costs')}
      group by 1, 2, 3
    ),

    cells as (
      select hospital_code, cost_month, cost_item_code from ledger
      union
      select hospital_code, cost_month, cost_item_code from quarantined
      union
      select hospital_code, cost_month, cost_item_code from units
    ),

    final as (
      select
        c.hospital_code,
        c.cost_month,
        c.cost_item_code,
        i.cost_item_name,
        (coalesce(l.loaded_amount, 0) + coalesce(q.quarantined_amount, 0) + coalesce(q.discarded_amount, 0))::numeric(18, 2)
          as delivered_amount,
        coalesce(q.quarantined_rows, 0)::bigint as quarantined_rows,
        coalesce(q.quarantined_amount, 0)::numeric(18, 2) as quarantined_amount,
        coalesce(q.discarded_amount, 0)::numeric(18, 2) as discarded_amount,
        coalesce(l.loaded_amount, 0)::numeric(18, 2) as loaded_amount,
        coalesce(u.direct_cost, 0)::numeric(18, 2) as direct_cost,
        coalesce(u.medical_business_cost, 0)::numeric(18, 2) as medical_business_cost,
        coalesce(u.administrative_cost, 0)::numeric(18, 2) as administrative_cost,
        coalesce(u.direct_cost, 0)::numeric(18, 2) as medical_cost,
        coalesce(u.direct_cost, 0)::numeric(18, 2) as medical_full_cost,
        coalesce(u.direct_cost, 0)::numeric(18, 2) as hospital_full_cost,
        false as has_funding_source_split,
        coalesce(u.clinical_full_cost, 0)::numeric(18, 2) as clinical_full_cost,
        coalesce(u.retained_cost, 0)::numeric(18, 2) as retained_cost
      from cells c
      left join ledger l using (hospital_code, cost_month, cost_item_code)
      left join quarantined q using (hospital_code, cost_month, cost_item_code)
      left join units u using (hospital_code, cost_month, cost_item_code)
      left join ${ref('cost_items')} i on i.cost_item_code = c.cost_item_code
    )

    select * from final`,
});
