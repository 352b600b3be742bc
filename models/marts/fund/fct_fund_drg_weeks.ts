import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

import { count, money, ratio } from '../../../core/engine/column-helpers.ts';

/** A stay of the unit test. */
const stay = (visit: string, discharged: string, charges: number, cost: number | null, standard: number) => ({
  hospital_code: 'H1',
  visit_id: visit,
  drg_code: 'A',
  drg_name: '病组 A',
  discharged_at: discharged,
  total_charges: charges,
  case_cost: cost,
  payment_standard: standard,
});

export default defineModel({
  name: 'fct_fund_drg_weeks',
  materialized: 'table',
  description: [
    '医保基金监管指标（病组 × 周）：医院 × DRG 病组 × 出院周（周一至周日，按出院日期）。病组取 fct_inpatient_cases（医保方结果优先，否则病案首页院内分组），未入组或出院日期未知（只见于医保分组结果）的病例不计。',
    '病组次均成本与支付标准只计有支付标准（大于 0）且有病例成本的病例（costed_discharges）：次均成本 = 病例成本之和 / 例数，次均支付标准 = 支付标准之和 / 例数，',
    '成本超支付标准幅度 = 次均成本 / 次均支付标准 − 1（即 Σ 成本 / Σ 支付标准 − 1，未舍入的金额相除）。住院次均费用计该周该病组全部出院病例。',
  ].join(''),
  grain: 'One row per hospital, DRG group and discharge week (Monday).',
  primaryKey: 'fund_drg_week_id',
  columns: {
    fund_drg_week_id: { title: '病组周指标行编号', description: '主键：医院|周一日期|病组。' },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    week_start: { title: '出院周', description: '出院周的周一。', type: 'date', tests: ['not_null'] },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    drg_name: { title: 'DRG 名称', description: 'DRG 病组名称。' },
    discharges: count('出院人次', '该周该病组出院病例数。'),
    avg_inpatient_charge: money('住院次均费用', '医疗费总额之和 / 出院人次（元）。'),
    costed_discharges: count('成本比较例数', '有支付标准（大于 0）且有病例成本的出院病例数。'),
    avg_case_cost: money('病组次均成本', '成本比较例数的病例成本之和 / 例数（元）。'),
    avg_payment_standard: money('次均支付标准', '成本比较例数的支付标准之和 / 例数（元）。'),
    cost_over_standard_rate: ratio('成本超支付标准幅度', '次均成本 / 次均支付标准 − 1。'),
  },
  unitTests: [
    {
      // Week of Mon 2025-03-03: V1 cost 1 200 on a 1 000 standard, V2 cost 1 100 on 1 000 →
      // avg cost 1 150, avg standard 1 000, rate 0.15; V3 (no cost) counts for charges only:
      // charges (900 + 1 000 + 800) / 3 = 900. Sunday 2025-03-09 is still that week; Monday
      // 2025-03-10 opens the next: V4 cost 900 on 1 000 → −0.10.
      name: 'averages cost and standard per group and Monday-to-Sunday week',
      given: {
        fct_inpatient_cases: {
          rows: [
            stay('V1', '2025-03-03 10:00', 900, 1200, 1000),
            stay('V2', '2025-03-09 23:00', 1000, 1100, 1000),
            stay('V3', '2025-03-05 09:00', 800, null, 1000),
            stay('V4', '2025-03-10 08:00', 700, 900, 1000),
          ],
          types: {
            discharged_at: 'timestamp',
            total_charges: 'numeric',
            case_cost: 'numeric',
            payment_standard: 'numeric',
          },
        },
        dim_hospitals: [{ hospital_code: 'H1', hospital_name: '一院' }],
      },
      expect: [
        {
          fund_drg_week_id: 'H1|2025-03-03|A',
          discharges: 3,
          avg_inpatient_charge: 900,
          costed_discharges: 2,
          avg_case_cost: 1150,
          avg_payment_standard: 1000,
          cost_over_standard_rate: 0.15,
        },
        {
          fund_drg_week_id: 'H1|2025-03-10|A',
          discharges: 1,
          avg_inpatient_charge: 700,
          costed_discharges: 1,
          avg_case_cost: 900,
          avg_payment_standard: 1000,
          cost_over_standard_rate: -0.1,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')} where drg_code is not null and discharged_at is not null
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    summed as (
      select
        hospital_code,
        date_trunc('week', discharged_at)::date as week_start,
        drg_code,
        min(drg_name) as drg_name,
        count(*) as discharges,
        sum(total_charges) as total_charges,
        count(*) filter (where costed) as costed_discharges,
        sum(case_cost) filter (where costed) as case_cost,
        sum(payment_standard) filter (where costed) as payment_standard
      from (select *, payment_standard > 0 and case_cost is not null as costed from cases) c
      group by 1, 2, 3
    ),

    final as (
      select
        concat_ws('|', s.hospital_code, to_char(s.week_start, 'YYYY-MM-DD'), s.drg_code) as fund_drg_week_id,
        s.hospital_code,
        h.hospital_name,
        s.week_start,
        s.drg_code,
        s.drg_name,
        s.discharges::bigint as discharges,
        round(s.total_charges / s.discharges, 2)::numeric(18, 2) as avg_inpatient_charge,
        s.costed_discharges::bigint as costed_discharges,
        round(s.case_cost / nullif(s.costed_discharges, 0), 2)::numeric(18, 2) as avg_case_cost,
        round(s.payment_standard / nullif(s.costed_discharges, 0), 2)::numeric(18, 2) as avg_payment_standard,
        round(s.case_cost / nullif(s.payment_standard, 0) - 1, 4)::numeric(12, 4) as cost_over_standard_rate
      from summed s
      left join hospitals h on h.hospital_code = s.hospital_code
    )

    select * from final`,
});
