import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const stay = (id: string, drg_weight: number, level_coefficient = 1) => ({
  hospital_code: 'H1',
  settlement_id: id,
  visit_id: `V${id}`,
  payment_method: 'DRG',
  drg_weight,
  level_coefficient,
  dip_score: null,
  discharged_at: '2025-06-01 10:00:00',
  settled_at: null,
});

export default defineModel({
  name: 'int_payment_policy__point_settlements',
  materialized: 'table',
  description:
    '点数法年终清算（DIP 与 DRG 点数法）：每个按点数付费的结算病例一行，病例点数、当年总点数、点值 = 年度预算 / 总点数、清算支付额。' +
    '病例点数：DIP 为分值 × 等级系数（种子 dip_level_coefficients，未列出按 1）；DRG 点数法为 RW × 100 × 结算清单的级别系数（调整系数）。' +
    '统筹区：医院所在区县的发布方（P + 区划）有年度预算时取之，否则取所在市（P + 前 4 位 + 00）；有年度预算（预算文件 dip_budget）的统筹区才有行。' +
    '总点数取预算文件发布的（全统筹区）；未发布时取仓库中该统筹区当年病例点数之和，此时清算恰好分完预算：每例先按分向下取整，' +
    '剩余的分按舍去部分从大到小（相同时按医院、结算ID）逐分分配，Σ 清算支付额 = 年度预算（settles_budget = true）。发布了总点数时各例四舍五入到分。',
  grain: 'One row per point-paid settlement (hospital, settlement id).',
  primaryKey: ['hospital_code', 'settlement_id'],
  columns: {
    publisher_code: { description: '统筹区发布方编码' },
    year: { description: '清算年度（出院年度）' },
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID' },
    payment_method: { description: '支付方式：DIP / DRG（点数法）' },
    case_points: { description: '病例点数', tests: ['not_null'] },
    total_points: { description: '当年总点数' },
    budget: { description: '年度基金预算（元）' },
    point_value: { description: '点值 = 年度预算 / 总点数（元/点，不取整）' },
    settled_payment: { description: '清算支付额 = 病例点数 × 点值（元，到分）', tests: ['not_null'] },
    settles_budget: {
      description: '总点数由本表病例计算、清算支付额合计恰等于年度预算',
      type: 'boolean',
    },
  },
  unitTests: [
    {
      // A DRG 点数法 city, 2025: budget 1,000.00, no published total points. Three stays of RW 1.0
      // (100 points each, coefficient 1) → total 300 points, 点值 = 1,000 / 300 = 3.3333… yuan.
      // Each stay is worth 333.333…: floored to 333.33 (Σ 999.99), the cent left goes to the
      // largest remainder, all equal (0.333… cent) → the first by settlement id, S1: 333.34.
      // Σ = 333.34 + 333.33 + 333.33 = 1,000.00 = the budget: the year settles exactly.
      // The 2024 stay has no 2024 budget and is not settled by points.
      name: 'settles a points budget exactly at year end, the cents left going to the largest remainders',
      given: {
        stg_insurance__settlements: {
          rows: [
            stay('S1', 1),
            stay('S2', 1),
            stay('S3', 1),
            { ...stay('S4', 2), discharged_at: '2024-06-01 10:00:00' },
          ],
          types: { discharged_at: 'timestamp', settled_at: 'timestamp', dip_score: 'numeric' },
        },
        stg_insurance__dip_budget: {
          rows: [
            {
              publisher_code: 'P320900',
              year: 2025,
              region_code: '320900',
              budget: 1000,
              total_points: null,
            },
          ],
          types: { total_points: 'numeric' },
        },
        hospitals: [{ hospital_code: 'H1', hospital_level: '3', region_code: '320902' }],
        dip_level_coefficients: [{ publisher_code: 'P320925', hospital_level: '1', level_coefficient: 0.8 }],
      },
      expect: [
        {
          settlement_id: 'S1',
          publisher_code: 'P320900',
          case_points: 100,
          total_points: 300,
          settled_payment: 333.34,
          settles_budget: true,
        },
        {
          settlement_id: 'S2',
          publisher_code: 'P320900',
          case_points: 100,
          total_points: 300,
          settled_payment: 333.33,
          settles_budget: true,
        },
        {
          settlement_id: 'S3',
          publisher_code: 'P320900',
          case_points: 100,
          total_points: 300,
          settled_payment: 333.33,
          settles_budget: true,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with budgets as (
      select * from ${ref('stg_insurance__dip_budget')}
    ),

    coefficients as (
      select publisher_code, hospital_level, level_coefficient from ${ref('dip_level_coefficients')}
    ),

    stays as (
      select
        s.hospital_code,
        s.settlement_id,
        s.visit_id,
        s.payment_method,
        h.hospital_level,
        h.region_code,
        extract(year from coalesce(s.discharged_at, s.settled_at))::integer as year,
        s.drg_weight,
        s.level_coefficient,
        s.dip_score
      from ${ref('stg_insurance__settlements')} s
      join ${ref('hospitals')} h on h.hospital_code = s.hospital_code
      where coalesce(s.discharged_at, s.settled_at) is not null
    ),

    pointed as (
      select
        st.*,
        b.publisher_code,
        b.budget,
        b.total_points as published_total_points,
        case st.payment_method
          when 'DIP' then st.dip_score * coalesce(c.level_coefficient, 1)
          else st.drg_weight * 100 * coalesce(st.level_coefficient, 1)
        end as case_points
      from stays st
      join lateral (
        select b.*
        from budgets b
        where b.year = st.year
          and b.publisher_code in ('P' || st.region_code, 'P' || left(st.region_code, 4) || '00')
        order by b.publisher_code = 'P' || st.region_code desc
        limit 1
      ) b on true
      left join coefficients c on c.publisher_code = b.publisher_code and c.hospital_level = st.hospital_level
    ),

    valued as (
      select
        p.*,
        coalesce(p.published_total_points, sum(p.case_points) over w) as total_points,
        p.published_total_points is null as settles_budget,
        p.budget * p.case_points / nullif(coalesce(p.published_total_points, sum(p.case_points) over w), 0)
          as exact_payment
      from pointed p
      where p.case_points is not null
      window w as (partition by p.publisher_code, p.year)
    ),

    floored as (
      select
        v.*,
        floor(v.exact_payment * 100) / 100 as floored_payment,
        v.exact_payment * 100 - floor(v.exact_payment * 100) as remainder_cents
      from valued v
    ),

    ranked as (
      select
        f.*,
        row_number() over (
          partition by f.publisher_code, f.year
          order by f.remainder_cents desc, f.hospital_code, f.settlement_id
        ) as remainder_rank,
        round((f.budget - sum(f.floored_payment) over (partition by f.publisher_code, f.year)) * 100)
          as cents_left
      from floored f
    )

    select
      publisher_code,
      year,
      hospital_code,
      settlement_id,
      visit_id,
      payment_method,
      case_points,
      total_points,
      budget,
      budget / nullif(total_points, 0) as point_value,
      case
        when settles_budget then floored_payment + case when remainder_rank <= cents_left then 0.01 else 0 end
        else round(exact_payment, 2)
      end as settled_payment,
      settles_budget
    from ranked`,
});
