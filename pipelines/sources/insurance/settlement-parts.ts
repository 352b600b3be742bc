import { sql } from 'kysely';
import type { ColumnSpec } from '../../../core/contract/columns.ts';
import { codeInDictionary, nonNegative, orphanOf } from '../../ingest/rule-kit.ts';
import type { RuleDefinition, SourceDefinition } from '../../ingest/source-definition.ts';
import { diagnosisInDictionary } from '../emr/front-page-diagnoses.ts';
import { procedureInDictionary } from '../emr/front-page-procedures.ts';

const settlementIds: readonly ColumnSpec[] = [
  { name: 'setl_id', type: 'text', required: true, aliases: ['结算ID'] },
  { name: 'mdtrt_id', type: 'text', required: true, aliases: ['就诊ID'] },
];

/** A part of the settlement list whose settlement is neither loaded nor quarantined. */
const orphanPart = orphanOf({
  id: 'orphan_settlement_part',
  description: '结算清单明细对应的结算记录不存在',
  column: 'setl_id',
  source: 'insurance.settlements',
  key: 'setl_id',
  label: '结算ID',
});

/** A part of the 医保结算清单, one file per discharge month, loaded after the settlements. */
function settlementPart(
  entity: string,
  description: string,
  columns: readonly ColumnSpec[],
  rules: readonly RuleDefinition[],
): SourceDefinition {
  return {
    system: 'insurance',
    entity,
    description,
    filePattern: new RegExp(`^${entity}_(?<period>\\d{4}-\\d{2})\\.csv$`),
    after: ['insurance.settlements'],
    key: 'setl_id',
    columns: [...settlementIds, ...columns],
    rules: [orphanPart, ...rules],
  };
}

export const settlementDiagnoses = settlementPart(
  'settlement_diagnoses',
  '医保结算清单：诊断',
  [
    { name: 'diag_type', type: 'text', aliases: ['诊断类别'] },
    { name: 'diag_code', type: 'text', required: true, aliases: ['诊断代码'] },
    { name: 'diag_name', type: 'text', aliases: ['诊断名称'] },
    { name: 'maindiag_flag', type: 'text', aliases: ['主诊断标志'] },
    { name: 'adm_cond_type', type: 'text', aliases: ['入院病情类型'] },
  ],
  [diagnosisInDictionary('diag_code')],
);

export const settlementProcedures = settlementPart(
  'settlement_procedures',
  '医保结算清单：手术操作',
  [
    { name: 'oprn_oprt_code', type: 'text', required: true, aliases: ['手术操作代码'] },
    { name: 'oprn_oprt_name', type: 'text', aliases: ['手术操作名称'] },
    { name: 'main_oprn_flag', type: 'text', aliases: ['主手术操作标志'] },
    { name: 'oprn_oprt_date', type: 'date', aliases: ['手术操作日期'] },
    { name: 'anst_way', type: 'text', aliases: ['麻醉方式'] },
  ],
  [procedureInDictionary('oprn_oprt_code')],
);

export const settlementChargeCategories = settlementPart(
  'settlement_charge_categories',
  '医保结算清单：收费项目类别（甲类、乙类、全自费）',
  [
    { name: 'med_chrgitm', type: 'text', required: true, aliases: ['医疗收费项目类别'] },
    { name: 'med_chrgitm_name', type: 'text', aliases: ['医疗收费项目名称'] },
    { name: 'amt', type: 'numeric', required: true, aliases: ['金额'] },
    { name: 'claa_sumfee', type: 'numeric', aliases: ['甲类费用'] },
    { name: 'clab_amt', type: 'numeric', aliases: ['乙类金额'] },
    { name: 'fulamt_ownpay_amt', type: 'numeric', aliases: ['全自费金额'] },
    { name: 'oth_amt', type: 'numeric', aliases: ['其他金额'] },
  ],
  [
    codeInDictionary({
      id: 'unknown_charge_category',
      column: 'med_chrgitm',
      label: '医疗收费项目类别',
      dictionary: 'ref.charge_categories',
      dictionaryColumn: 'category_code',
      perHospital: false,
    }),
    {
      id: 'category_amount_mismatch',
      category: 'conformance.computational',
      severity: 'blocking',
      description: '金额 ≠ 甲类 + 乙类 + 全自费',
      failsWhen: sql`abs(r.amt - (coalesce(r.claa_sumfee, 0) + coalesce(r.clab_amt, 0) + coalesce(r.fulamt_ownpay_amt, 0))) > 0.01`,
      message: sql`'金额 ' || r.amt || ' ≠ 甲类 ' || coalesce(r.claa_sumfee, 0) || ' + 乙类 ' || coalesce(r.clab_amt, 0) || ' + 全自费 ' || coalesce(r.fulamt_ownpay_amt, 0)`,
    },
  ],
);

export const fundPayments = settlementPart(
  'fund_payments',
  '医保结算清单：基金支付',
  [
    { name: 'fund_pay_type', type: 'text', required: true, aliases: ['基金支付类型'] },
    { name: 'fund_pay_type_name', type: 'text', aliases: ['基金支付类型名称'] },
    { name: 'fund_payamt', type: 'numeric', required: true, aliases: ['基金支付金额'] },
  ],
  [nonNegative(['fund_payamt'])],
);
