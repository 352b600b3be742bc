import type { SharingPolicy, ShareableView } from './sharing-policy.ts';

/** One relation of the `shared` schema: the mart it aggregates and the SQL that builds it. */
export interface SharedRelation {
  readonly view: ShareableView;
  /** `shared.<name>`, what Cube's cube and a BI tool read. */
  readonly relation: string;
  /** The mart it needs; while that is not built yet, the shared relation is left out. */
  readonly source: string;
  readonly sql: (policy: SharingPolicy) => string;
}

/**
 * The alliance's charge benchmark: one row per hospital, standard department, month and visit
 * type (coarser than the charges mart, which also splits by charge category). A cell with fewer
 * than `minCellCases` charge lines keeps its keys but loses its figures (`is_suppressed`), and sums
 * over such cells skip them, so no roll-up reveals a suppressed cell by subtraction.
 */
const allianceChargeBenchmark: SharedRelation = {
  view: 'alliance_charge_benchmark',
  relation: 'shared.alliance_charge_benchmark',
  source: 'marts.fct_department_charges_monthly',
  sql: (policy) => {
    const k = Math.trunc(policy.minCellCases);
    const kept = (expression: string) => `case when cells.line_count >= ${k} then ${expression} end`;
    return `
    with charges as (
      select * from marts.fct_department_charges_monthly
    ),

    cells as (
      select
        hospital_code, hospital_name, hospital_level, department_code, department_name, month, visit_type,
        sum(charge_amount) as total_charge_amount,
        sum(case when is_drug then charge_amount else 0 end) as drug_charge_amount,
        sum(case when is_drug and not is_herbal_pieces then charge_amount else 0 end) as drug_charge_amount_excl_herbal,
        sum(case when is_material then charge_amount else 0 end) as material_charge_amount,
        sum(line_count)::bigint as line_count
      from charges
      group by 1, 2, 3, 4, 5, 6, 7
    ),

    final as (
      select
        -- ids
        concat_ws('|', hospital_code, department_code, to_char(month, 'YYYY-MM'), visit_type) as benchmark_cell_id,
        hospital_code, hospital_name, hospital_level, department_code, department_name,
        -- dates
        month,
        -- attributes
        visit_type,
        cells.line_count < ${k} as is_suppressed,
        -- amounts (null when suppressed)
        ${kept('total_charge_amount')}::numeric(18, 2) as total_charge_amount,
        ${kept('drug_charge_amount')}::numeric(18, 2) as drug_charge_amount,
        ${kept('drug_charge_amount_excl_herbal')}::numeric(18, 2) as drug_charge_amount_excl_herbal,
        ${kept('material_charge_amount')}::numeric(18, 2) as material_charge_amount,
        ${kept('cells.line_count')} as line_count
      from cells
    )

    select * from final`;
  },
};

/**
 * The alliance's DRG benchmark: one row per hospital, DRG group and discharge month (summed over
 * departments). A cell with fewer than `minCellCases` discharges keeps its keys but loses every
 * figure, its case count included (`is_suppressed`), so no roll-up reveals it by subtraction.
 */
const allianceDrgBenchmark: SharedRelation = {
  view: 'alliance_drg_benchmark',
  relation: 'shared.alliance_drg_benchmark',
  source: 'marts.fct_drg_group_performance',
  sql: (policy) => {
    const k = Math.trunc(policy.minCellCases);
    const kept = (column: string, type: string) =>
      `case when cells.case_count >= ${k} then ${column} end::${type} as ${column}`;
    const figures: readonly (readonly [string, string])[] = [
      ['case_count', 'bigint'],
      ['grouped_count', 'bigint'],
      ['total_weight', 'numeric(18, 4)'],
      ['indexed_cases', 'bigint'],
      ['charge_index_sum', 'numeric(18, 4)'],
      ['los_index_sum', 'numeric(18, 4)'],
      ['death_count', 'bigint'],
      ['low_risk_cases', 'bigint'],
      ['low_risk_deaths', 'bigint'],
      ['outlier_judged_count', 'bigint'],
      ['high_outlier_count', 'bigint'],
      ['low_outlier_count', 'bigint'],
      ['total_charges', 'numeric(18, 2)'],
      ['payment_standard_total', 'numeric(18, 2)'],
      ['margin_payer_view', 'numeric(18, 2)'],
    ];
    return `
    with groups as (
      select * from marts.fct_drg_group_performance where drg_code is not null
    ),

    cells as (
      select
        hospital_code, min(hospital_name) as hospital_name, min(hospital_level) as hospital_level,
        drg_code, min(drg_name) as drg_name, month,
        ${figures.map(([c]) => `sum(${c}) as ${c}`).join(',\n        ')}
      from groups
      group by hospital_code, drg_code, month
    ),

    final as (
      select
        -- ids
        concat_ws('|', hospital_code, drg_code, to_char(month, 'YYYY-MM')) as benchmark_cell_id,
        hospital_code, hospital_name, hospital_level, drg_code, drg_name,
        -- dates
        month,
        cells.case_count < ${k} as is_suppressed,
        -- figures (null when suppressed)
        ${figures.map(([c, t]) => kept(c, t)).join(',\n        ')}
      from cells
    )

    select * from final`;
  },
};

/** Every shareable relation, whether or not the policy currently shares it with members. */
export const sharedRelations: readonly SharedRelation[] = [allianceChargeBenchmark, allianceDrgBenchmark];
