import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { caseRulesJoin, exclusionReason } from './_payment_policy_lookup.ts';

/**
 * The alliance's own same-level reference, the fallback of the consumption indexes where the
 * payer published no regional reference. Its own model (not a step of the case fact) so it builds
 * beside the risk classes while the case fact waits for them.
 */
export default defineModel({
  name: 'int_drg_groups__alliance_reference',
  materialized: 'table',
  // 157k cases into some 200 groups: hashed, not sorted first (the planner, from the grouping's
  // 3,000-row sample, expects many more groups); select 0.22–0.29 s sorted, 0.12–0.16 s hashed.
  plannerSettings: { enable_sort: 'off' },
  description: [
    '医联体同级参考值：每个年度、DRG 病组与医院等级一行，为医联体该年该病组该等级全部入组病例（未被 drg_case_rules 排除且有病组）的次均费用与平均住院日。',
    '医保局未发布区域参考值（stg_insurance__regional_reference）时，费用与时间消耗指数以此为参考（fct_inpatient_cases 的 reference_basis = alliance）。',
  ].join(''),
  grain: 'One row per year, DRG group and hospital level with grouped cases in the alliance.',
  primaryKey: ['year', 'drg_code', 'hospital_level'],
  columns: {
    year: { title: '年度', description: '出院年度。', tests: ['not_null'] },
    drg_code: { title: 'DRG 编码', description: 'DRG 病组编码。', tests: ['not_null'] },
    hospital_level: { title: '医院等级', description: "医院等级，'3' 三级，'2' 二级，'1' 一级。" },
    case_count: { title: '入组病例数', description: '医联体该年该病组该等级的入组病例数。' },
    mean_charge: { title: '次均费用', description: '入组病例医疗费总额的均值（元）。' },
    mean_los: { title: '平均住院日', description: '入组病例住院天数的均值。' },
  },
  unitTests: [
    {
      // A1 and A2 are grouped (mean charge 2 000, mean stay 4 days); C1 stays 70 days and X1's total
      // is under 5 yuan (both excluded), U1 has no group; B1 is one case at another level.
      name: 'averages the grouped cases of each year, group and level, excluded cases left out',
      given: {
        int_inpatient_cases__grouped: [
          { visit_id: 'A1', publisher_code: 'P1', year: 2025, drg_code: 'A', hospital_level: '3', total_charges: 1000, length_of_stay_days: 2 },
          { visit_id: 'A2', publisher_code: 'P1', year: 2025, drg_code: 'A', hospital_level: '3', total_charges: 3000, length_of_stay_days: 6 },
          { visit_id: 'C1', publisher_code: 'P1', year: 2025, drg_code: 'A', hospital_level: '3', total_charges: 2000, length_of_stay_days: 70 },
          { visit_id: 'X1', publisher_code: 'P1', year: 2025, drg_code: 'A', hospital_level: '3', total_charges: 4, length_of_stay_days: 1 },
          { visit_id: 'U1', publisher_code: 'P1', year: 2025, drg_code: null, hospital_level: '3', total_charges: 500, length_of_stay_days: 1 },
          { visit_id: 'B1', publisher_code: 'P1', year: 2025, drg_code: 'A', hospital_level: '2', total_charges: 800, length_of_stay_days: 3 },
        ],
        drg_case_rules: [{ publisher_code: '*', max_length_of_stay_days: 60, min_total_charges: 5 }],
      },
      expect: [
        { drg_code: 'A', hospital_level: '2', case_count: 1, mean_charge: 800, mean_los: 3 },
        { drg_code: 'A', hospital_level: '3', case_count: 2, mean_charge: 2000, mean_los: 4 },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('int_inpatient_cases__grouped')}
    ),

    rules as (
      select * from ${ref('drg_case_rules')}
    ),

    final as (
      select
        c.year,
        c.drg_code,
        c.hospital_level,
        count(*) as case_count,
        avg(c.total_charges) as mean_charge,
        avg(c.length_of_stay_days) as mean_los
      from cases c
      ${caseRulesJoin('c')}
      where c.drg_code is not null and ${exclusionReason('c')} is null
      group by 1, 2, 3
    )

    select * from final`,
});
