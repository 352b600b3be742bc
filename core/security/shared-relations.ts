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

/** Every shareable relation, whether or not the policy currently shares it with members. */
export const sharedRelations: readonly SharedRelation[] = [allianceChargeBenchmark];
