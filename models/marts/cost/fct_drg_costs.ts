import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const amount = (title: string, description: string) => ({
  title,
  description,
  format: 'currency' as const,
  type: 'numeric(18, 2)',
  tests: ['not_null' as const],
});

export default defineModel({
  name: 'fct_drg_costs',
  materialized: 'table',
  // Summed without parallel workers: 157k cases make 7k groups of 14 numeric sums, and combining two
  // workers' partial sums cost more than it saved (select 0.77 s with two workers, 0.60 s without).
  plannerSettings: { max_parallel_workers_per_gather: '0' },
  description: [
    'DRG 成本明细/构成：医院 × 出院月份 × DRG 病组，病例数、总权重、项目叠加法成本合计与构成、成本收入比法成本、医疗总费用、支付标准合计与结余/超支（医院成本口径）。',
    '病组取 int_inpatient_cases__grouped（医保结算结果优先，其次病案首页院内分组；未入组病例归“未入组”一行）；病例成本取 fct_case_costs。',
    '病组成本 = 其病例成本之和。结余/超支 = Σ 支付标准 − Σ 病例成本，只计有支付标准且有病例成本的病例（paid_case_count），正为结余、负为超支；',
    '医保口径（支付标准 − 医疗总费用）与逐病例的结余在 DRG 集市的病例事实表。没有出院记录因而没有病例成本的分组病例计入 uncosted_case_count，不计成本。',
  ].join(''),
  grain: 'One row per hospital, discharge month and DRG group (ungrouped cases in one row).',
  primaryKey: 'drg_cost_id',
  columns: {
    drg_cost_id: { title: 'DRG 成本行编号', description: '主键：医院|月份|DRG 编码。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    discharge_month: {
      title: '出院月份',
      description: '出院月份（当月第一天）。',
      type: 'date',
      tests: ['not_null'],
    },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码；未入组病例为“未入组”。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    case_count: {
      title: '病例数',
      description: '有病例成本的出院病例数。',
      type: 'bigint',
      tests: ['not_null'],
    },
    uncosted_case_count: {
      title: '无成本病例数',
      description: '已分组但没有病例成本（HIS 出院记录缺失或被隔离）的病例数。',
      type: 'bigint',
    },
    paid_case_count: {
      title: '有支付标准病例数',
      description: '有支付标准且有病例成本的病例数。',
      type: 'bigint',
    },
    total_weight: { title: '总权重', description: '有病例成本的病例 RW 之和。' },
    case_cost: amount('DRG 成本', '项目叠加法病例成本合计（元）。'),
    case_cost_ccr: amount('DRG 成本（成本收入比法）', '成本收入比法病例成本合计（元）。'),
    labour_cost: amount('人员经费', '人员经费合计（元）。'),
    drug_cost: amount('药品费', '药品采购成本合计（元）。'),
    material_cost: amount('卫生材料费', '卫生材料成本合计（元）。'),
    depreciation_cost: amount('折旧与摊销', '折旧与摊销合计（元）。'),
    other_cost: amount('其他费用', '其他费用合计（元）。'),
    total_charges: amount('医疗总费用', '病例医疗总费用合计（HIS 明细，元）。'),
    payment_standard: amount('支付标准合计', '有支付标准病例的支付标准合计（元）。'),
    paid_case_cost: amount('有支付标准病例成本', '有支付标准病例的病例成本合计（元）。'),
    margin: amount('结余/超支', 'Σ 支付标准 − Σ 病例成本（有支付标准病例，元；正为结余，负为超支）。'),
  },
  tests: [
    {
      name: 'composition_adds_up',
      expression: 'labour_cost + drug_cost + material_cost + depreciation_cost + other_cost = case_cost',
    },
  ],
  sql: ({ ref }) => sql`
    with grouped as (
      select * from ${ref('int_inpatient_cases__grouped')}
    ),

    cases as (
      select * from ${ref('fct_case_costs')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    joined as (
      select
        g.hospital_code,
        g.discharge_month,
        coalesce(g.drg_code, '未入组') as drg_code,
        g.drg_name,
        g.drg_weight,
        g.payment_standard,
        c.visit_id is not null as costed,
        c.case_cost,
        c.case_cost_ccr,
        c.labour_cost,
        c.drug_cost,
        c.material_cost,
        c.depreciation_cost,
        c.other_cost,
        c.total_charges
      from grouped g
      left join cases c on c.hospital_code = g.hospital_code and c.visit_id = g.visit_id
    ),

    final as (
      select
        concat_ws('|', j.hospital_code, to_char(j.discharge_month, 'YYYY-MM'), j.drg_code) as drg_cost_id,
        j.hospital_code,
        max(h.hospital_name) as hospital_name,
        j.discharge_month,
        j.drg_code,
        max(j.drg_name) as drg_name,
        count(*) filter (where j.costed) as case_count,
        count(*) filter (where not j.costed) as uncosted_case_count,
        count(*) filter (where j.costed and j.payment_standard is not null) as paid_case_count,
        sum(j.drg_weight) filter (where j.costed) as total_weight,
        coalesce(sum(j.case_cost), 0)::numeric(18, 2) as case_cost,
        coalesce(sum(j.case_cost_ccr), 0)::numeric(18, 2) as case_cost_ccr,
        coalesce(sum(j.labour_cost), 0)::numeric(18, 2) as labour_cost,
        coalesce(sum(j.drug_cost), 0)::numeric(18, 2) as drug_cost,
        coalesce(sum(j.material_cost), 0)::numeric(18, 2) as material_cost,
        coalesce(sum(j.depreciation_cost), 0)::numeric(18, 2) as depreciation_cost,
        coalesce(sum(j.other_cost), 0)::numeric(18, 2) as other_cost,
        coalesce(sum(j.total_charges), 0)::numeric(18, 2) as total_charges,
        coalesce(sum(j.payment_standard) filter (where j.costed), 0)::numeric(18, 2) as payment_standard,
        coalesce(sum(j.case_cost) filter (where j.payment_standard is not null), 0)::numeric(18, 2) as paid_case_cost,
        coalesce(sum(j.payment_standard - j.case_cost) filter (where j.costed), 0)::numeric(18, 2) as margin
      from joined j
      left join hospitals h on h.hospital_code = j.hospital_code
      group by j.hospital_code, j.discharge_month, j.drg_code
    )

    select * from final`,
});
