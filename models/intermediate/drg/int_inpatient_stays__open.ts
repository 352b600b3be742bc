import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { hospitalPayersQuery, policyInsuranceTypeJoin, policyJoin } from './_payment_policy_lookup.ts';

export default defineModel({
  name: 'int_inpatient_stays__open',
  materialized: 'table',
  // The planner takes nearly every census stay for discharged (the anti-joins' estimate is 1 row of
  // 2,072) and nested-loops each of them over all discharged stays' visits, front pages and
  // settlements: the full demo's build took 617 s (460 s alone); hashed, its select takes 2.5 s.
  plannerSettings: { enable_nestloop: 'off' },
  description: [
    '在院病例：每家医院最新在院清单快照（截止日期最大者）所列、且出院尚未交付（无 HIS 住院就诊、病案首页或结算清单）的住院，',
    '附截至快照已下的诊断与已完成的手术操作、预分组阶段按这些诊断与手术操作的院内预分组（record_source = in_stay）、',
    '已交付收费明细的金额合计（截至目前的费用），以及与 int_inpatient_cases__grouped 同一支付政策查找（_payment_policy_lookup）的预估病组权重与支付标准：',
    '医院的医保方与等级、快照年度、险种（自费按病例规则的险种）；医保方在快照年度发布的支付表种类（DRG 病组表或 DIP 目录）。',
  ].join(''),
  grain: 'One row per stay in bed at its hospital’s latest census snapshot (hospital, visit id).',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    visit_id: { description: '住院号', tests: ['not_null'] },
    publisher_code: { description: '医保方（支付政策发布方）编码' },
    hospital_level: { description: '医院等级' },
    patient_key: { description: '患者键（医院编码与患者ID的加盐 SHA-256）' },
    insurance_type: { description: '险种' },
    gender: { description: '性别：1 男，2 女' },
    snapshot_date: { description: '在院清单快照日期（截止日期）', type: 'date' },
    snapshot_at: { description: '在院清单截止时间' },
    year: { description: '快照年度（支付政策年度）', type: 'integer' },
    admitted_at: { description: '入院时间' },
    days_in_bed: { description: '已住院天数：截止日期 − 入院日期 + 1（截止日当天计入）', type: 'integer' },
    current_dept_code: { description: '截止时点所在科室（院内编码）' },
    dept_code: { description: '所在科室的标准科室编码' },
    principal_diagnosis_code: { description: '主要诊断编码（截至快照）' },
    diagnosis_count: { description: '截至快照已下的诊断数', type: 'integer' },
    principal_procedure_code: { description: '主手术操作编码（截至快照已完成的）' },
    procedure_count: { description: '截至快照已完成的手术操作数', type: 'integer' },
    payer_payment_method: {
      description: '医保方快照年度的付费方式：DRG（发布 DRG 病组表）/ DIP（只发布 DIP 目录）；都未发布为空',
      tests: [{ accepted_values: ['DRG', 'DIP'] }],
    },
    expected_drg_code: { description: '预估病组：院内预分组 DRG（分组成功时）' },
    expected_drg_name: { description: '预估病组名称（支付政策）' },
    expected_mdc_code: { description: '预分组 MDC' },
    expected_adrg_code: { description: '预分组 ADRG' },
    group_status: {
      description: '预分组状态：分组成功 / 无法入组 / 信息校验不通过 / 歧义病案；未预分组为空',
    },
    group_reasons: { description: '分组理由（预分组阶段）' },
    drg_weight: { description: '预估病组相对权重 RW（支付政策）' },
    payment_standard: { description: '预估病组支付标准（元，支付政策）', type: 'numeric(18, 2)' },
    charges_to_date: {
      description: '截至目前的费用：已交付的该住院收费明细金额合计（元）',
      type: 'numeric(18, 2)',
    },
    charge_line_count: { description: '已交付收费明细行数', type: 'bigint' },
  },
  sql: ({ ref }) => sql`
    with census as (
      select * from ${ref('stg_his__inpatient_census')}
    ),

    census_diagnoses as (
      select * from ${ref('stg_his__inpatient_census_diagnoses')}
    ),

    census_procedures as (
      select * from ${ref('stg_his__inpatient_census_procedures')}
    ),

    drg_tables as (
      select distinct publisher_code, year from ${ref('stg_insurance__drg_groups')}
    ),

    dip_catalogues as (
      select distinct publisher_code, year from ${ref('stg_insurance__dip_catalogue')}
    ),

    his_visits as (
      select * from ${ref('stg_his__inpatient_visits')}
    ),

    front_pages as (
      select * from ${ref('stg_emr__front_pages')}
    ),

    settlements as (
      select * from ${ref('stg_insurance__settlements')}
    ),

    charge_lines as (
      select * from ${ref('int_charge_lines__standardised')}
      where visit_type = 'inpatient'
    ),

    pregroups as (
      select * from ${ref('stg_ops__case_pregroups')}
      where record_source = 'in_stay'
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    policies as (
      select * from ${ref('dim_drg_groups')}
    ),

    rules as (
      select * from ${ref('drg_case_rules')}
    ),

    hospital_payers as (
      ${hospitalPayersQuery(ref)}
    ),

    -- a later snapshot supersedes the earlier ones; a stay whose discharge is delivered is not open
    latest_snapshots as (
      select hospital_code, max(snapshot_date) as snapshot_date
      from census
      group by 1
    ),

    latest as (
      select distinct on (c.hospital_code, c.visit_id) c.*
      from census c
      join latest_snapshots ls on ls.hospital_code = c.hospital_code and ls.snapshot_date = c.snapshot_date
      where not exists (select 1 from his_visits v where v.hospital_code = c.hospital_code and v.visit_id = c.visit_id)
        and not exists (select 1 from front_pages f where f.hospital_code = c.hospital_code and f.visit_id = c.visit_id)
        and not exists (select 1 from settlements s where s.hospital_code = c.hospital_code and s.visit_id = c.visit_id)
      order by c.hospital_code, c.visit_id, c.batch_id desc
    ),

    diagnoses as (
      select
        d.hospital_code,
        d.visit_id,
        count(*)::integer as diagnosis_count,
        (array_agg(d.diagnosis_code order by d.is_principal desc, d.diagnosis_seq))[1] as principal_diagnosis_code
      from census_diagnoses d
      join latest l on l.hospital_code = d.hospital_code and l.visit_id = d.visit_id and l.snapshot_date = d.snapshot_date
      group by 1, 2
    ),

    procedures as (
      select
        o.hospital_code,
        o.visit_id,
        count(*)::integer as procedure_count,
        (array_agg(o.procedure_code order by o.is_principal desc, o.procedure_seq))[1] as principal_procedure_code
      from census_procedures o
      join latest l on l.hospital_code = o.hospital_code and l.visit_id = o.visit_id and l.snapshot_date = o.snapshot_date
      group by 1, 2
    ),

    -- the open stays' lines only, looked up stay by stay (the lines are indexed by stay): summing
    -- every inpatient line by stay first cost 2 s more, hash-joining all lines to the open stays 1.2 s
    charges as (
      select l.hospital_code, l.visit_id, c.charges_to_date, c.charge_line_count
      from latest l
      cross join lateral (
        select sum(c.amount) as charges_to_date, count(*) as charge_line_count
        from charge_lines c
        where c.hospital_code = l.hospital_code and c.visit_id = l.visit_id
      ) c
    ),

    joined as (
      select
        l.hospital_code,
        l.visit_id,
        hp.publisher_code,
        hp.hospital_level,
        hp.self_pay_insurance_type,
        l.patient_key,
        l.insurance_type,
        l.gender,
        l.snapshot_date,
        l.snapshot_at,
        extract(year from l.snapshot_date)::integer as year,
        l.admitted_at,
        (l.snapshot_date - l.admitted_at::date + 1)::integer as days_in_bed,
        l.current_dept_code,
        d.std_dept_code as dept_code,
        dx.principal_diagnosis_code,
        coalesce(dx.diagnosis_count, 0) as diagnosis_count,
        px.principal_procedure_code,
        coalesce(px.procedure_count, 0) as procedure_count,
        case
          when exists (select 1 from drg_tables t
            where t.publisher_code = hp.publisher_code and t.year = extract(year from l.snapshot_date)) then 'DRG'
          when exists (select 1 from dip_catalogues t
            where t.publisher_code = hp.publisher_code and t.year = extract(year from l.snapshot_date)) then 'DIP'
        end as payer_payment_method,
        case when pg.group_status = '分组成功' then pg.drg_code end as expected_drg_code,
        pg.mdc_code as expected_mdc_code,
        pg.adrg_code as expected_adrg_code,
        pg.group_status,
        pg.group_reasons,
        coalesce(ch.charges_to_date, 0) as charges_to_date,
        coalesce(ch.charge_line_count, 0) as charge_line_count
      from latest l
      left join hospital_payers hp on hp.hospital_code = l.hospital_code
      left join departments d on d.hospital_code = l.hospital_code and d.dept_code = l.current_dept_code
      left join diagnoses dx on dx.hospital_code = l.hospital_code and dx.visit_id = l.visit_id
      left join procedures px on px.hospital_code = l.hospital_code and px.visit_id = l.visit_id
      left join pregroups pg on pg.hospital_code = l.hospital_code and pg.visit_id = l.visit_id
      left join charges ch on ch.hospital_code = l.hospital_code and ch.visit_id = l.visit_id
    ),

    final as (
      select
        -- ids
        c.hospital_code,
        c.visit_id,
        c.publisher_code,
        c.hospital_level,
        c.patient_key,
        c.insurance_type,
        c.gender,
        -- dates
        c.snapshot_date,
        c.snapshot_at,
        c.year,
        c.admitted_at,
        c.days_in_bed,
        c.current_dept_code,
        c.dept_code,
        -- diagnoses, procedures and expected group
        c.principal_diagnosis_code,
        c.diagnosis_count,
        c.principal_procedure_code,
        c.procedure_count,
        c.payer_payment_method,
        c.expected_drg_code,
        p.drg_name as expected_drg_name,
        c.expected_mdc_code,
        c.expected_adrg_code,
        c.group_status,
        c.group_reasons,
        p.drg_weight,
        -- amounts
        p.payment_standard::numeric(18, 2) as payment_standard,
        c.charges_to_date::numeric(18, 2) as charges_to_date,
        c.charge_line_count::bigint as charge_line_count
      from joined c
      -- the expected group priced as a discharged stay's group is (int_inpatient_cases__grouped)
      ${policyInsuranceTypeJoin('c')}
      ${policyJoin('p', 'c', 'expected_drg_code')}
    )

    select * from final`,
});
