/**
 * The settlement, refusal and fund columns that fct_fund_indicators and fct_fund_drg_indicators
 * both carry (the same definitions at two grains): their declarations and their select list.
 * Not a model: files starting with `_` are not loaded as models.
 */
import { sql } from 'kysely';
import { count, money, ratio } from '../../../core/engine/column-helpers.ts';

/** 结算率, 拒付率 and 基金结余率 with their parts and the variant beside each. */
export const settlementColumns = {
  declared_case_count: count('申报结算单数', '有申报金额的医保结算清单数。'),
  settled_case_count: count(
    '已结算结算单数',
    '清算状态计为已结算（种子 settlement_statuses）的申报结算单数。',
  ),
  declared_amount: money('申报金额', '医保结算清单申报金额之和（元）。'),
  settled_declared_amount: money('已结算单申报金额', '已结算结算单的申报金额之和（元）。'),
  settled_amount: money('已结算金额', '已结算结算单的申报金额 − 拒付 − 扣款（元）。'),
  settlement_rate_by_cases: ratio('结算率（例数）', '已结算结算单数 / 申报结算单数。'),
  settlement_rate_by_amount: ratio('结算率（金额）', '已结算金额（扣除拒付与扣款）/ 申报金额。'),
  settlement_rate_by_declared_amount: ratio(
    '结算率（申报金额口径）',
    '另一口径：已结算单的申报金额 / 申报金额。',
  ),
  refused_amount: money('拒付金额', '申报结算单的拒付金额之和（元）。'),
  deducted_amount: money('扣款金额', '申报结算单的扣款金额之和（元）。'),
  refusal_rate: ratio('拒付率', '(拒付 + 扣款) / 申报金额。'),
  refused_only_rate: ratio('拒付率（仅拒付）', '另一口径：拒付 / 申报金额（不含扣款）。'),
  // fund
  fund_paid_amount: money('基金支付', '有医保结算清单的出院病例基金支付总额（元）。'),
  fund_standard_amount: money('支付标准合计', '有结算清单且支付标准大于 0 的出院病例支付标准之和（元）。'),
  fund_actual_amount: money('实际医疗费合计', '同一批病例的医疗费总额之和（元）。'),
  fund_balance_amount: money('基金结余', '支付标准合计 − 实际医疗费合计（元），负为超支。'),
  fund_balance_rate: ratio('基金结余率', '(支付标准合计 − 实际医疗费合计) / 支付标准合计。'),
} as const;

/**
 * The select list of {@link settlementColumns}, from a relation aliased `a` that has the summed
 * declared, settled, refused, deducted, fund paid, standard and actual amounts and the case counts.
 */
export const settlementSelect = sql`
-- settlement and refusals
a.declared_case_count::bigint as declared_case_count,
a.settled_case_count::bigint as settled_case_count,
a.declared_amount::numeric(18, 2) as declared_amount,
a.settled_declared_amount::numeric(18, 2) as settled_declared_amount,
a.settled_amount::numeric(18, 2) as settled_amount,
round(a.settled_case_count::numeric / nullif(a.declared_case_count, 0), 4)::numeric(12, 4)
  as settlement_rate_by_cases,
round(a.settled_amount / nullif(a.declared_amount, 0), 4)::numeric(12, 4) as settlement_rate_by_amount,
round(a.settled_declared_amount / nullif(a.declared_amount, 0), 4)::numeric(12, 4)
  as settlement_rate_by_declared_amount,
a.refused_amount::numeric(18, 2) as refused_amount,
a.deducted_amount::numeric(18, 2) as deducted_amount,
round((a.refused_amount + a.deducted_amount) / nullif(a.declared_amount, 0), 4)::numeric(12, 4) as refusal_rate,
round(a.refused_amount / nullif(a.declared_amount, 0), 4)::numeric(12, 4) as refused_only_rate,
-- fund
a.fund_paid_amount::numeric(18, 2) as fund_paid_amount,
a.fund_standard_amount::numeric(18, 2) as fund_standard_amount,
a.fund_actual_amount::numeric(18, 2) as fund_actual_amount,
(a.fund_standard_amount - a.fund_actual_amount)::numeric(18, 2) as fund_balance_amount,
round((a.fund_standard_amount - a.fund_actual_amount) / nullif(a.fund_standard_amount, 0), 4)::numeric(12, 4)
  as fund_balance_rate`;
