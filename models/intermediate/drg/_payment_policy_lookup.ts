/**
 * How a stay finds the payment-policy row (dim_drg_groups) that prices its group: its hospital's
 * payer and level, its year and its insurance type (self-pay stays as the case rules'
 * self_pay_insurance_type). Shared by int_inpatient_cases__grouped (the payer's and the own group
 * of discharged stays) and int_inpatient_stays__open (the expected group of stays in bed), so both
 * price a group alike; and the case rules' exclusions, shared by fct_inpatient_cases and
 * int_drg_groups__alliance_reference. Not a model: files starting with `_` are not loaded as models.
 */
import { sql, type RawBuilder } from 'kysely';

type Ref = (name: string) => RawBuilder<unknown>;

/**
 * The `hospital_payers` CTE's query: each member hospital, its level, its payer, and the insurance
 * type its payer prices self-pay (999) stays under (`self_pay_insurance_type` of the case rules,
 * the `rules` CTE over seed drg_case_rules: the payer's row, else the `*` row). A county 医保局
 * that publishes a payment table (DRG groups or a DIP catalogue) pays its hospitals; otherwise the
 * city's (`P` + the first four digits of the region + `00`) does. Resolved here, once per
 * hospital, rather than per stay: a lateral lookup per stay cost 0.4 s of 2.1 s on the full demo.
 */
export function hospitalPayersQuery(ref: Ref): RawBuilder<unknown> {
  return sql`
      with publishing as (
        select distinct publisher_code from ${ref('stg_insurance__drg_groups')}
        union
        select distinct publisher_code from ${ref('stg_insurance__dip_catalogue')}
      ),
      payers as (
        select
          h.hospital_code,
          h.hospital_level,
          coalesce(county.publisher_code, 'P' || left(h.region_code, 4) || '00') as publisher_code
        from ${ref('hospitals')} h
        left join (
          select p.publisher_code, p.region_code
          from ${ref('publishers')} p
          join publishing using (publisher_code)
        ) county on county.region_code = h.region_code
      )
      select hp.hospital_code, hp.hospital_level, hp.publisher_code, r.self_pay_insurance_type
      from payers hp
      ${caseRulesJoin('hp')}`;
}

/**
 * A lateral join giving `r`, the case rules row (the `rules` CTE over seed drg_case_rules) that
 * applies to `alias` (with publisher_code): its payer's row, else the `*` row.
 */
export function caseRulesJoin(alias: string): RawBuilder<unknown> {
  return sql`
      left join lateral (
        select * from rules r
        where r.publisher_code in (${sql.raw(alias)}.publisher_code, '*')
        order by (r.publisher_code = '*')
        limit 1
      ) r on true`;
}

/**
 * Why the stay `alias` (length_of_stay_days, total_charges) is excluded from grouping by its case
 * rules `r` (caseRulesJoin): a stay over max_length_of_stay_days, or with total charges under
 * min_total_charges; null when it is not excluded. A case is 入组 (grouped) when it is not
 * excluded and has a group: the case fact and the alliance reference count the same cases.
 */
export function exclusionReason(alias: string): RawBuilder<string> {
  const c = sql.raw(alias);
  return sql<string>`case
          when ${c}.length_of_stay_days > r.max_length_of_stay_days then '住院天数超过 ' || r.max_length_of_stay_days || ' 天'
          when ${c}.total_charges < r.min_total_charges then '医疗费总额低于 ' || r.min_total_charges || ' 元'
        end`;
}

/**
 * A lateral join giving `pt.policy_insurance_type` for the stay `alias` (with insurance_type and
 * its hospital's self_pay_insurance_type from `hospital_payers`): the insurance type its policy
 * row is looked up under, self-pay (999) stays under their payer's self_pay_insurance_type.
 */
export function policyInsuranceTypeJoin(alias: string): RawBuilder<unknown> {
  const c = sql.raw(alias);
  return sql`
      cross join lateral (
        select case when ${c}.insurance_type = '999' then ${c}.self_pay_insurance_type else ${c}.insurance_type end
          as policy_insurance_type
      ) pt`;
}

/**
 * A left join of the policy row (`policies` CTE over dim_drg_groups) as `as` pricing group
 * `drgColumn` of stay `alias` (publisher_code, year, hospital_level), after policyInsuranceTypeJoin.
 */
export function policyJoin(as: string, alias: string, drgColumn: string): RawBuilder<unknown> {
  const p = sql.raw(as);
  const c = sql.raw(alias);
  return sql`
      left join policies ${p}
        on (${p}.publisher_code, ${p}.year, ${p}.hospital_level, ${p}.insurance_type, ${p}.drg_code)
          = (${c}.publisher_code, ${c}.year, ${c}.hospital_level, pt.policy_insurance_type, ${c}.${sql.raw(drgColumn)})`;
}
