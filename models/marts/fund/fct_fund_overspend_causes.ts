import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { count, money } from '../../../core/engine/column-helpers.ts';

/** A stay of the unit test (group G, hospital H1 unless said). */
const stay = (visit: string, standard: number, charges: number, hospital = 'H1') => ({
  hospital_code: hospital,
  visit_id: visit,
  drg_code: 'G',
  drg_name: '病组 G',
  discharge_month: '2025-03-01',
  year: 2025,
  payment_standard: standard,
  total_charges: charges,
});

/** A charge line of the unit test. */
const line = (visit: string, category: string, department: string, amount: number, hospital = 'H1') => ({
  hospital_code: hospital,
  visit_type: 'inpatient',
  visit_id: visit,
  charge_category_code: category,
  charge_category_name: `类 ${category}`,
  department_code: department,
  department_name: `科 ${department}`,
  amount,
});

export default defineModel({
  name: 'fct_fund_overspend_causes',
  materialized: 'table',
  description: [
    '超支病组原因 TOP3（医保监管月报）：某医院某出院月份某 DRG 病组的医疗费总额之和超过支付标准之和（只计有支付标准的入组病例）时，',
    '按收费类别与开单科室两个维度比较该病组的实际例均费用与支付标准结构：结构 = 医联体当年该病组全部病例的收费明细中各类别（各科室）金额占比，',
    '标准例均_k = 例均支付标准 × 占比_k，差额_k = 实际例均_k − 标准例均_k（同一维度各成员的标准例均之和即例均支付标准）。',
    '两个维度的成员合并按差额从大到小取前三（差额相同按维度、编码排序），即超支贡献最大的费用类别或科室。收费明细取住院明细（int_charge_lines__standardised）。',
  ].join(''),
  grain:
    'One row per overspending hospital, discharge month and DRG group, and each of its three largest causes.',
  primaryKey: 'overspend_cause_id',
  columns: {
    overspend_cause_id: { title: '超支原因编号', description: '主键：医院|月份|病组|名次。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    month: { title: '出院月份', description: '出院月份（当月第一天）。', type: 'date', tests: ['not_null'] },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    cases: count('病例数', '该月该病组有支付标准的入组病例数。'),
    total_charges: money('医疗费总额', '这些病例的医疗费总额之和（元）。'),
    payment_standard_total: money('支付标准合计', '这些病例的支付标准之和（元）。'),
    overspend_amount: money('超支金额', '医疗费总额 − 支付标准合计（元）。'),
    cause_rank: { title: '原因名次', description: '1 至 3，按差额从大到小。', type: 'integer' },
    dimension: {
      title: '原因维度',
      description: 'category 收费类别 / department 开单科室。',
      tests: [{ accepted_values: ['category', 'department'] }],
    },
    member_code: { title: '类别或科室编码', description: '收费类别编码或标准科室编码。' },
    member_name: { title: '类别或科室名称', description: '收费类别名称或标准科室名称。' },
    actual_per_case: money('实际例均', '该类别（科室）的收费金额之和 / 病例数（元）。'),
    standard_per_case: money('标准例均', '例均支付标准 × 医联体当年该病组该类别（科室）的金额占比（元）。'),
    excess_per_case: money('例均差额', '实际例均 − 标准例均（元）。'),
  },
  unitTests: [
    {
      // H1's group G in March: V1 standard 1 000, charges 1 300; V2 standard 1 000, charges 1 100
      // → 2 stays, 2 400 against 2 000: 400 over. The alliance's profile of G that year (H1's two
      // stays and H2's V3) by category: A 600 + 300 + 200 = 1 100, B 700 + 600 + 200 + 800 = 2 300
      // of 3 400 → shares 0.32353 and 0.67647; per case standard 1 000 → 323.53 and 676.47. H1 per
      // case: A 900 / 2 = 450, B 1 500 / 2 = 750 → excess 126.47 and 73.53. By department: D1
      // 600 + 700 + 300 + 200 + 200 = 2 000, D2 600 + 800 = 1 400 → 588.24 and 411.76 per case; H1
      // per case D1 1 800 / 2 = 900, D2 600 / 2 = 300 → excess 311.76 and −111.76. Top three:
      // department D1 311.76, category A 126.47, category B 73.53. H2's V3 (standard 1 000, charges
      // 1 000) does not overspend and has no rows.
      name: 'ranks the categories and departments that exceed the group’s standard profile most',
      given: {
        fct_inpatient_cases: {
          rows: [stay('V1', 1000, 1300), stay('V2', 1000, 1100), stay('V3', 1000, 1000, 'H2')],
          types: { discharge_month: 'date', payment_standard: 'numeric', total_charges: 'numeric' },
        },
        int_charge_lines__standardised: {
          rows: [
            line('V1', 'A', 'D1', 600),
            line('V1', 'B', 'D1', 700),
            line('V2', 'A', 'D1', 300),
            line('V2', 'B', 'D2', 600),
            line('V2', 'B', 'D1', 200),
            line('V3', 'A', 'D1', 200, 'H2'),
            line('V3', 'B', 'D2', 800, 'H2'),
          ],
          types: { amount: 'numeric' },
        },
      },
      expect: [
        {
          overspend_cause_id: 'H1|2025-03|G|1',
          overspend_amount: 400,
          dimension: 'department',
          member_code: 'D1',
          actual_per_case: 900,
          standard_per_case: 588.24,
          excess_per_case: 311.76,
        },
        {
          overspend_cause_id: 'H1|2025-03|G|2',
          overspend_amount: 400,
          dimension: 'category',
          member_code: 'A',
          actual_per_case: 450,
          standard_per_case: 323.53,
          excess_per_case: 126.47,
        },
        {
          overspend_cause_id: 'H1|2025-03|G|3',
          overspend_amount: 400,
          dimension: 'category',
          member_code: 'B',
          actual_per_case: 750,
          standard_per_case: 676.47,
          excess_per_case: 73.53,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')} where drg_code is not null and payment_standard > 0
    ),

    lines as (
      select * from ${ref('int_charge_lines__standardised')} where visit_type = 'inpatient'
    ),

    -- each stay's charges by category and by ordering department: the lines summed per stay,
    -- category and department first (a stay bills the same few dozen pairs on many lines), then
    -- unpivoted (the same sums and the same smallest names as unpivoting every line, in half the time)
    visit_parts as (
      select hospital_code, visit_id, charge_category_code, min(charge_category_name) as charge_category_name,
             department_code, min(department_name) as department_name, sum(amount) as amount
      from lines
      group by hospital_code, visit_id, charge_category_code, department_code
    ),

    case_parts as (
      select c.hospital_code, c.visit_id, c.drg_code, c.discharge_month, c.year, p.dimension, p.member_code,
             min(p.member_name) as member_name, sum(v.amount) as amount
      from cases c
      join visit_parts v on v.hospital_code = c.hospital_code and v.visit_id = c.visit_id
      cross join lateral (
        values ('category', v.charge_category_code, v.charge_category_name),
               ('department', v.department_code, v.department_name)
      ) as p (dimension, member_code, member_name)
      group by 1, 2, 3, 4, 5, 6, 7
    ),

    -- the group's payment-standard profile: the alliance's shares of the year's charges
    profile as (
      select drg_code, year, dimension, member_code,
             sum(amount) / nullif(sum(sum(amount)) over (partition by drg_code, year, dimension), 0) as share
      from case_parts
      group by 1, 2, 3, 4
    ),

    overspending as (
      select hospital_code, discharge_month, drg_code, min(drg_name) as drg_name, min(year) as year,
             count(*) as cases, sum(total_charges) as total_charges, sum(payment_standard) as standard
      from cases
      group by 1, 2, 3
      having sum(total_charges) > sum(payment_standard)
    ),

    actual as (
      select hospital_code, discharge_month, drg_code, dimension, member_code, min(member_name) as member_name,
             sum(amount) as amount
      from case_parts
      group by 1, 2, 3, 4, 5
    ),

    causes as (
      select
        o.*,
        a.dimension,
        a.member_code,
        a.member_name,
        a.amount / o.cases as actual_per_case,
        o.standard / o.cases * coalesce(p.share, 0) as standard_per_case
      from overspending o
      join actual a
        on a.hospital_code = o.hospital_code and a.discharge_month = o.discharge_month and a.drg_code = o.drg_code
      left join profile p
        on p.drg_code = o.drg_code and p.year = o.year and p.dimension = a.dimension
        and p.member_code is not distinct from a.member_code
    ),

    ranked as (
      select c.*, row_number() over (
        partition by c.hospital_code, c.discharge_month, c.drg_code
        order by c.actual_per_case - c.standard_per_case desc, c.dimension, c.member_code
      ) as cause_rank
      from causes c
    ),

    final as (
      select
        concat_ws('|', hospital_code, to_char(discharge_month, 'YYYY-MM'), drg_code, cause_rank) as overspend_cause_id,
        hospital_code,
        discharge_month as month,
        drg_code,
        drg_name,
        cases::bigint as cases,
        total_charges::numeric(18, 2) as total_charges,
        standard::numeric(18, 2) as payment_standard_total,
        (total_charges - standard)::numeric(18, 2) as overspend_amount,
        cause_rank::integer as cause_rank,
        dimension,
        member_code,
        member_name,
        round(actual_per_case, 2)::numeric(18, 2) as actual_per_case,
        round(standard_per_case, 2)::numeric(18, 2) as standard_per_case,
        round(actual_per_case - standard_per_case, 2)::numeric(18, 2) as excess_per_case
      from ranked
      where cause_rank <= 3
    )

    select * from final`,
});
