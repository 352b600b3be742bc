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
  name: 'fct_disease_costs',
  materialized: 'table',
  description: [
    '病种成本明细/构成：医院 × 出院年度 × 出院月份 × 主要诊断，病例数、项目叠加法成本合计及构成（人员、药品、材料、折旧摊销、其他）、成本收入比法成本与医疗总费用。',
    '主要诊断见 fct_case_costs：病案首页主诊断，首页缺失（未交付或被隔离）时取医保结算清单的西医主诊断，diagnosis_source 说明取自哪里；两处都没有的病例归入“未知”一行，不丢失。',
    '每病种成本 = 其病例成本之和（fct_case_costs），例均成本与构成比由 Cube 视图按此计算。',
  ].join(''),
  grain: 'One row per hospital, discharge month, principal diagnosis and diagnosis source.',
  primaryKey: 'disease_cost_id',
  columns: {
    disease_cost_id: { title: '病种成本行编号', description: '主键：医院|月份|诊断来源|主要诊断。' },
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
    diagnosis_source: {
      title: '诊断来源',
      description: 'front_page 病案首页 / settlement 医保结算清单 / none 无主诊断。',
      tests: [{ accepted_values: ['front_page', 'settlement', 'none'] }],
    },
    diagnosis_code: {
      title: '主要诊断编码',
      description: 'ICD-10 医保版 2.0 主要诊断编码（无则为“未知”）。',
      tests: ['not_null'],
    },
    diagnosis_name: {
      title: '主要诊断名称',
      description: '主要诊断名称（统一字典，字典没有时取填报名称）。',
    },
    case_count: { title: '病例数', description: '出院病例数。', type: 'bigint', tests: ['not_null'] },
    case_cost: amount('病种成本', '项目叠加法病例成本合计（元）。'),
    case_cost_ccr: amount('病种成本（成本收入比法）', '成本收入比法病例成本合计（元）。'),
    labour_cost: amount('人员经费', '人员经费合计（元）。'),
    drug_cost: amount('药品费', '药品采购成本合计（元）。'),
    material_cost: amount('卫生材料费', '卫生材料成本合计（元）。'),
    depreciation_cost: amount('折旧与摊销', '折旧与摊销合计（元）。'),
    other_cost: amount('其他费用', '其他费用合计（元）。'),
    total_charges: amount('医疗总费用', '病例医疗总费用合计（元）。'),
    bed_days: { title: '住院天数合计', description: '病例住院天数之和。' },
  },
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_case_costs')}
    ),

    final as (
      select
        concat_ws('|', c.hospital_code, to_char(c.discharge_month, 'YYYY-MM'), c.diagnosis_source, c.principal_diagnosis_code)
          as disease_cost_id,
        c.hospital_code,
        max(c.hospital_name) as hospital_name,
        c.discharge_month,
        c.diagnosis_source,
        c.principal_diagnosis_code as diagnosis_code,
        max(c.principal_diagnosis_name) as diagnosis_name,
        count(*) as case_count,
        sum(c.case_cost)::numeric(18, 2) as case_cost,
        sum(c.case_cost_ccr)::numeric(18, 2) as case_cost_ccr,
        sum(c.labour_cost)::numeric(18, 2) as labour_cost,
        sum(c.drug_cost)::numeric(18, 2) as drug_cost,
        sum(c.material_cost)::numeric(18, 2) as material_cost,
        sum(c.depreciation_cost)::numeric(18, 2) as depreciation_cost,
        sum(c.other_cost)::numeric(18, 2) as other_cost,
        sum(c.total_charges)::numeric(18, 2) as total_charges,
        sum(c.length_of_stay_days) as bed_days
      from cases c
      group by c.hospital_code, c.discharge_month, c.diagnosis_source, c.principal_diagnosis_code
    )

    select * from final`,
});
