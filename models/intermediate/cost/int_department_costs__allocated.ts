import { sql, type RawBuilder } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { exampleDirectCosts } from '../../marts/cost/_hand_worked_example.ts';

/**
 * One level of the step-down, set-based: every sender's pool (cents) of every cost item split over
 * its receivers by driver share, largest remainder. `div`/`mod` on numeric are exact, so the floor
 * and the remainder that ranks the receivers are exact fractions, never rounded.
 */
function apportion(pool: string, level: number): RawBuilder<unknown> {
  return sql`
    select
      hospital_code, cost_month, ${sql.lit(level)}::integer as allocation_level, sender_dept_code,
      receiver_dept_code, cost_item_code, driver_code, is_fallback,
      sign(pool_cents) * (
        floor_cents
        + case when remainder_rank <= abs(pool_cents) - sum(floor_cents) over sender_item then 1 else 0 end
      ) as cents
    from (
      select
        p.hospital_code, p.cost_month, p.sender_dept_code, p.cost_item_code, p.pool_cents,
        d.receiver_dept_code, d.driver_code, d.is_fallback,
        div(abs(p.pool_cents) * d.driver_quantity, d.total_driver_quantity) as floor_cents,
        row_number() over (
          partition by p.hospital_code, p.cost_month, p.sender_dept_code, p.cost_item_code
          order by mod(abs(p.pool_cents) * d.driver_quantity, d.total_driver_quantity) desc, d.receiver_dept_code
        ) as remainder_rank
      from ${sql.table(pool)} p
      join drivers d
        on d.hospital_code = p.hospital_code
        and d.cost_month = p.cost_month
        and d.sender_dept_code = p.sender_dept_code
        and d.allocation_level = ${sql.lit(level)}
    ) shares
    window sender_item as (partition by hospital_code, cost_month, sender_dept_code, cost_item_code)`;
}

/** A level's pools: what each of its senders holds, direct plus everything received at earlier levels. */
function pools(level: number, received: readonly string[]): RawBuilder<unknown> {
  const earlier = received.map(
    (name) =>
      sql`union all select hospital_code, cost_month, receiver_dept_code, cost_item_code, cents from ${sql.table(name)}`,
  );
  return sql`
    select h.hospital_code, h.cost_month, h.dept_code as sender_dept_code, h.cost_item_code, sum(h.cents) as pool_cents
    from (
      select hospital_code, cost_month, dept_code, cost_item_code, cents from direct
      ${sql.join(earlier, sql` `)}
    ) as h (hospital_code, cost_month, dept_code, cost_item_code, cents)
    join units u on u.hospital_code = h.hospital_code and u.dept_code = h.dept_code
    where u.allocation_level = ${sql.lit(level)}
    group by 1, 2, 3, 4
    having sum(h.cents) <> 0`;
}

export default defineModel({
  name: 'int_department_costs__allocated',
  materialized: 'table',
  // analysed from a 3,000-row sample, as int_charge_lines__summed_by_item says why
  plannerSettings: { default_statistics_target: '10' },
  description:
    '三级分摊明细（逐项目）：每个分摊方在每一级把“直接成本 + 此前各级转入”按成本项目逐项分给受益科室的金额，' +
    '顺序按公立医院成本核算规范：一级 行政后勤类 → 医疗辅助类、医疗技术类、临床服务类；二级 医疗辅助类 → 医疗技术类、临床服务类；' +
    '三级 医疗技术类 → 临床服务类。动因与占比见 int_cost_allocation_drivers。' +
    '舍入规则：最大余额法（以分计）——每个受益科室先得 分摊额 × 动因占比 的向下取整（分），剩余的分按余数从大到小、余数相同按受益科室编码，' +
    '每个科室加 1 分；因此每个分摊方每个项目分出的金额之和与其待分摊额分毫不差。',
  grain: 'One row per hospital, month, allocation level, sending unit, receiving unit and cost item.',
  primaryKey: ['hospital_code', 'cost_month', 'sender_dept_code', 'receiver_dept_code', 'cost_item_code'],
  columns: {
    hospital_code: { title: '医院编码', description: '医联体成员医院编码。', tests: ['not_null'] },
    cost_month: {
      title: '成本月份',
      description: '会计期间（月初日期）。',
      type: 'date',
      tests: ['not_null'],
    },
    allocation_level: {
      title: '分摊级次',
      description: '1 行政后勤类、2 医疗辅助类、3 医疗技术类分出。',
      type: 'integer',
      tests: [{ accepted_values: [1, 2, 3] }],
    },
    sender_dept_code: { title: '分摊科室', description: '分摊方院内科室编码。', tests: ['not_null'] },
    receiver_dept_code: { title: '受益科室', description: '受益方院内科室编码。', tests: ['not_null'] },
    cost_item_code: { title: '成本项目编码', description: '成本项目编码 01–07。', tests: ['not_null'] },
    driver_code: { title: '分摊动因', description: '本级使用的动因编码。' },
    is_fallback: { title: '是否备用动因', description: '主动因当月为零而改用备用动因。', type: 'boolean' },
    allocated_amount: {
      title: '分摊金额',
      description: '受益科室从该分摊方该项目分得的金额（元，精确到分）。',
      type: 'numeric(18, 2)',
      format: 'currency',
      tests: ['not_null'],
    },
  },
  unitTests: [
    {
      // A hospital of five units, one month, two cost items (yuan; the model works in cents):
      //   ADM 院办 (行政后勤类, level 1)   01: 100.00
      //   SUP 供应室 (医疗辅助类, level 2) 01:  50.00  02: 20.00
      //   LAB 检验科 (医疗技术类, level 3) 01:  80.00  02: 30.00
      //   MED 内科, SUR 外科 (临床服务类)   01: 300.00 / 200.00  02: 40.00 / 60.00
      // Level 1, ADM 01 = 10000 cents by headcount SUP 1, LAB 2, MED 3, SUR 3 (Σ 9):
      //   floors 1111, 2222, 3333, 3333 (Σ 9999), remainders 10000·q mod 9 = 1, 2, 3, 3; one cent
      //   left goes to the largest remainder, MED and SUR tie, MED first by code → MED 33.34,
      //   SUR 33.33, LAB 22.22, SUP 11.11 (Σ 100.00). ADM has no 02, so nothing moves for 02.
      // Level 2, SUP by packs LAB 1, MED 1, SUR 1 (Σ 3):
      //   01 pool 50.00 + 11.11 = 6111 cents, exactly 2037 each → 20.37 × 3.
      //   02 pool 20.00 = 2000 cents: floors 666 × 3 (Σ 1998), equal remainders 2, two cents left
      //   → LAB 6.67, MED 6.67, SUR 6.66.
      // Level 3, LAB by tests MED 2, SUR 1 (Σ 3):
      //   01 pool 80.00 + 22.22 + 20.37 = 12259 cents: MED 24518/3 = 8172 r 2, SUR 12259/3 = 4086
      //   r 1, one cent left → MED 81.73, SUR 40.86 (Σ 122.59).
      //   02 pool 30.00 + 6.67 = 3667 cents: MED 7334/3 = 2444 r 2, SUR 1222 r 1 → MED 24.45,
      //   SUR 12.22 (Σ 36.67).
      name: 'three levels, item by item, largest remainder to the cent',
      given: {
        dim_cost_units: [
          { hospital_code: 'H', dept_code: 'ADM', allocation_level: 1 },
          { hospital_code: 'H', dept_code: 'SUP', allocation_level: 2 },
          { hospital_code: 'H', dept_code: 'LAB', allocation_level: 3 },
          { hospital_code: 'H', dept_code: 'MED', allocation_level: null },
          { hospital_code: 'H', dept_code: 'SUR', allocation_level: null },
        ],
        int_cost_allocation_drivers: {
          rows: [
            ['ADM', 'SUP', 1, 1, 'HEADCOUNT'],
            ['ADM', 'LAB', 1, 2, 'HEADCOUNT'],
            ['ADM', 'MED', 1, 3, 'HEADCOUNT'],
            ['ADM', 'SUR', 1, 3, 'HEADCOUNT'],
            ['SUP', 'LAB', 2, 1, 'STERILE_PACKS'],
            ['SUP', 'MED', 2, 1, 'STERILE_PACKS'],
            ['SUP', 'SUR', 2, 1, 'STERILE_PACKS'],
            ['LAB', 'MED', 3, 2, 'LAB_TESTS'],
            ['LAB', 'SUR', 3, 1, 'LAB_TESTS'],
          ].map(([sender, receiver, level, quantity, driver]) => ({
            hospital_code: 'H',
            cost_month: '2024-01-01',
            allocation_level: level!,
            sender_dept_code: sender!,
            receiver_dept_code: receiver!,
            driver_code: driver!,
            is_fallback: false,
            driver_quantity: quantity!,
            total_driver_quantity: level === 1 ? 9 : 3,
          })),
          types: { cost_month: 'date', allocation_level: 'integer' },
        },
        fct_department_direct_costs: exampleDirectCosts,
      },
      expect: [
        ['ADM', 'SUP', '01', 1, 11.11],
        ['ADM', 'LAB', '01', 1, 22.22],
        ['ADM', 'MED', '01', 1, 33.34],
        ['ADM', 'SUR', '01', 1, 33.33],
        ['SUP', 'LAB', '01', 2, 20.37],
        ['SUP', 'MED', '01', 2, 20.37],
        ['SUP', 'SUR', '01', 2, 20.37],
        ['SUP', 'LAB', '02', 2, 6.67],
        ['SUP', 'MED', '02', 2, 6.67],
        ['SUP', 'SUR', '02', 2, 6.66],
        ['LAB', 'MED', '01', 3, 81.73],
        ['LAB', 'SUR', '01', 3, 40.86],
        ['LAB', 'MED', '02', 3, 24.45],
        ['LAB', 'SUR', '02', 3, 12.22],
      ].map(([sender, receiver, item, level, amount]) => ({
        sender_dept_code: sender!,
        receiver_dept_code: receiver!,
        cost_item_code: item!,
        allocation_level: level!,
        allocated_amount: amount!,
      })),
    },
  ],
  sql: ({ ref }) => sql`
    with units as (
      select * from ${ref('dim_cost_units')}
    ),

    drivers as (
      select * from ${ref('int_cost_allocation_drivers')}
    ),

    direct as (
      select hospital_code, cost_month, dept_code, cost_item_code, (sum(direct_cost) * 100)::bigint as cents
      from ${ref('fct_department_direct_costs')}
      group by 1, 2, 3, 4
    ),

    pool_1 as (${pools(1, [])}),
    level_1 as (${apportion('pool_1', 1)}),
    pool_2 as (${pools(2, ['level_1'])}),
    level_2 as (${apportion('pool_2', 2)}),
    pool_3 as (${pools(3, ['level_1', 'level_2'])}),
    level_3 as (${apportion('pool_3', 3)}),

    final as (
      select
        hospital_code, cost_month, allocation_level, sender_dept_code, receiver_dept_code, cost_item_code,
        driver_code, is_fallback, (cents / 100.0)::numeric(18, 2) as allocated_amount
      from (
        select * from level_1 union all select * from level_2 union all select * from level_3
      ) levels
      where cents <> 0
    )

    select * from final`,
});
