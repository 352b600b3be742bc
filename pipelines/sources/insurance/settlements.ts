import { sql } from 'kysely';
import {
  codeInDictionary,
  dischargeBeforeAdmission,
  hisInpatientValue,
  orphanOf,
} from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

const hisTotal = hisInpatientValue(sql`r.mdtrt_id`, 'total_amount', '总费用', 'numeric');

/** 医保结算清单 settlement part: one row per settled inpatient stay, one file per discharge month. */
export const settlements: SourceDefinition = {
  system: 'insurance',
  entity: 'settlements',
  description: '医保结算清单：结算信息（含付费方 DRG 分组结果、拒付与扣款）',
  filePattern: /^settlements_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.inpatient_visits'],
  key: 'setl_id',
  uniqueKey: ['setl_id'],
  columns: [
    { name: 'setl_id', type: 'text', required: true, aliases: ['结算ID'] },
    { name: 'mdtrt_id', type: 'text', required: true, aliases: ['就诊ID'] },
    { name: 'fixmedins_code', type: 'text', aliases: ['定点医药机构编号'] },
    { name: 'psn_no', type: 'text', aliases: ['人员编号'] },
    { name: 'medcasno', type: 'text', aliases: ['病案号'] },
    { name: 'gend', type: 'text', aliases: ['性别'] },
    { name: 'brdy', type: 'date', aliases: ['出生日期'] },
    { name: 'age', type: 'integer', aliases: ['年龄'] },
    { name: 'insutype', type: 'text', aliases: ['险种类型'] },
    { name: 'adm_time', type: 'timestamp', aliases: ['入院时间'] },
    { name: 'dscg_time', type: 'timestamp', aliases: ['出院时间'] },
    { name: 'act_ipt_days', type: 'integer', aliases: ['实际住院天数'] },
    { name: 'adm_caty', type: 'text', aliases: ['入院科别'] },
    { name: 'dscg_caty', type: 'text', aliases: ['出院科别'] },
    { name: 'dscg_way', type: 'text', aliases: ['离院方式'] },
    { name: 'medfee_sumamt', type: 'numeric', required: true, aliases: ['医疗费总额'] },
    { name: 'fund_pay_sumamt', type: 'numeric', required: true, aliases: ['基金支付总额'] },
    { name: 'psn_selfpay', type: 'numeric', aliases: ['个人自付金额'] },
    { name: 'psn_ownpay', type: 'numeric', aliases: ['个人自费金额'] },
    { name: 'acct_pay', type: 'numeric', aliases: ['个人账户支出'] },
    { name: 'psn_cashpay', type: 'numeric', aliases: ['个人现金支出'] },
    { name: 'drg_code', type: 'text', aliases: ['DRG编码'] },
    { name: 'drg_name', type: 'text', aliases: ['DRG名称'] },
    { name: 'drg_rw', type: 'numeric', aliases: ['DRG权重'] },
    { name: 'base_rate', type: 'numeric', aliases: ['费率'] },
    { name: 'level_coef', type: 'numeric', aliases: ['级别系数'] },
    { name: 'payment_standard', type: 'numeric', aliases: ['支付标准'] },
    { name: 'refused_amount', type: 'numeric', aliases: ['拒付金额'] },
    { name: 'deducted_amount', type: 'numeric', aliases: ['扣款金额'] },
    { name: 'setl_time', type: 'timestamp', aliases: ['结算时间'] },
  ],
  rules: [
    orphanOf({
      id: 'settlement_without_visit',
      description: '结算清单的就诊ID在 HIS 住院就诊中不存在',
      column: 'mdtrt_id',
      source: 'his.inpatient_visits',
      key: 'visit_id',
      label: '就诊ID',
    }),
    {
      id: 'medfee_total_mismatch',
      category: 'conformance.computational',
      severity: 'warning',
      description: '医疗费总额与 HIS 住院总费用不符',
      failsWhen: sql`abs(r.medfee_sumamt - ${hisTotal}) > 0.01`,
      message: sql`'医疗费总额 ' || r.medfee_sumamt || ' ≠ HIS 总费用 ' || ${hisTotal}`,
    },
    {
      id: 'settlement_identity_mismatch',
      category: 'conformance.computational',
      severity: 'blocking',
      description: '医疗费总额 ≠ 基金支付 + 个人自付 + 个人自费',
      failsWhen: sql`abs(r.medfee_sumamt - (r.fund_pay_sumamt + coalesce(r.psn_selfpay, 0) + coalesce(r.psn_ownpay, 0))) > 0.01`,
      message: sql`'医疗费总额 ' || r.medfee_sumamt || ' ≠ ' || r.fund_pay_sumamt || ' + ' || coalesce(r.psn_selfpay, 0) || ' + ' || coalesce(r.psn_ownpay, 0)`,
    },
    {
      ...dischargeBeforeAdmission,
      failsWhen: sql`r.dscg_time < r.adm_time`,
      message: sql`'出院时间 ' || r.dscg_time || ' 早于入院时间 ' || r.adm_time`,
    },
    ...(['adm_caty', 'dscg_caty'] as const).map((column) =>
      codeInDictionary({
        id: 'unknown_department_code',
        column,
        label: column === 'adm_caty' ? '入院科别（标准）' : '出院科别（标准）',
        dictionary: 'ref.standard_departments',
        dictionaryColumn: 'std_dept_code',
        perHospital: false,
      }),
    ),
  ],
};
