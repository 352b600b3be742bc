import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

/**
 * Where the payer's review of each stay's settlement lists stands, summed per stay: what the fund
 * marts (fct_fund_indicators, fct_fund_drg_indicators) join to the case fact for 结算率 and 拒付率.
 */
export default defineModel({
  name: 'int_settlements__cleared',
  materialized: 'table',
  description: [
    '医保结算清单的申报与清算，按住院病例汇总（通常一次住院一张结算单）。',
    '申报 = 结算单有申报金额；已结算 = 清算状态在种子 settlement_statuses 中 is_settled（不在种子中的状态计为未结算）；',
    '已结算金额 = 已结算结算单的申报金额 − 拒付 − 扣款；拒付与扣款计全部申报结算单（含待审核单已返回的拒付）；基金支付计全部结算单。',
  ].join(''),
  grain: 'One row per stay with a settlement list (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    visit_id: { description: '就诊ID（住院号）' },
    settlement_count: { description: '结算单数', type: 'bigint' },
    declared_case_count: { description: '申报结算单数（有申报金额）', type: 'bigint' },
    settled_case_count: { description: '已结算结算单数（清算状态计为已结算的申报结算单）', type: 'bigint' },
    declared_amount: { description: '申报金额（元）', type: 'numeric(18, 2)' },
    settled_declared_amount: { description: '已结算结算单的申报金额（元）', type: 'numeric(18, 2)' },
    settled_amount: {
      description: '已结算金额：已结算结算单的申报金额 − 拒付 − 扣款（元）',
      type: 'numeric(18, 2)',
    },
    refused_amount: { description: '申报结算单的拒付金额（元）', type: 'numeric(18, 2)' },
    deducted_amount: { description: '申报结算单的扣款金额（元）', type: 'numeric(18, 2)' },
    fund_paid_amount: { description: '基金支付总额（元）', type: 'numeric(18, 2)' },
  },
  unitTests: [
    {
      // V1 is pending (declared 500); V2 was partly refused and is settled: 2 000 − 300 − 100 = 1 600;
      // V3's status is not in the seed (counts as not settled); V4 was never declared.
      name: 'sums declared, settled, refused and deducted amounts per stay by the seeded statuses',
      given: {
        stg_insurance__settlements: [
          {
            hospital_code: 'H1',
            settlement_id: 'S1',
            visit_id: 'V1',
            declared_amount: 500,
            settlement_status: '待审核',
            refused_amount: 0,
            deducted_amount: 0,
            fund_paid_amount: 500,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S2',
            visit_id: 'V2',
            declared_amount: 2000,
            settlement_status: '部分拒付',
            refused_amount: 300,
            deducted_amount: 100,
            fund_paid_amount: 2000,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S3',
            visit_id: 'V3',
            declared_amount: 700,
            settlement_status: '退回',
            refused_amount: 0,
            deducted_amount: 0,
            fund_paid_amount: 700,
          },
          {
            hospital_code: 'H1',
            settlement_id: 'S4',
            visit_id: 'V4',
            declared_amount: null,
            settlement_status: null,
            refused_amount: 0,
            deducted_amount: 0,
            fund_paid_amount: 90,
          },
        ],
        settlement_statuses: [
          { settlement_status: '已清算', is_settled: true },
          { settlement_status: '部分拒付', is_settled: true },
          { settlement_status: '待审核', is_settled: false },
        ],
      },
      expect: [
        {
          visit_id: 'V1',
          declared_case_count: 1,
          settled_case_count: 0,
          declared_amount: 500,
          settled_amount: 0,
          refused_amount: 0,
          fund_paid_amount: 500,
        },
        {
          visit_id: 'V2',
          declared_case_count: 1,
          settled_case_count: 1,
          declared_amount: 2000,
          settled_amount: 1600,
          refused_amount: 300,
          fund_paid_amount: 2000,
        },
        {
          visit_id: 'V3',
          declared_case_count: 1,
          settled_case_count: 0,
          declared_amount: 700,
          settled_amount: 0,
          refused_amount: 0,
          fund_paid_amount: 700,
        },
        {
          visit_id: 'V4',
          declared_case_count: 0,
          settled_case_count: 0,
          declared_amount: 0,
          settled_amount: 0,
          refused_amount: 0,
          fund_paid_amount: 90,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with settlements as (
      select * from ${ref('stg_insurance__settlements')}
    ),

    -- which clearing statuses count as settled: edited by 医保 staff in the seed
    statuses as (
      select * from ${ref('settlement_statuses')}
    ),

    flagged as (
      select
        s.*,
        s.declared_amount is not null as is_declared,
        s.declared_amount is not null and coalesce(t.is_settled, false) as is_settled
      from settlements s
      left join statuses t on t.settlement_status = s.settlement_status
    ),

    final as (
      select
        -- ids
        hospital_code,
        visit_id,
        -- counts
        count(*) as settlement_count,
        count(*) filter (where is_declared) as declared_case_count,
        count(*) filter (where is_settled) as settled_case_count,
        -- amounts
        coalesce(sum(declared_amount), 0)::numeric(18, 2) as declared_amount,
        coalesce(sum(declared_amount) filter (where is_settled), 0)::numeric(18, 2) as settled_declared_amount,
        coalesce(sum(declared_amount - refused_amount - deducted_amount) filter (where is_settled), 0)::numeric(18, 2)
          as settled_amount,
        coalesce(sum(refused_amount) filter (where is_declared), 0)::numeric(18, 2) as refused_amount,
        coalesce(sum(deducted_amount) filter (where is_declared), 0)::numeric(18, 2) as deducted_amount,
        coalesce(sum(fund_paid_amount), 0)::numeric(18, 2) as fund_paid_amount
      from flagged
      group by hospital_code, visit_id
    )

    select * from final`,
});
