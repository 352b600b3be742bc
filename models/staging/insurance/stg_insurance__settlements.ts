import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { hashedIdentifier } from '../../../core/engine/pii.ts';

export default defineModel({
  name: 'stg_insurance__settlements',
  materialized: 'view',
  description:
    '医保结算清单结算信息：每次结算一行，含医保方 DRG/DIP 分组结果（权重、费率、级别系数、支付标准、分值）、申报与清算状态、基金支付与拒付扣款。' +
    '参保人以 insured_person_key（人员编号的加盐 SHA-256，跨医院一致）向后传递。',
  grain: 'One row per settlement (hospital, settlement id).',
  primaryKey: ['hospital_code', 'settlement_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    settlement_id: { description: '结算ID' },
    visit_id: { description: '就诊ID（HIS 住院号）', tests: ['not_null'] },
    insured_person_no: { description: '人员编号', pii: true },
    insured_person_key: { description: '参保人键：人员编号的加盐 SHA-256（可进入集市，跨医院一致）' },
    medical_record_no: { description: '病案号', pii: true },
    gender: { description: '性别：1 男，2 女' },
    birth_date: { description: '出生日期', pii: true },
    age_years: { description: '年龄（岁）' },
    insurance_type: { description: '险种类型：310 职工，390 居民' },
    admitted_at: { description: '入院时间' },
    discharged_at: { description: '出院时间' },
    settled_at: { description: '结算时间' },
    length_of_stay_days: { description: '实际住院天数' },
    admit_std_dept_code: { description: '入院科别（标准科室）' },
    discharge_std_dept_code: {
      description: '出院科别（标准科室）',
      tests: [{ relationships: { to: 'standard_departments', field: 'std_dept_code' } }],
    },
    discharge_way: { description: '离院方式' },
    total_amount: { description: '医疗费总额（元）', tests: ['not_null'] },
    fund_paid_amount: { description: '基金支付总额（元）', tests: ['not_null'] },
    self_paid_amount: { description: '个人自付（元）' },
    own_expense_amount: { description: '个人自费（元）' },
    account_paid_amount: { description: '个人账户支出（元）' },
    cash_paid_amount: { description: '个人现金支出（元）' },
    drg_code: { description: 'DRG 编码（医保方分组结果）' },
    drg_name: { description: 'DRG 名称' },
    drg_weight: { description: 'DRG 相对权重 RW' },
    base_rate: { description: '费率（元/权重）' },
    level_coefficient: { description: '医院级别系数' },
    payment_standard: { description: '支付标准（元）' },
    refused_amount: { description: '拒付金额（元）' },
    deducted_amount: { description: '扣款金额（元）' },
    payment_method: { description: '支付方式（DRG / DIP / 按项目）' },
    dip_code: { description: 'DIP 病种编码（DIP 地区）' },
    dip_score: { description: 'DIP 分值' },
    declared_amount: { description: '申报金额（元）' },
    declared_on: { description: '申报日期' },
    settlement_status: { description: '清算状态' },
    refuse_reason_code: { description: '拒付原因代码' },
    icu_entered_at: { description: '进重症监护室时间' },
    icu_left_at: { description: '出重症监护室时间' },
    icu_hours: { description: '重症监护合计时长（小时）' },
    ventilation_hours: { description: '呼吸机使用时长（小时）' },
    // lineage
    batch_id: { description: '入库批次号', tests: ['not_null'] },
    source_line: { description: '交付文件中的行号' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('insurance', 'settlements')}
    ),

    renamed as (
      select
        -- ids
        hospital_code,
        setl_id as settlement_id,
        mdtrt_id as visit_id,
        psn_no as insured_person_no,
        ${hashedIdentifier('psn_no')} as insured_person_key,
        medcasno as medical_record_no,
        gend as gender,
        brdy as birth_date,
        age as age_years,
        insutype as insurance_type,
        adm_caty as admit_std_dept_code,
        dscg_caty as discharge_std_dept_code,
        dscg_way as discharge_way,
        drg_code,
        drg_name,
        -- dates
        adm_time as admitted_at,
        dscg_time as discharged_at,
        setl_time as settled_at,
        act_ipt_days as length_of_stay_days,
        -- amounts
        medfee_sumamt as total_amount,
        fund_pay_sumamt as fund_paid_amount,
        psn_selfpay as self_paid_amount,
        psn_ownpay as own_expense_amount,
        acct_pay as account_paid_amount,
        psn_cashpay as cash_paid_amount,
        drg_rw as drg_weight,
        base_rate,
        level_coef as level_coefficient,
        payment_standard,
        coalesce(refused_amount, 0) as refused_amount,
        coalesce(deducted_amount, 0) as deducted_amount,
        -- payment and clearing
        payment_method,
        dip_code,
        dip_score,
        declared_amount,
        declare_date as declared_on,
        setl_status as settlement_status,
        refuse_reason_code,
        -- ICU and ventilation
        icu_in_time as icu_entered_at,
        icu_out_time as icu_left_at,
        icu_hours,
        vent_hours as ventilation_hours,
        -- lineage
        batch_id,
        source_line
      from source
    )

    select * from renamed`,
});
