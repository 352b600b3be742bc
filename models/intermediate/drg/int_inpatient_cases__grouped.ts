import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { hospitalPayersQuery, policyInsuranceTypeJoin, policyJoin } from './_payment_policy_lookup.ts';

/**
 * The DRG group and payment standard of every discharge, before any cost: the case cost marts read
 * it for DRG cost, and fct_inpatient_cases adds case cost, exclusions, outliers and margins to it.
 * It must never read a cost model (the graph stays acyclic).
 */
export default defineModel({
  name: 'int_inpatient_cases__grouped',
  materialized: 'table',
  // 157k wide rows (full demo): analysed with the default 30,000-row sample of each of its columns the
  // build's analyze took 0.7–1.1 s; 3,000 rows (target 10) take 0.1 s and give its readers (case fact,
  // cost and fund marts, which join it by hospital and visit) the same plans (checked with EXPLAIN).
  // Built without parallel workers: with two its select took as long (2.6–2.8 s against 2.5–3.0 s,
  // full demo) for 4.7–5.0 s of CPU instead of 2.5–3.0 s, taken from the models built beside it.
  plannerSettings: { default_statistics_target: '10', max_parallel_workers_per_gather: '0' },
  description: [
    '住院病例分组：每次出院一行，病例范围为院内预分组、病案首页与医保结算清单三者之并（自费病例亦在内）。',
    '病组优先取医保方结算结果（group_source = settlement）；医保方未返回结果（无结算、或按 DIP 结算而无 DRG 结果）时取病案首页的院内分组（front_page）；',
    '医保方按 DRG 结算但未入组时记为未入组（none），不以院内分组替代。',
    '支付标准优先取医保方结算的支付标准；否则按支付政策计算（dim_drg_groups：发布方 × 年度 × 病组 × 医院等级 × 险种），自费病例按 drg_case_rules 的 self_pay_insurance_type 估算。',
    '科室为出院科室的标准科室（首页出院科室经院内科室字典映射，映射不到时取结算清单出院科别）；总费用取结算清单医疗费总额，无结算时取首页住院总费用，再无时取 HIS 住院总费用。',
    '主治医师仅以哈希键（attending_doctor_key，来自病案首页）出现。重症监护与呼吸机时长：结算清单（医保结算清单的重症监护合计时长、呼吸机使用时长，精确到分钟）填报其一时两者均取结算清单，否则取病案首页（整小时），并注明来源（icu_ventilation_source）；两者均未填报为空。',
    '医保方（发布方）：医院所在县区的医保局发布了支付表（DRG 病组或 DIP 目录）时为该医保局，否则为所在市医保局。本模型不读取任何成本模型。',
    '院内预分组（own_*）：流水线预分组阶段按配置的分组规则对病案首页（无首页时为结算清单）分组的结果（stg_ops__case_pregroups），分组成功时为其 DRG；名称、权重与支付标准按与医保方病组相同的支付政策查找（同一发布方、年度、医院等级与险种）。',
    'groups_agree：院内预分组与医保方 DRG 结算结果是否一致，任一方缺失（无预分组，或医保方未按 DRG 返回病组）时为空。',
  ].join(''),
  grain: 'One row per inpatient discharge (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    // ids
    hospital_code: {
      description: '医院编码',
      tests: ['not_null', { relationships: { to: 'hospitals', field: 'hospital_code' } }],
    },
    visit_id: { description: '住院号（就诊ID）', tests: ['not_null'] },
    publisher_code: { description: '医保方（支付政策发布方）编码，如 P320900' },
    hospital_level: { description: '医院等级：3 三级，2 二级，1 一级' },
    patient_key: { description: '患者键（医院编码与患者ID的加盐 SHA-256）' },
    insured_person_key: { description: '参保人键（人员编号的加盐 SHA-256）' },
    insurance_type: { description: '险种：310 职工，390 居民，999 自费' },
    dept_code: { description: '出院科室（标准科室编码）' },
    // dates
    admitted_at: { description: '入院时间' },
    discharged_at: { description: '出院时间' },
    discharge_month: {
      description:
        '出院月份（当月第一天）：出院时间所在月；首页、结算清单与 HIS 住院记录都未入库（被隔离）时，取院内分组结果的交付月份（文件按出院月份交付）。',
      type: 'date',
      tests: ['not_null'],
    },
    year: { description: '出院年度', type: 'integer' },
    length_of_stay_days: { description: '住院天数（结算清单实际住院天数，否则首页填报，否则 HIS 计算）' },
    is_death: { description: '是否死亡（离院方式 5）', type: 'boolean' },
    // group
    drg_code: { description: 'DRG 编码（空为未入组）' },
    drg_name: { description: 'DRG 名称' },
    group_source: {
      description: '病组来源：settlement 医保结算结果 / front_page 病案首页院内分组 / none 未入组',
      tests: ['not_null', { accepted_values: ['settlement', 'front_page', 'none'] }],
    },
    drg_weight: { description: '相对权重 RW（与病组同源）' },
    front_page_drg_code: { description: '病案首页院内分组的 DRG 编码（与医保结果并列，便于比对）' },
    payer_drg_code: { description: '医保方 DRG 结算结果的病组（按 DRG 结算且返回病组时；否则为空）' },
    own_drg_code: { description: '院内预分组 DRG 编码（预分组成功时；否则为空）' },
    own_drg_name: { description: '院内预分组 DRG 名称（取自医保方支付政策）' },
    own_drg_weight: { description: '院内预分组 DRG 的相对权重 RW（取自医保方支付政策）' },
    own_payment_standard: {
      description: '院内预分组 DRG 的支付标准（元，按与医保方病组相同的支付政策计算）',
      type: 'numeric(18, 2)',
    },
    own_group_status: {
      description: '预分组状态：分组成功 / 无法入组 / 信息校验不通过 / 歧义病案；无预分组为空',
      tests: [{ accepted_values: ['分组成功', '无法入组', '信息校验不通过', '歧义病案'] }],
    },
    groups_agree: {
      description: '院内预分组与医保方 DRG 病组是否一致；任一方缺失时为空',
      type: 'boolean',
    },
    payment_method: { description: '医保支付方式：DRG / DIP（自费病例为空）' },
    dip_code: { description: 'DIP 病种编码（DIP 结算病例）' },
    dip_score: { description: 'DIP 分值' },
    // amounts
    payment_standard: { description: '支付标准（元）', type: 'numeric(18, 2)' },
    payment_standard_source: {
      description: '支付标准来源：settlement 医保结算 / policy 按政策计算 / 空为无',
      tests: [{ accepted_values: ['settlement', 'policy'] }],
    },
    base_rate: { description: '费率（元/权重；DIP 为点值）' },
    level_coefficient: { description: '级别系数' },
    total_charges: { description: '医疗费总额（元）', type: 'numeric(18, 2)' },
    fund_paid_amount: { description: '基金支付（元，自费病例为 0）', type: 'numeric(18, 2)' },
    self_paid_amount: {
      description: '个人负担：自付 + 自费（元；自费病例为总费用）',
      type: 'numeric(18, 2)',
    },
    refused_amount: { description: '拒付金额（元）', type: 'numeric(18, 2)' },
    deducted_amount: { description: '扣款金额（元）', type: 'numeric(18, 2)' },
    has_settlement: { description: '是否有医保结算清单', type: 'boolean' },
    // clinical
    attending_doctor_key: {
      description: '主治医师键（医院编码与病案首页主治医师代码的加盐 SHA-256；医疗组以此标识）',
    },
    icu_hours: { description: '重症监护合计时长（小时）；结算清单或首页均未填报为空', type: 'numeric' },
    ventilation_hours: { description: '呼吸机使用时长（小时）；结算清单或首页均未填报为空', type: 'numeric' },
    icu_ventilation_source: {
      description: '重症监护与呼吸机时长来源：settlement 医保结算清单 / front_page 病案首页 / 空为均未填报',
      tests: [{ accepted_values: ['settlement', 'front_page'] }],
    },
  },
  unitTests: [
    {
      name: 'takes the payer group, else the front page group; a payer that returns no DRG leaves the case ungrouped',
      given: {
        stg_emr__drg_groupings: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'V1',
              insurance_type: '310',
              drg_code: 'FR39',
              drg_name: 'x',
              drg_weight: 0.5,
              batch_id: 1,
            },
            {
              hospital_code: 'H1',
              visit_id: 'V2',
              insurance_type: '999',
              drg_code: 'ES31',
              drg_name: '呼吸',
              drg_weight: 1.7,
              batch_id: 1,
            },
            {
              hospital_code: 'H1',
              visit_id: 'V3',
              insurance_type: '310',
              drg_code: 'GB19',
              drg_name: 'y',
              drg_weight: 2,
              batch_id: 1,
            },
            // V4: its front page and HIS stay were quarantined, and it is self-pay (no settlement).
            {
              hospital_code: 'H1',
              visit_id: 'V4',
              insurance_type: '999',
              drg_code: 'GB19',
              drg_name: 'y',
              drg_weight: 2,
              batch_id: 2,
            },
          ],
        },
        stg_ops__batches: {
          rows: [
            { batch_id: 1, period_month: '2025-03-01' },
            { batch_id: 2, period_month: '2025-04-01' },
          ],
          types: { period_month: 'date' },
        },
        stg_emr__front_pages: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'V2',
              patient_key: 'k2',
              discharge_dept_code: 'D1',
              admitted_at: '2025-02-20 08:00',
              discharged_at: '2025-03-01 10:00',
              length_of_stay_days: 9,
              is_death: false,
              total_fee: 1000,
              attending_doctor_key: 'd7',
              icu_hours: 20,
              ventilation_hours: null,
            },
          ],
          types: {
            admitted_at: 'timestamp',
            discharged_at: 'timestamp',
            is_death: 'boolean',
            ventilation_hours: 'numeric',
          },
        },
        stg_insurance__settlements: {
          rows: [
            {
              hospital_code: 'H1',
              settlement_id: 'S1',
              visit_id: 'V1',
              insured_person_key: 'p1',
              insurance_type: '310',
              admitted_at: '2025-02-27 10:00',
              discharged_at: '2025-03-02 10:00',
              length_of_stay_days: 3,
              discharge_std_dept_code: 'A03',
              discharge_way: '1',
              total_amount: 800,
              fund_paid_amount: 500,
              self_paid_amount: 200,
              own_expense_amount: 100,
              drg_code: 'FR39',
              drg_name: '心绞痛',
              drg_weight: 0.41,
              base_rate: 9000,
              level_coefficient: 1,
              payment_standard: 3690,
              refused_amount: 0,
              deducted_amount: 0,
              payment_method: 'DRG',
              dip_code: null,
              dip_score: null,
              icu_hours: 30.5,
              ventilation_hours: 12.25,
            },
            {
              hospital_code: 'H1',
              settlement_id: 'S3',
              visit_id: 'V3',
              insurance_type: '310',
              discharged_at: '2025-03-03 10:00',
              discharge_way: '5',
              total_amount: 900,
              fund_paid_amount: 600,
              self_paid_amount: 300,
              own_expense_amount: 0,
              payment_method: 'DRG',
              payment_standard: 0,
              refused_amount: 0,
              deducted_amount: 0,
            },
          ],
          types: { admitted_at: 'timestamp', discharged_at: 'timestamp', dip_score: 'numeric' },
          // V1's ICU time is on the settlement list; V2 (self-pay) has only its front page's; V3 has none.
        },
        stg_his__inpatient_visits: {
          rows: [
            {
              hospital_code: 'H1',
              visit_id: 'V1',
              insurance_type: '310',
              admitted_at: '2025-02-27 10:00',
              discharged_at: '2025-03-02 10:00',
              length_of_stay_days: 3,
              discharge_way: '1',
              total_amount: 800,
            },
          ],
          types: { admitted_at: 'timestamp', discharged_at: 'timestamp' },
        },
        stg_his__departments: [{ hospital_code: 'H1', dept_code: 'D1', std_dept_code: 'A03.01' }],
        hospitals: [{ hospital_code: 'H1', hospital_level: '3', region_code: '320902' }],
        publishers: [{ publisher_code: 'P320900', region_code: '320900' }],
        stg_insurance__drg_groups: [{ publisher_code: 'P320900', year: 2025 }],
        stg_insurance__dip_catalogue: [{ publisher_code: 'P320925', year: 2025 }],
        drg_case_rules: [{ publisher_code: '*', self_pay_insurance_type: '390' }],
        dim_drg_groups: [
          {
            publisher_code: 'P320900',
            year: 2025,
            drg_code: 'ES31',
            drg_name: '呼吸系统感染/炎症，伴严重并发症或合并症',
            drg_weight: 1.7,
            hospital_level: '3',
            insurance_type: '390',
            base_rate: 10000,
            level_coefficient: 1,
            payment_standard: 17000,
          },
          {
            publisher_code: 'P320900',
            year: 2025,
            drg_code: 'FR25',
            drg_name: '心绞痛，不伴并发症或合并症',
            drg_weight: 0.35,
            hospital_level: '3',
            insurance_type: '310',
            base_rate: 10000,
            level_coefficient: 1,
            payment_standard: 3500,
          },
        ],
        // Own groups: V1 FR25 against the payer's FR39 (disagree); V2 (self-pay, no payer group)
        // ES31, priced as the policy prices self-pay stays; V3 not grouped (无法入组); V4 none.
        stg_ops__case_pregroups: [
          { hospital_code: 'H1', visit_id: 'V1', drg_code: 'FR25', group_status: '分组成功' },
          { hospital_code: 'H1', visit_id: 'V2', drg_code: 'ES31', group_status: '分组成功' },
          { hospital_code: 'H1', visit_id: 'V3', drg_code: '0000', group_status: '无法入组' },
        ],
      },
      expect: [
        {
          visit_id: 'V1',
          drg_code: 'FR39',
          group_source: 'settlement',
          drg_weight: 0.41,
          payment_standard: 3690,
          payment_standard_source: 'settlement',
          dept_code: 'A03',
          discharge_month: '2025-03-01',
          total_charges: 800,
          self_paid_amount: 300,
          attending_doctor_key: null,
          icu_hours: 30.5,
          ventilation_hours: 12.25,
          icu_ventilation_source: 'settlement',
          payer_drg_code: 'FR39',
          own_drg_code: 'FR25',
          own_drg_name: '心绞痛，不伴并发症或合并症',
          own_drg_weight: 0.35,
          own_payment_standard: 3500,
          own_group_status: '分组成功',
          groups_agree: false,
        },
        {
          visit_id: 'V2',
          drg_code: 'ES31',
          group_source: 'front_page',
          drg_weight: 1.7,
          payment_standard: 17000,
          payment_standard_source: 'policy',
          dept_code: 'A03.01',
          discharge_month: '2025-03-01',
          total_charges: 1000,
          self_paid_amount: 1000,
          attending_doctor_key: 'd7',
          icu_hours: 20,
          ventilation_hours: 0,
          icu_ventilation_source: 'front_page',
          payer_drg_code: null,
          own_drg_code: 'ES31',
          own_drg_name: '呼吸系统感染/炎症，伴严重并发症或合并症',
          own_drg_weight: 1.7,
          own_payment_standard: 17000,
          own_group_status: '分组成功',
          groups_agree: null,
        },
        {
          visit_id: 'V3',
          drg_code: null,
          group_source: 'none',
          drg_weight: null,
          payment_standard: null,
          payment_standard_source: null,
          dept_code: null,
          discharge_month: '2025-03-01',
          total_charges: 900,
          self_paid_amount: 300,
          attending_doctor_key: null,
          icu_hours: null,
          ventilation_hours: null,
          icu_ventilation_source: null,
          payer_drg_code: null,
          own_drg_code: null,
          own_payment_standard: null,
          own_group_status: '无法入组',
          groups_agree: null,
        },
        {
          visit_id: 'V4',
          drg_code: 'GB19',
          group_source: 'front_page',
          drg_weight: 2,
          payment_standard: null,
          payment_standard_source: null,
          dept_code: null,
          discharge_month: '2025-04-01',
          total_charges: null,
          self_paid_amount: null,
          attending_doctor_key: null,
          icu_hours: null,
          ventilation_hours: null,
          icu_ventilation_source: null,
          own_drg_code: null,
          own_group_status: null,
          groups_agree: null,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with groupings as (
      select * from ${ref('stg_emr__drg_groupings')}
    ),

    batches as (
      select * from ${ref('stg_ops__batches')}
    ),

    front_pages as (
      select * from ${ref('stg_emr__front_pages')}
    ),

    settlements as (
      select * from ${ref('stg_insurance__settlements')}
    ),

    his_visits as (
      select * from ${ref('stg_his__inpatient_visits')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    hospitals as (
      select * from ${ref('hospitals')}
    ),

    -- read twice (the payer's group and the own group): not materialized, so both lookups are
    -- hash joins on the table itself rather than on a CTE scan (full demo: select 1.72 s → 1.50 s)
    policies as not materialized (
      select * from ${ref('dim_drg_groups')}
    ),

    -- the hospital's own group of each stay (the pipeline's pre-group stage)
    pregroups as (
      select * from ${ref('stg_ops__case_pregroups')}
    ),

    rules as (
      select * from ${ref('drg_case_rules')}
    ),

    -- each hospital's level and payer (the lookup shared with int_inpatient_stays__open)
    hospital_payers as (
      ${hospitalPayersQuery(ref)}
    ),

    joined as (
      select
        k.hospital_code,
        k.visit_id,
        hp.publisher_code,
        hp.hospital_level,
        hp.self_pay_insurance_type,
        f.patient_key,
        s.insured_person_key,
        coalesce(s.insurance_type, g.insurance_type, v.insurance_type) as insurance_type,
        coalesce(d.std_dept_code, s.discharge_std_dept_code) as dept_code,
        coalesce(f.admitted_at, s.admitted_at, v.admitted_at) as admitted_at,
        coalesce(f.discharged_at, s.discharged_at, v.discharged_at) as discharged_at,
        gb.period_month as grouping_delivery_month,
        coalesce(s.length_of_stay_days, f.length_of_stay_days, v.length_of_stay_days) as length_of_stay_days,
        coalesce(f.is_death, coalesce(s.discharge_way, v.discharge_way) = '5') as is_death,
        s.settlement_id is not null as has_settlement,
        s.payment_method,
        -- the payer's DRG result is authoritative when it pays by DRG
        case
          when s.payment_method = 'DRG' then case when s.drg_code is not null then 'settlement' else 'none' end
          when g.drg_code is not null then 'front_page'
          else 'none'
        end as group_source,
        s.drg_code as settlement_drg_code,
        s.drg_name as settlement_drg_name,
        s.drg_weight as settlement_drg_weight,
        g.drg_code as front_page_drg_code,
        g.drg_name as front_page_drg_name,
        g.drg_weight as front_page_drg_weight,
        case when s.payment_method = 'DRG' then s.drg_code end as payer_drg_code,
        pg.visit_id is not null as has_pregroup,
        case when pg.group_status = '分组成功' then pg.drg_code end as own_drg_code,
        pg.group_status as own_group_status,
        s.dip_code,
        s.dip_score,
        nullif(s.payment_standard, 0) as settlement_payment_standard,
        s.base_rate as settlement_base_rate,
        s.level_coefficient as settlement_level_coefficient,
        coalesce(s.total_amount, f.total_fee, v.total_amount) as total_charges,
        coalesce(s.fund_paid_amount, 0) as fund_paid_amount,
        case
          when s.settlement_id is not null then coalesce(s.self_paid_amount, 0) + coalesce(s.own_expense_amount, 0)
          else coalesce(f.total_fee, v.total_amount)
        end as self_paid_amount,
        coalesce(s.refused_amount, 0) as refused_amount,
        coalesce(s.deducted_amount, 0) as deducted_amount,
        f.attending_doctor_key,
        -- both figures from the settlement list when it carries either, else both from the front page
        case
          when s.icu_hours is not null or s.ventilation_hours is not null then 'settlement'
          when f.icu_hours is not null or f.ventilation_hours is not null then 'front_page'
        end as icu_ventilation_source,
        s.icu_hours as settlement_icu_hours,
        s.ventilation_hours as settlement_ventilation_hours,
        f.icu_hours as front_page_icu_hours,
        f.ventilation_hours as front_page_ventilation_hours
      -- every stay known to the grouping, the front page or the settlement list; each read once
      from groupings g
      full join front_pages f on f.hospital_code = g.hospital_code and f.visit_id = g.visit_id
      full join settlements s
        on s.hospital_code = coalesce(g.hospital_code, f.hospital_code) and s.visit_id = coalesce(g.visit_id, f.visit_id)
      cross join lateral (
        select
          coalesce(g.hospital_code, f.hospital_code, s.hospital_code) as hospital_code,
          coalesce(g.visit_id, f.visit_id, s.visit_id) as visit_id
      ) k
      left join batches gb on gb.batch_id = g.batch_id
      left join pregroups pg on pg.hospital_code = k.hospital_code and pg.visit_id = k.visit_id
      left join his_visits v on v.hospital_code = k.hospital_code and v.visit_id = k.visit_id
      left join departments d on d.hospital_code = k.hospital_code and d.dept_code = f.discharge_dept_code
      left join hospital_payers hp on hp.hospital_code = k.hospital_code
    ),

    grouped as (
      select
        j.*,
        coalesce(date_trunc('month', j.discharged_at)::date, j.grouping_delivery_month) as discharge_month,
        extract(year from coalesce(j.discharged_at, j.grouping_delivery_month))::integer as year,
        case j.group_source when 'settlement' then j.settlement_drg_code when 'front_page' then j.front_page_drg_code end
          as drg_code,
        case j.group_source when 'settlement' then j.settlement_drg_name when 'front_page' then j.front_page_drg_name end
          as drg_name,
        case j.group_source when 'settlement' then j.settlement_drg_weight when 'front_page' then j.front_page_drg_weight end
          as drg_weight
      from joined j
    ),

    final as (
      select
        -- ids
        c.hospital_code,
        c.visit_id,
        c.publisher_code,
        c.hospital_level,
        c.patient_key,
        c.insured_person_key,
        c.insurance_type,
        c.dept_code,
        -- dates
        c.admitted_at,
        c.discharged_at,
        c.discharge_month,
        c.year,
        c.length_of_stay_days,
        c.is_death,
        -- group
        c.drg_code,
        c.drg_name,
        c.group_source,
        c.drg_weight,
        c.front_page_drg_code,
        c.payer_drg_code,
        c.own_drg_code,
        op.drg_name as own_drg_name,
        op.drg_weight as own_drg_weight,
        op.payment_standard::numeric(18, 2) as own_payment_standard,
        c.own_group_status,
        case when c.has_pregroup and c.payer_drg_code is not null then c.own_drg_code is not distinct from c.payer_drg_code end
          as groups_agree,
        c.payment_method,
        c.dip_code,
        c.dip_score,
        -- amounts
        coalesce(c.settlement_payment_standard, p.payment_standard)::numeric(18, 2) as payment_standard,
        case
          when c.settlement_payment_standard is not null then 'settlement'
          when p.payment_standard is not null then 'policy'
        end as payment_standard_source,
        case when c.settlement_payment_standard is not null then c.settlement_base_rate else p.base_rate end as base_rate,
        case when c.settlement_payment_standard is not null then c.settlement_level_coefficient else p.level_coefficient end
          as level_coefficient,
        c.total_charges::numeric(18, 2) as total_charges,
        c.fund_paid_amount::numeric(18, 2) as fund_paid_amount,
        c.self_paid_amount::numeric(18, 2) as self_paid_amount,
        c.refused_amount::numeric(18, 2) as refused_amount,
        c.deducted_amount::numeric(18, 2) as deducted_amount,
        c.has_settlement,
        -- clinical
        c.attending_doctor_key,
        case c.icu_ventilation_source
          when 'settlement' then coalesce(c.settlement_icu_hours, 0)
          when 'front_page' then coalesce(c.front_page_icu_hours, 0)
        end as icu_hours,
        case c.icu_ventilation_source
          when 'settlement' then coalesce(c.settlement_ventilation_hours, 0)
          when 'front_page' then coalesce(c.front_page_ventilation_hours, 0)
        end as ventilation_hours,
        c.icu_ventilation_source
      from grouped c
      -- the policy row a group of this stay is priced by: its payer, year, hospital level and
      -- insurance type (self-pay stays as the rules' self_pay_insurance_type); the payer's group and
      -- the hospital's own group are looked up alike
      ${policyInsuranceTypeJoin('c')}
      ${policyJoin('p', 'c', 'drg_code')}
      ${policyJoin('op', 'c', 'own_drg_code')}
    )

    select * from final`,
});
