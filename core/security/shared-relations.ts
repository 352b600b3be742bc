import type { SharingPolicy, ShareableView } from './sharing-policy.ts';

/**
 * The shape of a shared sum table, for complementary suppression
 * (core/security/complementary-suppression.ts): columns of the relation's own SQL. Lines (a
 * hospital's row across categories, a category's column across hospitals) never cross a period.
 * Declaring it on a relation is all it takes for the relation to get secondary suppression.
 */
export interface SuppressionShape {
  /** The cell id column (unique per cell). */
  readonly cellId: string;
  /** The count the minimum applies to (cases, charge lines, volume). */
  readonly count: string;
  /** The columns that make one period: month, or month and visit type. */
  readonly period: readonly string[];
  /** The row axis: the hospital. */
  readonly row: string;
  /** The column axis: the category (standard department, DRG group). */
  readonly column: string;
}

/**
 * How a relation's SQL suppresses its cells: `secondary` is a subquery of the cell ids suppressed
 * to protect others (complementary suppression), or null for the cells as they are, unsuppressed
 * (only to compute that suppression, never a view anyone reads).
 */
export interface SuppressionInput {
  readonly secondary: string | null;
}

/** One relation of the `shared` schema: the mart it aggregates and the SQL that builds it. */
export interface SharedRelation {
  /** The Cube view that serves it. */
  readonly view: ShareableView | 'member_vs_peers';
  /**
   * Which rows members read: `policy`, every hospital's (a shared aggregate), when the sharing
   * policy shares the view; `own_hospital`, their own hospital's only (the relation keeps to the
   * login's hospital itself), always.
   */
  readonly members: 'policy' | 'own_hospital';
  /** `shared.<name>`, what Cube's cube and a BI tool read. */
  readonly relation: string;
  /** The mart it needs; while that is not built yet, the shared relation is left out. */
  readonly source: string;
  /** A sum table's shape: its small cells get complementary suppression. Absent: not a sum table. */
  readonly complementary?: SuppressionShape;
  /**
   * The relation's SQL under the policy; `ownHospital` is the predicate (on `hospital_code`) that
   * keeps a member login to its own hospital and lets every other login see all.
   */
  readonly sql: (policy: SharingPolicy, ownHospital: string, suppression: SuppressionInput) => string;
}

/**
 * A shared cell's figures are shown only when its count reaches the policy's minimum and it is not
 * suppressed to protect another cell: `reason` is the cell's `suppression_reason` ('min_cases',
 * 'complementary' or null), computed once from the count and the cell id the relation's shape
 * names, read from the CTE `from`; `kept(expression)` is
 * the expression or null, read where that column is in scope.
 */
function cellSuppression(
  policy: SharingPolicy,
  suppression: SuppressionInput,
  shape: SuppressionShape,
  from: string,
): {
  readonly reason: string;
  readonly kept: (expression: string) => string;
} {
  if (suppression.secondary === null) return { reason: 'null::text', kept: (expression) => expression };
  const k = Math.trunc(policy.minCellCases);
  const [count, cellId] = [`${from}.${shape.count}`, `${from}.${shape.cellId}`];
  return {
    reason: `(case when coalesce(${count}, 0) < ${k} then 'min_cases'
      when ${cellId} in ${suppression.secondary} then 'complementary' end)::text`,
    kept: (expression) => `case when suppression_reason is null then ${expression} end`,
  };
}

const chargeCells: SuppressionShape = {
  cellId: 'benchmark_cell_id',
  count: 'line_count',
  period: ['month', 'visit_type'],
  row: 'hospital_code',
  column: 'department_code',
};

/**
 * The alliance's charge benchmark: one row per hospital, standard department, month and visit
 * type (coarser than the charges mart, which also splits by charge category). A cell with fewer
 * than `minCellCases` charge lines keeps its keys but loses its figures (`is_suppressed`), and sums
 * over such cells skip them; further cells are suppressed (`suppression_reason` 'complementary')
 * where a suppressed cell could be worked out of its row's or column's total and the shown cells.
 */
const allianceChargeBenchmark: SharedRelation = {
  view: 'alliance_charge_benchmark',
  members: 'policy',
  relation: 'shared.alliance_charge_benchmark',
  source: 'marts.fct_department_charges_monthly',
  complementary: chargeCells,
  sql: (policy, _ownHospital, suppression) => {
    const { reason, kept } = cellSuppression(policy, suppression, chargeCells, 'cells');
    return `
    with charges as (
      select * from marts.fct_department_charges_monthly
    ),

    cells as (
      select
        concat_ws('|', hospital_code, department_code, to_char(month, 'YYYY-MM'), visit_type) as benchmark_cell_id,
        hospital_code, hospital_name, hospital_level, department_code, department_name, month, visit_type,
        sum(charge_amount) as total_charge_amount,
        sum(case when is_drug then charge_amount else 0 end) as drug_charge_amount,
        sum(case when is_drug and not is_herbal_pieces then charge_amount else 0 end) as drug_charge_amount_excl_herbal,
        sum(case when is_material then charge_amount else 0 end) as material_charge_amount,
        sum(line_count)::bigint as line_count
      from charges
      group by hospital_code, hospital_name, hospital_level, department_code, department_name, month, visit_type
    ),

    flagged as (
      select cells.*, ${reason} as suppression_reason from cells
    ),

    final as (
      select
        -- ids
        benchmark_cell_id, hospital_code, hospital_name, hospital_level, department_code, department_name,
        -- dates
        month,
        -- attributes
        visit_type,
        suppression_reason is not null as is_suppressed,
        suppression_reason,
        -- amounts (null when suppressed)
        ${kept('total_charge_amount')}::numeric(18, 2) as total_charge_amount,
        ${kept('drug_charge_amount')}::numeric(18, 2) as drug_charge_amount,
        ${kept('drug_charge_amount_excl_herbal')}::numeric(18, 2) as drug_charge_amount_excl_herbal,
        ${kept('material_charge_amount')}::numeric(18, 2) as material_charge_amount,
        ${kept('line_count')}::bigint as line_count
      from flagged
    )

    select * from final`;
  },
};

const drgCells: SuppressionShape = {
  cellId: 'benchmark_cell_id',
  count: 'case_count',
  period: ['month'],
  row: 'hospital_code',
  column: 'drg_code',
};

/**
 * The alliance's DRG benchmark: one row per hospital, DRG group and discharge month (summed over
 * departments). A cell with fewer than `minCellCases` discharges keeps its keys but loses every
 * figure, its case count included (`is_suppressed`); further cells are suppressed (complementary
 * suppression) so that no line total less the shown cells gives a suppressed cell back.
 */
const allianceDrgBenchmark: SharedRelation = {
  view: 'alliance_drg_benchmark',
  members: 'policy',
  relation: 'shared.alliance_drg_benchmark',
  source: 'marts.fct_drg_group_performance',
  complementary: drgCells,
  sql: (policy, _ownHospital, suppression) => {
    const cell = cellSuppression(policy, suppression, drgCells, 'cells');
    const kept = (column: string, type: string) => `${cell.kept(column)}::${type} as ${column}`;
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
        concat_ws('|', hospital_code, drg_code, to_char(month, 'YYYY-MM')) as benchmark_cell_id,
        hospital_code, min(hospital_name) as hospital_name, min(hospital_level) as hospital_level,
        drg_code, min(drg_name) as drg_name, month,
        ${figures.map(([c]) => `sum(${c}) as ${c}`).join(',\n        ')}
      from groups
      group by hospital_code, drg_code, month
    ),

    flagged as (
      select cells.*, ${cell.reason} as suppression_reason from cells
    ),

    final as (
      select
        -- ids
        benchmark_cell_id, hospital_code, hospital_name, hospital_level, drg_code, drg_name,
        -- dates
        month,
        suppression_reason is not null as is_suppressed,
        suppression_reason,
        -- figures (null when suppressed)
        ${figures.map(([c, t]) => kept(c, t)).join(',\n        ')}
      from flagged
    )

    select * from final`;
  },
};

const unitCostCells: SuppressionShape = {
  cellId: 'benchmark_cell_id',
  count: 'service_volume',
  period: ['cost_month', 'visit_type'],
  row: 'hospital_code',
  column: 'std_dept_code',
};

/**
 * The alliance's unit-cost benchmark (诊次成本, 床日成本): one row per hospital, standard
 * department, cost month and side of service (outpatient: 门诊全成本 over 门急诊人次; inpatient:
 * 住院全成本 over 实际占用床日), summed over the hospital's local departments of that standard
 * department. A row whose volume (visits, or occupied bed-days) is under `minCellCases` keeps its
 * keys but loses its cost, volume and unit cost (`is_suppressed`), and further rows are suppressed
 * (complementary suppression) so that no line total less the shown rows gives it back.
 * Departments' cost detail (by item, by local department) stays with their own hospital.
 */
const allianceUnitCostBenchmark: SharedRelation = {
  view: 'alliance_unit_cost_benchmark',
  members: 'policy',
  relation: 'shared.alliance_unit_cost_benchmark',
  source: 'marts.fct_unit_costs',
  complementary: unitCostCells,
  sql: (policy, _ownHospital, suppression) => {
    const { reason, kept } = cellSuppression(policy, suppression, unitCostCells, 'cells_with_ids');
    return `
    with unit_costs as (
      select * from marts.fct_unit_costs
    ),

    cells as (
      select
        hospital_code, min(hospital_name) as hospital_name, std_dept_code, min(std_dept_name) as std_dept_name,
        cost_month,
        sum(outpatient_full_cost) as outpatient_full_cost,
        sum(outpatient_visits)::bigint as outpatient_visits,
        sum(inpatient_full_cost) as inpatient_full_cost,
        sum(occupied_bed_days)::bigint as occupied_bed_days
      from unit_costs
      group by hospital_code, std_dept_code, cost_month
    ),

    sides as (
      select hospital_code, hospital_name, std_dept_code, std_dept_name, cost_month, 'outpatient' as visit_type,
        outpatient_full_cost as service_cost, outpatient_visits as service_volume
      from cells
      union all
      select hospital_code, hospital_name, std_dept_code, std_dept_name, cost_month, 'inpatient' as visit_type,
        inpatient_full_cost as service_cost, occupied_bed_days as service_volume
      from cells
    ),

    cells_with_ids as (
      select
        concat_ws('|', hospital_code, std_dept_code, to_char(cost_month, 'YYYY-MM'), visit_type) as benchmark_cell_id,
        sides.*
      from sides
    ),

    flagged as (
      select cells_with_ids.*, ${reason} as suppression_reason from cells_with_ids
    ),

    final as (
      select
        -- ids
        benchmark_cell_id, hospital_code, hospital_name, std_dept_code, std_dept_name,
        -- dates
        cost_month,
        -- attributes
        visit_type,
        suppression_reason is not null as is_suppressed,
        suppression_reason,
        -- figures (null when suppressed)
        ${kept('service_cost')}::numeric(18, 2) as service_cost,
        ${kept('service_volume')}::bigint as service_volume,
        ${kept('round(service_cost / nullif(service_volume, 0), 2)')}::numeric(18, 2) as unit_cost
      from flagged
    )

    select * from final`;
  },
};

// Lines, per month: a hospital's two sides, and each side across hospitals (the region's month).
const fundCells: SuppressionShape = {
  cellId: 'benchmark_cell_id',
  count: 'case_count',
  period: ['month'],
  row: 'hospital_code',
  column: 'visit_type',
};

/**
 * The alliance's fund-indicator benchmark (次均费用, 平均住院日, 基金结余率): one row per hospital,
 * month and visit type, from the hospital rows of fct_fund_indicators. An outpatient row counts
 * 门急诊人次 and carries 门诊收入; an inpatient row counts 出院人次 and carries 出院患者医疗费总额,
 * 出院者占用总床日 and the fund-balance pair (支付标准合计, 实际医疗费合计). A row whose count is under
 * `minCellCases` keeps its keys but loses every figure (`is_suppressed`), so no roll-up reveals it,
 * and further rows are suppressed (complementary suppression) so that no month's line total less
 * the shown rows gives it back. The fund-balance pair is over a subset of the discharges only (those with a settlement list and
 * a payment standard above 0), so it is also nulled on its own when the row's declared settlement
 * lists (`declared_case_count`) are under `minCellCases`; that count itself is not published.
 */
const allianceFundBenchmark: SharedRelation = {
  view: 'alliance_fund_benchmark',
  members: 'policy',
  relation: 'shared.alliance_fund_benchmark',
  source: 'marts.fct_fund_indicators',
  complementary: fundCells,
  sql: (policy, _ownHospital, suppression) => {
    const { reason, kept } = cellSuppression(policy, suppression, fundCells, 'cells_with_ids');
    const k = Math.trunc(policy.minCellCases);
    const fund = (column: string) =>
      kept(`case when coalesce(declared_case_count, 0) >= ${k} then ${column} end`);
    return `
    with indicators as (
      select * from marts.fct_fund_indicators where aggregation_level = 'hospital'
    ),

    sides as (
      select hospital_code, hospital_name, hospital_level, month, 'outpatient' as visit_type,
        outpatient_visits as case_count,
        outpatient_visits, outpatient_charges,
        null::bigint as discharges, null::numeric as discharged_total_charges, null::bigint as discharged_bed_days,
        null::bigint as declared_case_count, null::numeric as fund_standard_amount, null::numeric as fund_actual_amount
      from indicators
      union all
      select hospital_code, hospital_name, hospital_level, month, 'inpatient' as visit_type,
        discharges as case_count,
        null, null,
        discharges, discharged_total_charges, discharged_bed_days,
        declared_case_count, fund_standard_amount, fund_actual_amount
      from indicators
    ),

    cells_with_ids as (
      select concat_ws('|', hospital_code, to_char(month, 'YYYY-MM'), visit_type) as benchmark_cell_id, sides.*
      from sides
    ),

    flagged as (
      select cells_with_ids.*, ${reason} as suppression_reason from cells_with_ids
    ),

    final as (
      select
        -- ids
        benchmark_cell_id, hospital_code, hospital_name, hospital_level,
        -- dates
        month,
        -- attributes
        visit_type,
        suppression_reason is not null as is_suppressed,
        suppression_reason,
        -- figures (null when suppressed; the outpatient side's on outpatient rows, the inpatient side's on inpatient rows)
        ${kept('case_count')}::bigint as case_count,
        ${kept('outpatient_visits')}::bigint as outpatient_visits,
        ${kept('outpatient_charges')}::numeric(18, 2) as outpatient_charges,
        ${kept('discharges')}::bigint as discharges,
        ${kept('discharged_total_charges')}::numeric(18, 2) as discharged_total_charges,
        ${kept('discharged_bed_days')}::bigint as discharged_bed_days,
        -- the fund-balance pair (also null when the declared settlement lists are too few)
        ${fund('fund_standard_amount')}::numeric(18, 2) as fund_standard_amount,
        ${fund('fund_actual_amount')}::numeric(18, 2) as fund_actual_amount
      from flagged
    )

    select * from final`;
  },
};

/** The peer-benchmark figures a member may see of its pools: the statistics, never a peer's row. */
const poolFigures: readonly (readonly [string, string])[] = [
  ['pool_rank', 'bigint'],
  ['pool_percentile', 'numeric(12, 4)'],
  ['pool_peers', 'bigint'],
  ['pool_cases', 'bigint'],
  ['pool_weighted_mean', 'numeric(18, 4)'],
  ['p10', 'numeric(18, 4)'],
  ['p25', 'numeric(18, 4)'],
  ['p50', 'numeric(18, 4)'],
  ['p75', 'numeric(18, 4)'],
  ['p90', 'numeric(18, 4)'],
  ['best_quartile_value', 'numeric(18, 4)'],
  ['gap_to_best_quartile', 'numeric(18, 4)'],
];

/**
 * A member's own figures beside its peer pools (subject — DRG group, 病种 or department — ×
 * hospital level × year or month, from fct_benchmark_peer_members): one row per hospital,
 * dimension, subject, period and measure, a member login reading its own hospital's rows only. The pool's statistics, and the member's rank, percentile
 * and gap (from which a percentile could be worked back), are shown only for a DRG × year pool of
 * at least `minPeerHospitals` hospitals and `minCellCases` cases (`is_suppressed` otherwise); peers
 * are never named, and no peer's own value is in the relation.
 */
const memberVsPeers: SharedRelation = {
  view: 'member_vs_peers',
  members: 'own_hospital',
  relation: 'shared.member_vs_peers',
  source: 'marts.fct_benchmark_peer_members',
  sql: (policy, ownHospital) => {
    const hospitals = Math.trunc(policy.minPeerHospitals);
    const cases = Math.trunc(policy.minCellCases);
    // Members see the statistics of DRG × year pools only. The 病种, department and monthly pools
    // partition the same cases again (a year's pool holds its months', a level's DRG pools add up
    // to its department pools): shown beside each other, a suppressed pool could be worked out as
    // a shown total less its shown parts. Until suppression spans those partitions they are for
    // staff (regional_benchmark); a member still sees its own values in them.
    const shown = `m.benchmark_dimension = 'drg' and m.period_grain = 'year' and m.pool_peers >= ${hospitals} and m.pool_cases >= ${cases}`;
    return `
    with members as (
      select * from marts.fct_benchmark_peer_members m
    ),

    final as (
      select
        -- ids
        m.benchmark_member_id, m.hospital_code, m.hospital_name, m.hospital_level,
        m.benchmark_dimension, m.benchmark_dimension_name, m.subject_code, m.subject_name,
        -- dates
        m.period_grain, m.period_start, m.year, m.month,
        -- attributes
        m.measure,
        not (${shown}) as is_suppressed,
        -- the member's own figures
        m.value, m.cases,
        -- the pool (null when suppressed)
        ${poolFigures.map(([c, t]) => `(case when ${shown} then m.${c} end)::${t} as ${c}`).join(',\n        ')}
      from members m
      where ${ownHospital}
    )

    select * from final`;
  },
};

/** Every shared relation, whether or not the policy currently shares it with members. */
export const sharedRelations: readonly SharedRelation[] = [
  allianceChargeBenchmark,
  allianceDrgBenchmark,
  allianceUnitCostBenchmark,
  allianceFundBenchmark,
  memberVsPeers,
];
