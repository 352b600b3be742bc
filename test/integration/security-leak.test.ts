/**
 * The leak test of issue 5: for two member hospitals, 220 generated query shapes (110 each) through
 * Cube's REST and GraphQL APIs, and the same questions as SQL through each member's own PostgreSQL
 * login. No answer may draw on another member's detail (amounts are fingerprinted per hospital,
 * see security-harness.ts), Cube and SQL must agree, and the shared aggregates must be the same
 * whichever way they are asked.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../core/db/database.ts';
import { parseSharingPolicy } from '../../core/security/sharing-policy.ts';
import { signToken } from '../../cube/security/token.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { demoWarehouse, type DemoWarehouse } from '../support/demo-warehouse.ts';
import {
  lineTotals,
  recoverHiddenCells,
  type SeenCell,
  type TrueCell,
} from '../support/suppression-attack.ts';
import {
  alliance,
  closeDeliveries,
  asLogin,
  createLogin,
  createMarts,
  dropLogins,
  fixtureRows,
  hospitalA,
  hospitalB,
  hospitals,
  hospitalsIn,
  months,
  ownDepartment,
  post,
  prng,
  secret,
  secureWarehouse,
  startCube,
  toCents,
  type CubeApi,
  type Hospital,
  type Login,
} from './security-harness.ts';

const shapesPerMember = 100;
const policy = parseSharingPolicy({ minCellCases: 10 });

// ---------------------------------------------------------------------------------------------
// The views and how each member maps to SQL

/**
 * `amount`: a sum of fingerprinted charges or ledger cost (decoded to the hospitals it drew on);
 * `cost`: an amount spread by allocation or unit costs, compared to the cent but carrying no
 * fingerprint (its rows are checked by hospital and department instead).
 */
type MeasureKind = 'amount' | 'cost' | 'count' | 'ratio';
interface ViewSpec {
  readonly name: string;
  readonly relation: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly measures: Readonly<
    Record<string, { readonly kind: MeasureKind; readonly grouped: string; readonly row: string }>
  >;
  readonly segments: Readonly<Record<string, string>>;
  readonly shared: boolean;
  /** The time dimension (a date column of the relation under the same name), if the view has one. */
  readonly time?: string;
  /** The department code and name dimensions the filters try, and a categorical one with values. */
  readonly department: string;
  readonly departmentName: string;
  readonly category: { readonly member: string; readonly values: readonly string[] };
  /** A count measure a HAVING filter may use besides the amounts, if the view has one. */
  readonly countMeasure?: string;
  /** How often generated shapes ask this view, relative to the others. */
  readonly weight: number;
}

const amount = (expression: string) => ({
  kind: 'amount' as const,
  grouped: `sum(${expression})`,
  row: expression,
});
/** What the two charge views share: their month, departments, visit type and line count. */
const chargeMembers = {
  time: 'month',
  department: 'department_code',
  departmentName: 'department_name',
  category: { member: 'visit_type', values: ['inpatient', 'outpatient'] },
  countMeasure: 'line_count',
} as const;

/** Dimensions whose Cube member and mart column share their name. */
const sameNames = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [name, name]));

const detail: ViewSpec = {
  name: 'department_charge_analysis',
  relation: 'marts.fct_department_charges_monthly',
  shared: false,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'hospital_level',
    'department_code',
    'department_name',
    'visit_type',
    'charge_category_code',
    'charge_category_name',
    'is_drug',
    'is_material',
  ]),
  measures: {
    total_charge_amount: amount('charge_amount'),
    drug_charge_amount: amount('case when is_drug then charge_amount else 0 end'),
    material_charge_amount: amount('case when is_material then charge_amount else 0 end'),
    line_count: { kind: 'count', grouped: 'sum(line_count)', row: 'line_count' },
    drug_charge_ratio: {
      kind: 'ratio',
      grouped: 'sum(case when is_drug then charge_amount else 0 end) / nullif(sum(charge_amount), 0)',
      row: 'case when is_drug then charge_amount else 0 end / nullif(charge_amount, 0)',
    },
  },
  segments: { inpatient: "visit_type = 'inpatient'", outpatient: "visit_type = 'outpatient'" },
  ...chargeMembers,
  weight: 0.5,
};
const benchmark: ViewSpec = {
  name: 'alliance_charge_benchmark',
  relation: 'shared.alliance_charge_benchmark',
  shared: true,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'department_code',
    'department_name',
    'visit_type',
    'is_suppressed',
  ]),
  measures: {
    total_charge_amount: amount('total_charge_amount'),
    drug_charge_amount: amount('drug_charge_amount'),
    line_count: { kind: 'count', grouped: 'sum(line_count)', row: 'line_count' },
    suppressed_cell_count: {
      kind: 'count',
      grouped: 'count(*) filter (where is_suppressed)',
      row: 'case when is_suppressed then 1 else 0 end',
    },
    drug_charge_ratio: {
      kind: 'ratio',
      grouped: 'sum(drug_charge_amount) / nullif(sum(total_charge_amount), 0)',
      row: 'drug_charge_amount / nullif(total_charge_amount, 0)',
    },
  },
  segments: {},
  ...chargeMembers,
  weight: 0.3,
};
// The cost views (issue 12): the harness books each department's charges as its ERP cost, so the
// cost marts carry the same per-hospital fingerprints.
const departmentCosts: ViewSpec = {
  name: 'department_cost_analysis',
  relation: 'marts.fct_department_full_costs',
  shared: false,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'dept_code',
    'dept_name',
    'cost_unit_class',
    'cost_item_code',
    'cost_item_name',
  ]),
  measures: {
    direct_cost: amount('direct_cost'),
    full_cost: amount('full_cost'),
    outpatient_full_cost: amount('outpatient_full_cost'),
    received_level1: amount('received_level1'),
    indirect_cost_ratio: {
      kind: 'ratio',
      grouped: 'sum(indirect_cost) / nullif(sum(full_cost), 0)',
      row: 'indirect_cost / nullif(full_cost, 0)',
    },
  },
  segments: { clinical: "cost_unit_class = '临床服务类'" },
  time: 'cost_month',
  department: 'dept_code',
  departmentName: 'dept_name',
  category: { member: 'cost_item_code', values: ['01', '02', '03', '07'] },
  weight: 0.1,
};
const unitCosts: ViewSpec = {
  name: 'unit_cost_analysis',
  relation: 'marts.fct_unit_costs',
  shared: false,
  dimensions: sameNames(['hospital_code', 'hospital_name', 'dept_code', 'dept_name']),
  measures: {
    outpatient_full_cost: amount('outpatient_full_cost'),
    full_cost: amount('full_cost'),
    outpatient_visits: { kind: 'count', grouped: 'sum(outpatient_visits)', row: 'outpatient_visits' },
    cost_per_visit: {
      kind: 'ratio',
      grouped: 'sum(outpatient_full_cost) / nullif(sum(outpatient_visits), 0)',
      row: 'outpatient_full_cost / nullif(outpatient_visits, 0)',
    },
  },
  segments: {},
  time: 'cost_month',
  department: 'dept_code',
  departmentName: 'dept_name',
  category: { member: 'dept_name', values: ['内科', '外科'] },
  countMeasure: 'outpatient_visits',
  weight: 0.1,
};
const cost = (expression: string) => ({
  kind: 'cost' as const,
  grouped: `sum(${expression})`,
  row: expression,
});
const serviceItemCosts: ViewSpec = {
  name: 'service_item_cost',
  relation: 'marts.fct_service_item_costs',
  shared: false,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'dept_code',
    'dept_name',
    'item_code',
    'item_name',
    'charge_category_code',
    'coefficient_basis',
  ]),
  measures: {
    item_cost: cost('item_cost'),
    labour_cost: cost('labour_cost'),
    revenue: cost('revenue'),
    avg_unit_cost: {
      kind: 'ratio',
      grouped: 'sum(item_cost) / nullif(sum(quantity), 0)',
      row: 'item_cost / nullif(quantity, 0)',
    },
  },
  segments: {},
  department: 'dept_code',
  departmentName: 'dept_name',
  category: { member: 'charge_category_code', values: ['03', '09'] },
  weight: 0.08,
};
const caseCosts: ViewSpec = {
  name: 'case_cost_analysis',
  relation: 'marts.fct_case_costs',
  shared: false,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'visit_id',
    'dept_code',
    'dept_name',
    'std_dept_code',
    'principal_diagnosis_code',
    'diagnosis_source',
  ]),
  measures: {
    case_cost: cost('case_cost'),
    case_cost_ccr: cost('case_cost_ccr'),
    total_charges: cost('total_charges'),
    cost_charge_ratio: {
      kind: 'ratio',
      grouped: 'sum(case_cost) / nullif(sum(total_charges), 0)',
      row: 'case_cost / nullif(total_charges, 0)',
    },
  },
  segments: {},
  time: 'discharge_month',
  department: 'dept_code',
  departmentName: 'dept_name',
  category: { member: 'diagnosis_source', values: ['none', 'front_page'] },
  weight: 0.08,
};
// Fund efficiency (issue 14): the harness's charges are the mart's medical, drug and outpatient
// charges, fingerprinted per hospital. Its measures sum the department rows only (the mart also
// holds hospital rows), so the SQL does the same.
const departmentRows = "aggregation_level = 'department'";
const departmentSum = (column: string, kind: 'amount' | 'count') => ({
  kind,
  grouped: `sum(${column}) filter (where ${departmentRows})`,
  row: `case when ${departmentRows} then ${column} end`,
});
const fundEfficiency: ViewSpec = {
  name: 'fund_efficiency',
  relation: 'marts.fct_fund_indicators',
  shared: false,
  dimensions: sameNames([
    'hospital_code',
    'hospital_name',
    'hospital_level',
    'department_code',
    'department_name',
  ]),
  measures: {
    medical_charges: departmentSum('medical_charges', 'amount'),
    drug_charges: departmentSum('drug_charges', 'amount'),
    outpatient_charges: departmentSum('outpatient_charges', 'amount'),
    outpatient_visits: departmentSum('outpatient_visits', 'count'),
    drug_share: {
      kind: 'ratio',
      grouped: `sum(drug_charges) filter (where ${departmentRows}) / nullif(sum(medical_charges) filter (where ${departmentRows}), 0)`,
      row: `(case when ${departmentRows} then drug_charges end) / nullif(case when ${departmentRows} then medical_charges end, 0)`,
    },
  },
  segments: {},
  time: 'month',
  department: 'department_code',
  departmentName: 'department_name',
  category: { member: 'department_code', values: ['D01', 'D02'] },
  countMeasure: 'outpatient_visits',
  weight: 0.1,
};
const views: readonly ViewSpec[] = [
  detail,
  benchmark,
  departmentCosts,
  unitCosts,
  serviceItemCosts,
  caseCosts,
  fundEfficiency,
];

// ---------------------------------------------------------------------------------------------
// Generated query shapes

type Leaf =
  | { readonly member: string; readonly operator: 'equals' | 'notEquals'; readonly values: readonly string[] }
  | { readonly member: string; readonly operator: 'contains'; readonly values: readonly [string] }
  | { readonly member: string; readonly operator: 'set' | 'notSet' };
type Filter = Leaf | { readonly and: readonly Filter[] } | { readonly or: readonly Filter[] };

interface Shape {
  readonly id: string;
  readonly view: ViewSpec;
  readonly measures: readonly string[];
  readonly dimensions: readonly string[];
  readonly time?: {
    readonly granularity?: 'month' | 'quarter' | 'year';
    readonly dateRange?: readonly [string, string];
  };
  readonly filters: readonly Filter[];
  readonly measureFilter?: { readonly member: string; readonly value: number };
  readonly segment?: string;
  readonly ungrouped: boolean;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
function weighted(random: () => number, items: readonly ViewSpec[]): ViewSpec {
  let roll = random() * items.reduce((total, item) => total + item.weight, 0);
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1]!;
}
function subset<T>(random: () => number, items: readonly T[], min: number, max: number): T[] {
  const shuffled = [...items].sort(() => random() - 0.5);
  return shuffled.slice(0, min + Math.floor(random() * (max - min + 1)));
}

function leaf(random: () => number, view: ViewSpec, member: Hospital): Leaf {
  const other = member === hospitalA ? hospitalB : hospitalA;
  const dims = Object.keys(view.dimensions).filter(
    (d) => d !== 'is_suppressed' && d !== 'is_drug' && d !== 'is_material',
  );
  switch (Math.floor(random() * 7)) {
    case 0: // the classic attempt: ask for another hospital by name
      return {
        member: 'hospital_code',
        operator: 'equals',
        values: subset(random, [other, member, ...hospitals], 1, 2),
      };
    case 1:
      return { member: 'hospital_code', operator: 'notEquals', values: [pick(random, [member, other])] };
    case 2:
      return {
        member: view.department,
        operator: 'equals',
        values: subset(random, ['D01', 'D02', ...Object.values(ownDepartment)], 1, 3),
      };
    case 3:
      return {
        member: view.category.member,
        operator: 'equals',
        values: [pick(random, view.category.values)],
      };
    case 4:
      return {
        member: view.departmentName,
        operator: 'contains',
        values: [pick(random, ['科', '内', '康复'])],
      };
    case 5:
      return { member: pick(random, dims), operator: pick(random, ['set', 'notSet'] as const) };
    default:
      return {
        member: pick(random, dims),
        operator: 'notEquals',
        values: [pick(random, ['D01', view.category.values[0]!, 'x'])],
      };
  }
}

function filterTree(random: () => number, view: ViewSpec, member: Hospital, depth = 0): Filter {
  const roll = random();
  if (depth >= 2 || roll < 0.5) return leaf(random, view, member);
  const children = Array.from({ length: 2 + Math.floor(random() * 2) }, () =>
    filterTree(random, view, member, depth + 1),
  );
  return roll < 0.75 ? { or: children } : { and: children };
}

function generateShapes(member: Hospital, seed: number, count: number): Shape[] {
  const random = prng(seed);
  const shapes: Shape[] = [];
  for (let index = 0; index < count; index += 1) {
    const view = weighted(random, views);
    const ungrouped = random() < 0.12;
    const measureNames = Object.keys(view.measures);
    let measures = random() < 0.1 ? [] : subset(random, measureNames, 1, 3);
    if (ungrouped) measures = measures.filter((m) => m !== 'suppressed_cell_count');
    let dimensions = random() < 0.25 ? [] : subset(random, Object.keys(view.dimensions), 1, 3);
    const withTime = view.time !== undefined && random() < 0.4;
    const time = withTime
      ? {
          ...(random() < 0.8 ? { granularity: pick(random, ['month', 'quarter', 'year'] as const) } : {}),
          ...(random() < 0.5
            ? {
                dateRange: pick(random, [
                  ['2025-01-01', '2025-02-28'],
                  ['2025-02-01', '2025-03-31'],
                ] as const),
              }
            : {}),
        }
      : undefined;
    if (measures.length === 0 && dimensions.length === 0 && !time?.granularity)
      dimensions = [view.department];
    if (ungrouped && dimensions.length === 0 && !time?.granularity) dimensions = [view.department];
    const filters = Array.from({ length: Math.floor(random() * 3) }, () => filterTree(random, view, member));
    const filterable = measures
      .filter((m) => view.measures[m]!.kind !== 'ratio')
      .concat(view.countMeasure ?? []);
    const measureFilter =
      !ungrouped && measures.length > 0 && filterable.length > 0 && random() < 0.15
        ? { member: pick(random, filterable), value: 5 }
        : undefined;
    const segmentNames = Object.keys(view.segments);
    const segment = segmentNames.length > 0 && random() < 0.2 ? pick(random, segmentNames) : undefined;
    shapes.push({
      id: `${member}#${index}`,
      view,
      measures,
      dimensions,
      ...(time && (time.granularity || time.dateRange) ? { time } : {}),
      filters,
      ...(measureFilter ? { measureFilter } : {}),
      ...(segment ? { segment } : {}),
      ungrouped,
    });
  }
  return shapes;
}

// ---------------------------------------------------------------------------------------------
// One shape as a Cube REST query, a GraphQL query and SQL

function restQuery(shape: Shape): Record<string, unknown> {
  const v = shape.view.name;
  const member = (name: string) => `${v}.${name}`;
  const filterOf = (filter: Filter): unknown =>
    'and' in filter
      ? { and: filter.and.map(filterOf) }
      : 'or' in filter
        ? { or: filter.or.map(filterOf) }
        : { ...filter, member: member(filter.member) };
  const filters = shape.filters.map(filterOf);
  if (shape.measureFilter)
    filters.push({
      member: member(shape.measureFilter.member),
      operator: 'gt',
      values: [String(shape.measureFilter.value)],
    });
  return {
    ...(shape.measures.length ? { measures: shape.measures.map(member) } : {}),
    ...(shape.dimensions.length ? { dimensions: shape.dimensions.map(member) } : {}),
    ...(shape.time ? { timeDimensions: [{ dimension: member(shape.view.time!), ...shape.time }] } : {}),
    ...(filters.length ? { filters } : {}),
    ...(shape.segment ? { segments: [member(shape.segment)] } : {}),
    ...(shape.ungrouped ? { ungrouped: true } : {}),
    limit: 50_000,
  };
}

/** GraphQL has no segments or ungrouped queries; shapes with those are asked over REST only. */
function graphqlQuery(shape: Shape): string | undefined {
  if (shape.segment || shape.ungrouped) return undefined;
  const whereOf = (filter: Filter): string => {
    if ('and' in filter) return `{ AND: [${filter.and.map(whereOf).join(', ')}] }`;
    if ('or' in filter) return `{ OR: [${filter.or.map(whereOf).join(', ')}] }`;
    if (filter.operator === 'set' || filter.operator === 'notSet')
      return `{ ${filter.member}: { set: ${filter.operator === 'set'} } }`;
    if (filter.operator === 'contains')
      return `{ ${filter.member}: { contains: ${JSON.stringify(filter.values[0])} } }`;
    const listed = filter as Extract<Leaf, { operator: 'equals' | 'notEquals' }>;
    return `{ ${listed.member}: { ${listed.operator === 'equals' ? 'in' : 'notIn'}: ${JSON.stringify(listed.values)} } }`;
  };
  const conditions = shape.filters.map(whereOf);
  if (shape.time?.dateRange)
    conditions.push(`{ ${shape.view.time!}: { inDateRange: ${JSON.stringify(shape.time.dateRange)} } }`);
  // A measure condition (HAVING) cannot share an AND with dimensions: it is a key of its own.
  const keys = conditions.length ? [`AND: [${conditions.join(', ')}]`] : [];
  if (shape.measureFilter) keys.push(`${shape.measureFilter.member}: { gt: ${shape.measureFilter.value} }`);
  const where = keys.length ? `(where: { ${keys.join(', ')} })` : '';
  const fields = [...shape.measures, ...shape.dimensions];
  if (shape.time?.granularity) fields.push(`${shape.view.time!} { ${shape.time.granularity} }`);
  if (fields.length === 0) return undefined;
  return `{ cube(limit: 50000) { ${shape.view.name}${where} { ${fields.join(' ')} } } }`;
}

function sqlQuery(shape: Shape): { text: string; values: unknown[] } {
  const { view } = shape;
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const column = (name: string) => view.dimensions[name]!;
  const condition = (filter: Filter): string => {
    if ('and' in filter) return `(${filter.and.map(condition).join(' and ')})`;
    if ('or' in filter) return `(${filter.or.map(condition).join(' or ')})`;
    const c = column(filter.member);
    switch (filter.operator) {
      case 'equals':
        return `${c}::text = any(${param(filter.values)})`;
      case 'notEquals':
        return `(${c}::text <> all(${param(filter.values)}) or ${c} is null)`;
      case 'contains':
        return `${c} ilike ${param(`%${filter.values[0]}%`)}`;
      case 'set':
        return `${c} is not null`;
      case 'notSet':
        return `${c} is null`;
    }
  };
  const where = shape.filters.map(condition);
  if (shape.segment) where.push(view.segments[shape.segment]!);
  if (shape.time?.dateRange)
    where.push(
      `${view.time!} between ${param(shape.time.dateRange[0])}::date and ${param(shape.time.dateRange[1])}::date`,
    );
  const keys = shape.dimensions.map((d) => `${column(d)} as "${d}"`);
  if (shape.time?.granularity)
    keys.push(
      `to_char(date_trunc('${shape.time.granularity}', ${view.time!}::timestamp), 'YYYY-MM-DD') as "${view.time!}"`,
    );
  const measures = shape.measures.map(
    (m) => `${shape.ungrouped ? view.measures[m]!.row : view.measures[m]!.grouped} as "${m}"`,
  );
  const select = [...keys, ...measures].join(', ');
  const grouped = !shape.ungrouped && measures.length > 0;
  const group =
    grouped && keys.length
      ? ` group by ${keys.map((_, i) => i + 1).join(', ')}`
      : !grouped && !shape.ungrouped
        ? ` group by ${keys.map((_, i) => i + 1).join(', ')}`
        : '';
  const having = shape.measureFilter
    ? ` having ${view.measures[shape.measureFilter.member]!.grouped} > ${param(shape.measureFilter.value)}`
    : '';
  return {
    text: `select ${select} from ${view.relation}${where.length ? ` where ${where.join(' and ')}` : ''}${group}${having}`,
    values,
  };
}

// ---------------------------------------------------------------------------------------------
// Comparing answers

type Row = Record<string, unknown>;

/** One answer as sorted, comparable lines; measure values normalised by kind. */
function canonical(
  shape: Shape,
  rows: readonly Row[],
  keyOf: (name: string, isTime: boolean) => string,
): string[] {
  const lines = rows.map((row) => {
    const parts: string[] = [];
    for (const d of shape.dimensions) parts.push(show(row[keyOf(d, false)]));
    if (shape.time?.granularity) parts.push(String(row[keyOf(shape.view.time!, true)] ?? '∅').slice(0, 10));
    for (const m of shape.measures) {
      const value = row[keyOf(m, false)];
      const kind = shape.view.measures[m]!.kind;
      if (value === null || value === undefined) parts.push('∅');
      else if (kind === 'amount' || kind === 'cost') parts.push(String(toCents(value)));
      else if (kind === 'count') parts.push(String(Number(value)));
      else parts.push(Number(value).toFixed(8));
    }
    return parts.join(' | ');
  });
  return lines.sort();
}
function show(value: unknown): string {
  return value === null || value === undefined ? '∅' : String(value);
}

/** Every amount and hospital of a Cube answer must belong to `member`, unless the view is shared. */
function assertNoForeignDetail(
  shape: Shape,
  rows: readonly Row[],
  member: Hospital,
  keyOf: (name: string) => string,
): void {
  if (shape.view.shared) return;
  const foreignDepartments = Object.entries(ownDepartment)
    .filter(([h]) => h !== member)
    .map(([, d]) => d);
  for (const row of rows) {
    for (const m of shape.measures) {
      if (shape.view.measures[m]!.kind !== 'amount' || row[keyOf(m)] === null) continue;
      const drawn = hospitalsIn(toCents(row[keyOf(m)]));
      expect(
        drawn.filter((h) => h !== member),
        `${shape.id} ${m} draws on another hospital`,
      ).toEqual([]);
    }
    if (shape.dimensions.includes('hospital_code'))
      expect(row[keyOf('hospital_code')], shape.id).toBe(member);
    if (shape.dimensions.includes(shape.view.department))
      expect(foreignDepartments, shape.id).not.toContain(row[keyOf(shape.view.department)]);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index]!);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Complementary suppression (issue 15): the recovery attack on every shared sum table

/**
 * A shared sum table as the attack reads it: the Cube view (and `shared.<view>`), its keys, the
 * figures attacked, and the test's own truth from the marts (one row per cell: `row_key`,
 * `column_key`, `month` as YYYY-MM, the period dimensions, and each figure, amounts rounded to
 * the cent as the shared relation rounds them), never read from the shared relation.
 */
interface SharedSumTable {
  readonly view: string;
  readonly time: string;
  readonly row: string;
  readonly column: string;
  /** Period dimensions besides the month (visit type). */
  readonly period: readonly string[];
  readonly figures: Readonly<Record<string, 'amount' | 'count'>>;
  readonly truth: string;
}

const sharedSumTables: readonly SharedSumTable[] = [
  {
    view: 'alliance_charge_benchmark',
    time: 'month',
    row: 'hospital_code',
    column: 'department_code',
    period: ['visit_type'],
    figures: { total_charge_amount: 'amount', line_count: 'count' },
    truth: `select hospital_code as row_key, department_code as column_key, to_char(month, 'YYYY-MM') as month,
        visit_type, round(sum(charge_amount), 2)::text as total_charge_amount, sum(line_count)::text as line_count
      from marts.fct_department_charges_monthly group by 1, 2, 3, 4`,
  },
  {
    view: 'alliance_drg_benchmark',
    time: 'month',
    row: 'hospital_code',
    column: 'drg_code',
    period: [],
    // (total_charges is in the relation but not in the Cube view; margin_payer_view is money too.)
    figures: { case_count: 'count', margin_payer_view: 'amount' },
    truth: `select hospital_code as row_key, drg_code as column_key, to_char(month, 'YYYY-MM') as month,
        sum(case_count)::text as case_count, round(sum(margin_payer_view), 2)::text as margin_payer_view
      from marts.fct_drg_group_performance where drg_code is not null group by 1, 2, 3`,
  },
  {
    view: 'alliance_unit_cost_benchmark',
    time: 'cost_month',
    row: 'hospital_code',
    column: 'std_dept_code',
    period: ['visit_type'],
    figures: { service_cost: 'amount', service_volume: 'count' },
    truth: `select hospital_code as row_key, std_dept_code as column_key, to_char(cost_month, 'YYYY-MM') as month,
        side.visit_type, round(side.cost, 2)::text as service_cost, side.volume::text as service_volume
      from (select hospital_code, std_dept_code, cost_month, sum(outpatient_full_cost) as oc, sum(outpatient_visits) as ov,
              sum(inpatient_full_cost) as ic, sum(occupied_bed_days) as iv
            from marts.fct_unit_costs group by 1, 2, 3) u
      cross join lateral (values ('outpatient', u.oc, u.ov), ('inpatient', u.ic, u.iv)) as side(visit_type, cost, volume)`,
  },
  {
    view: 'alliance_fund_benchmark',
    time: 'month',
    row: 'hospital_code',
    column: 'visit_type',
    period: [],
    figures: { case_count: 'count' },
    truth: `select hospital_code as row_key, side.visit_type as column_key, to_char(month, 'YYYY-MM') as month,
        side.cases::text as case_count
      from marts.fct_fund_indicators f
      cross join lateral (values ('outpatient', f.outpatient_visits), ('inpatient', f.discharges)) as side(visit_type, cases)
      where aggregation_level = 'hospital'`,
  },
];

/** Exact cents (or a count) of a figure as PostgreSQL or Cube writes it; null stays null. */
function exactValue(value: unknown, kind: 'amount' | 'count'): bigint | null {
  if (value === null || value === undefined) return null;
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(String(value));
  if (!match) throw new Error(`not a decimal: ${String(value)}`);
  const [, sign, whole, fraction = ''] = match;
  const places = kind === 'amount' ? 2 : 0;
  if (/[1-9]/.test(fraction.slice(places))) throw new Error(`more than ${places} decimals: ${String(value)}`);
  const digits = BigInt(whole! + fraction.slice(0, places).padEnd(places, '0'));
  return sign ? -digits : digits;
}

interface SuppressionFigures {
  readonly cells: number;
  readonly minCases: number;
  readonly complementary: number;
  /** Suppressed cells the totals alone give away (the only cell of a line), outsider / own row known. */
  readonly byTotals: readonly [number, number];
  /** Cells recovered beyond the totals' own with primary suppression alone: outsider / own row known. */
  readonly primaryOnlyLeaks: readonly [number, number];
}

/**
 * Reads every cell of a shared sum table as `member` through Cube and through its PostgreSQL login
 * (the same answer), and attacks each figure with every line total taken from the marts: as an
 * outsider, and as the member itself (its own hospital's cells known). No suppressed cell may be
 * recovered beyond what the line totals alone give away.
 */
async function attackSharedTable(
  table: SharedSumTable,
  member: Hospital,
  token: string,
  login: Login,
  admin: pg.Pool,
  loadQuery: (token: string, query: Record<string, unknown>) => Promise<{ status: number; body: Row }>,
): Promise<SuppressionFigures> {
  const v = table.view;
  const dims = [table.row, table.column, ...table.period];
  const figures = Object.keys(table.figures);
  const answer = await loadQuery(token, {
    dimensions: [...dims, 'is_suppressed'].map((d) => `${v}.${d}`),
    measures: figures.map((f) => `${v}.${f}`),
    timeDimensions: [{ dimension: `${v}.${table.time}`, granularity: 'month' }],
    limit: 50_000,
  });
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
  const cubeRows = answer.body.data as Row[];
  expect(cubeRows.length).toBeLessThan(50_000);
  const sql = await asLogin(login, (c) =>
    c.query(
      `select ${dims.join(', ')}, to_char(${table.time}, 'YYYY-MM') as month, is_suppressed, ${figures.map((f) => `${f}::text as ${f}`).join(', ')}
       from shared.${v}`,
    ),
  );
  const line = (r: Row, key: (name: string) => string, month: string) =>
    [
      ...dims.map((d) => String(r[key(d)])),
      month,
      String(r[key('is_suppressed')] === true || r[key('is_suppressed')] === 'true'),
      ...figures.map((f) => String(exactValue(r[key(f)], table.figures[f]!) ?? '∅')),
    ].join(' | ');
  const sqlRows = sql.rows as Row[];
  expect(
    cubeRows
      .map((r) => line(r, (d) => `${v}.${d}`, String(r[`${v}.${table.time}.month`]).slice(0, 7)))
      .sort(),
    `${v}: Cube and the member's SQL login`,
  ).toEqual(sqlRows.map((r) => line(r, (d) => d, String(r.month))).sort());

  const cellOf = (r: Row, rowKey: string, columnKey: string) => {
    const period = [String(r.month), ...table.period.map((d) => String(r[d]))].join('|');
    return {
      id: `${String(r[rowKey])}|${String(r[columnKey])}|${period}`,
      period,
      row: String(r[rowKey]),
      column: String(r[columnKey]),
    };
  };
  const truthRows = (await admin.query(table.truth)).rows as Row[];
  const reasons = new Map(
    (
      (
        await admin.query(
          `select ${table.row} as r, ${table.column} as c, to_char(${table.time}, 'YYYY-MM') as month, ${table.period.map((d) => `${d}, `).join('')}suppression_reason from shared.${v}`,
        )
      ).rows as Row[]
    ).map((r) => [cellOf(r, 'r', 'c').id, r.suppression_reason as string | null]),
  );
  expect(sqlRows.length, `${v}: one shared cell per cell of the marts`).toBe(truthRows.length);
  let byTotalsOutsider = 0;
  let byTotalsOwn = 0;
  let leaksOutsider = 0;
  let leaksOwn = 0;
  for (const figure of figures) {
    const kind = table.figures[figure]!;
    const truth: TrueCell[] = truthRows.map((r) => ({
      ...cellOf(r, 'row_key', 'column_key'),
      value: exactValue(r[figure], kind)!,
    }));
    const truthById = new Map(truth.map((c) => [c.id, c]));
    const seen: SeenCell[] = sqlRows.map((r) => ({
      ...cellOf(r, table.row, table.column),
      value: exactValue(r[figure], kind),
    }));
    for (const cell of seen) {
      expect(truthById.has(cell.id), `${v}: ${cell.id} in the marts`).toBe(true);
      if (cell.value !== null)
        expect(cell.value, `${v}.${figure} of ${cell.id}`).toBe(truthById.get(cell.id)!.value);
      else
        expect(reasons.get(cell.id), `${v}: why ${cell.id} is hidden`).toMatch(/^(min_cases|complementary)$/);
    }
    const totals = lineTotals(truth);
    const own = (cells: readonly SeenCell[]) =>
      cells.map((c) => (c.row === member ? { ...c, value: truthById.get(c.id)!.value } : c));
    const hiddenAll = truth.map((c) => ({ ...c, value: null }));
    const primaryOnly = truth.map((c) => ({
      ...c,
      value: reasons.get(c.id) === 'min_cases' ? null : c.value,
    }));
    const beyondTotals = (cells: readonly SeenCell[], byTotals: ReadonlyMap<string, bigint>) => {
      const recovered = recoverHiddenCells(cells, totals);
      for (const [id, value] of recovered)
        expect(value, `${v}.${figure} recovered for ${id}`).toBe(truthById.get(id)!.value);
      return [...recovered.keys()].filter((id) => !byTotals.has(id)).sort();
    };
    const byTotals = recoverHiddenCells(hiddenAll, totals);
    const byTotalsKnowingOwn = recoverHiddenCells(own(hiddenAll), totals);
    expect(beyondTotals(seen, byTotals), `${v}.${figure}: recovered by an outsider`).toEqual([]);
    expect(beyondTotals(own(seen), byTotalsKnowingOwn), `${v}.${figure}: recovered by ${member}`).toEqual([]);
    const suppressedIds = seen.filter((c) => c.value === null).map((c) => c.id);
    byTotalsOutsider = Math.max(byTotalsOutsider, suppressedIds.filter((id) => byTotals.has(id)).length);
    byTotalsOwn = Math.max(
      byTotalsOwn,
      suppressedIds.filter((id) => byTotalsKnowingOwn.has(id) && !id.startsWith(`${member}|`)).length,
    );
    leaksOutsider = Math.max(leaksOutsider, beyondTotals(primaryOnly, byTotals).length);
    leaksOwn = Math.max(leaksOwn, beyondTotals(own(primaryOnly), byTotalsKnowingOwn).length);
  }
  const reasonCount = (reason: string) => [...reasons.values()].filter((r) => r === reason).length;
  return {
    cells: sqlRows.length,
    minCases: reasonCount('min_cases'),
    complementary: reasonCount('complementary'),
    byTotals: [byTotalsOutsider, byTotalsOwn],
    primaryOnlyLeaks: [leaksOutsider, leaksOwn],
  };
}

describe('member row security: generated query shapes through REST, GraphQL and SQL', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let api: CubeApi;
  const logins: Login[] = [];
  const memberLogin = new Map<Hospital, Login>();
  let analystLogin: Login;

  beforeAll(async () => {
    t = await createTestDatabase();
    pool = createPool(t.url, 4);
    await createMarts(t, fixtureRows());
    await secureWarehouse(pool, policy);
    for (const [hospital, suffix] of [
      [hospitalA, 'a'],
      [hospitalB, 'b'],
    ] as const) {
      const login = await createLogin(pool, t, 'member', suffix, hospital);
      logins.push(login);
      memberLogin.set(hospital, login);
    }
    analystLogin = await createLogin(pool, t, 'analyst', 'x');
    logins.push(analystLogin);
    api = await startCube(t, { sharingPolicy: policy });
    await api.cube.refreshPreAggregations(); // as `hdw serve` does after start-up
  });
  afterAll(async () => {
    await api?.close();
    await pool?.end();
    if (t) await closeDeliveries(t);
    await t?.drop();
    await dropLogins(logins);
  });

  it('gives each member login only its own hospital in PostgreSQL, and the shared aggregate suppressed', async () => {
    for (const [hospital, login] of memberLogin) {
      for (const { relation } of views.filter((v) => !v.shared)) {
        const seen = await asLogin(login, (c) => c.query(`select distinct hospital_code from ${relation}`));
        expect(seen.rows, relation).toEqual([{ hospital_code: hospital }]);
      }
      const dims = await asLogin(login, (c) => c.query('select hospital_code from marts.dim_hospitals'));
      expect(dims.rows).toEqual([{ hospital_code: hospital }]);
      const shared = await asLogin(login, (c) =>
        c.query(
          'select count(distinct hospital_code)::int as n, bool_and(line_count >= 10 or is_suppressed) as ok, bool_or(is_suppressed) as some from shared.alliance_charge_benchmark',
        ),
      );
      expect(shared.rows[0]).toEqual({ n: 3, ok: true, some: true });
      for (const forbidden of [
        'select * from ops.exceptions',
        'select * from ops.quarantine',
        'select * from ops.batches',
        'select * from ops.warehouse_logins',
      ]) {
        await expect(
          asLogin(login, (c) => c.query(forbidden)),
          forbidden,
        ).rejects.toThrow(/permission denied/);
      }
      // Nothing a member can set changes whose rows it sees.
      const spoofed = await asLogin(login, async (c) => {
        await c.query(`set application_name = '${hospitalB}'`);
        await c.query('set role hdw_member');
        return c.query('select distinct hospital_code from marts.fct_department_charges_monthly');
      });
      expect(spoofed.rows).toEqual([{ hospital_code: hospital }]);
    }
    const all = await asLogin(analystLogin, (c) =>
      c.query('select count(distinct hospital_code)::int as n from marts.fct_department_charges_monthly'),
    );
    expect(all.rows).toEqual([{ n: 3 }]);
  });

  it('alliance_charge_benchmark (fixture): no suppressed cell can be worked out of line totals, as an outsider or as the member', async () => {
    const seen: Record<string, SuppressionFigures> = {};
    for (const [member, login] of memberLogin) {
      const token = await signToken({ role: 'member', hospital_code: member, alliance_id: alliance }, secret);
      seen[member] = await attackSharedTable(
        sharedSumTables[0]!,
        member,
        token,
        login,
        pool,
        (bearer, query) => post(api.base, '/v1/load', { query }, bearer),
      );
    }
    console.log(`complementary suppression, fixture charge benchmark: ${JSON.stringify(seen)}`);
    expect(seen[hospitalA]!.complementary).toBeGreaterThan(0);
    // Which cells are secondary is as hidden as their figures: no login reads the list itself.
    for (const login of [...memberLogin.values(), analystLogin])
      await expect(
        asLogin(login, (c) => c.query('select * from shared.secondary_suppressions')),
        login.roleName,
      ).rejects.toThrow(/permission denied/);
  });

  for (const [member, seed] of [
    [hospitalA, 11],
    [hospitalB, 29],
  ] as const) {
    it(`${member}: ${shapesPerMember} shapes, no other member's detail, Cube equal to SQL`, async () => {
      const token = await signToken({ role: 'member', hospital_code: member, alliance_id: alliance }, secret);
      const shapes = generateShapes(member, seed, shapesPerMember);
      const login = memberLogin.get(member)!;
      const client = new pg.Client({ connectionString: login.url });
      await client.connect();
      let graphqlAsked = 0;
      try {
        const sqlAnswers: Row[][] = [];
        for (const shape of shapes) {
          const { text, values } = sqlQuery(shape);
          sqlAnswers.push((await client.query(text, values)).rows as Row[]);
        }
        const answers = await mapLimit(shapes, 6, async (shape) => {
          const rest = await post(api.base, '/v1/load', { query: restQuery(shape) }, token);
          const graphql = graphqlQuery(shape);
          const gql = graphql ? await post(api.base, '/graphql', { query: graphql }, token) : undefined;
          return { rest, gql };
        });
        shapes.forEach((shape, index) => {
          const { rest, gql } = answers[index]!;
          const sqlRows = sqlAnswers[index]!;
          const label = `${shape.id} ${JSON.stringify(restQuery(shape))}`;
          expect(rest.status, `${label}: ${JSON.stringify(rest.body)}`).toBe(200);
          const restRows = rest.body.data as Row[];
          const restKey = (name: string, isTime = false) =>
            `${shape.view.name}.${name}${isTime ? `.${shape.time!.granularity}` : ''}`;
          assertNoForeignDetail(shape, restRows, member, restKey);
          expect(canonical(shape, restRows, restKey), label).toEqual(
            canonical(shape, sqlRows, (name) => name),
          );
          if (gql) {
            graphqlAsked += 1;
            expect(gql.body.errors, `${label} (graphql)`).toBeUndefined();
            const data = (gql.body.data as { cube: Array<Record<string, Row>> }).cube.map((entry) => {
              const row = { ...entry[shape.view.name]! };
              if (shape.time?.granularity)
                row[shape.view.time!] = (row[shape.view.time!] as Record<string, unknown>)[
                  shape.time.granularity
                ];
              return row;
            });
            const gqlKey = (name: string) => name;
            assertNoForeignDetail(shape, data, member, gqlKey);
            expect(canonical(shape, data, gqlKey), `${label} (graphql)`).toEqual(
              canonical(shape, sqlRows, (name) => name),
            );
          }
        });
      } finally {
        await client.end();
      }
      // Shapes with a segment or asking raw rows have no GraphQL form; the rest (about 70 %) are asked both ways.
      expect(graphqlAsked).toBeGreaterThanOrEqual(Math.round(0.6 * shapesPerMember));
    }, 300_000);
  }

  it('refuses a member that mixes the shared view with detail, or asks for a cube it cannot be scoped to', async () => {
    const token = await signToken(
      { role: 'member', hospital_code: hospitalA, alliance_id: alliance },
      secret,
    );
    const mixed = await post(
      api.base,
      '/v1/load',
      {
        query: {
          measures: [
            'alliance_charge_benchmark.total_charge_amount',
            'department_charge_analysis.total_charge_amount',
          ],
        },
      },
      token,
    );
    expect(mixed).toEqual({
      status: 403,
      body: { error: 'Forbidden: alliance_charge_benchmark cannot be combined with other views' },
    });
    const sharedMonths = await post(
      api.base,
      '/v1/load',
      {
        query: {
          measures: ['alliance_charge_benchmark.reported_cell_count'],
          timeDimensions: [{ dimension: 'alliance_charge_benchmark.month', granularity: 'month' }],
        },
      },
      token,
    );
    expect((sharedMonths.body.data as Row[]).length).toBe(months.length);
  });
});

// ---------------------------------------------------------------------------------------------
// The DRG/DIP and cost views over the built small demo: each member, through Cube and its own
// PostgreSQL login, sees its own hospital only, whatever it asks for; the shared DRG and unit-cost
// benchmarks show every hospital with suppressed cells empty. Add a view here when you add one.

interface HospitalScopedView {
  readonly name: string;
  /** The mart the view reads, and its SQL twin in the `semantic` schema. */
  readonly relation: string;
  /** A summable measure of the view and the same figure as SQL over the relation. */
  readonly measure: string;
  readonly sql: string;
  /** Dimensions that carry a person only as a SHA-256 key: the ungrouped shape asks for them too. */
  readonly hashedKeys?: readonly string[];
  /** The mart is for stewards only: a member's login is refused it and reads the semantic view. */
  readonly martForStewardsOnly?: boolean;
}

const drgViews: readonly HospitalScopedView[] = [
  {
    name: 'drg_performance',
    relation: 'marts.fct_drg_group_performance',
    measure: 'total_charges',
    sql: 'sum(total_charges)',
    hashedKeys: ['doctor_group_key'],
  },
  {
    name: 'drg_case_detail',
    relation: 'marts.fct_inpatient_cases',
    measure: 'total_charges',
    sql: 'sum(total_charges)',
    hashedKeys: ['doctor_group_key', 'patient_key', 'insured_person_key'],
  },
  {
    name: 'dip_performance',
    relation: 'marts.fct_inpatient_cases',
    measure: 'fund_paid_amount',
    sql: 'sum(fund_paid_amount)',
  },
  // The pre-group comparison (issue 17): the member's own cases whose groups differ from the payer's.
  {
    name: 'drg_group_comparison',
    relation: 'marts.fct_drg_group_disagreements',
    measure: 'total_charges',
    sql: 'sum(total_charges)',
  },
  // The in-stay estimates (issue 17): the member's own stays in bed against their expected group.
  {
    name: 'in_stay_estimates',
    relation: 'marts.fct_inpatient_stay_estimates',
    measure: 'total_charges_to_date',
    sql: 'sum(charges_to_date)',
    hashedKeys: ['patient_key'],
  },
  {
    name: 'drg_value_quadrant',
    relation: 'marts.fct_drg_value_quadrant',
    measure: 'margin_payer_view',
    sql: 'sum(margin_payer_view)',
  },
  {
    name: 'payment_simulation',
    relation: 'marts.fct_payment_simulation',
    measure: 'simulated_payment',
    sql: 'sum(simulated_payment)',
  },
  // The cost views (issue 12): cost detail of the member's own hospital only.
  {
    name: 'service_item_cost',
    relation: 'marts.fct_service_item_costs',
    measure: 'item_cost',
    sql: 'sum(item_cost)',
  },
  {
    name: 'case_cost_analysis',
    relation: 'marts.fct_case_costs',
    measure: 'case_cost',
    sql: 'sum(case_cost)',
  },
  {
    name: 'drg_cost_analysis',
    relation: 'marts.fct_drg_costs',
    measure: 'case_cost',
    sql: 'sum(case_cost)',
  },
  {
    name: 'unit_cost_analysis',
    relation: 'marts.fct_unit_costs',
    measure: 'full_cost',
    sql: 'sum(full_cost)',
  }, // Fund efficiency (issue 14): the member's own fund figures only.
  {
    name: 'fund_efficiency',
    relation: 'marts.fct_fund_indicators',
    measure: 'fund_paid_amount',
    sql: "sum(fund_paid_amount) filter (where aggregation_level = 'department')",
  },
  { name: 'fund_alerts', relation: 'marts.fct_fund_alerts', measure: 'alert_count', sql: 'count(*)' },
  // Fund violation flags (issue 14): the member's own flags, visits and patients as keys only.
  {
    name: 'violation_review',
    relation: 'marts.fct_fund_violation_flags',
    measure: 'total_charges',
    sql: 'sum(total_charges)',
    hashedKeys: ['patient_key', 'visit_key', 'related_visit_key'],
    martForStewardsOnly: true,
  },
  // The peer benchmark (issue 15): a member's own figures beside its pools, from a relation that
  // keeps a member login to its own hospital itself (its per-hospital mart is closed to members).
  // A query naming neither benchmark_dimension nor period_grain reads DRG × year pools (the view's
  // default filters), so its sum is theirs.
  {
    name: 'member_vs_peers',
    relation: 'shared.member_vs_peers',
    measure: 'cases',
    sql: `sum(cases) filter (where benchmark_dimension = 'drg' and period_grain = 'year')`,
  },
  // The cockpit's targets (issue 16): a member reads its own hospital's rows (its own targets and the
  // alliance defaults resolved for it), never another's nor the alliance row (hospital_code *).
  { name: 'kpi_targets', relation: 'marts.dim_kpi_targets', measure: 'target_count', sql: 'count(*)' },
];

describe('member row security on the DRG/DIP and cost views (small demo)', () => {
  let w: DemoWarehouse;
  let pool: pg.Pool;
  let api: CubeApi;
  const logins: Login[] = [];
  const memberLogin = new Map<Hospital, Login>();

  beforeAll(async () => {
    w = await demoWarehouse();
    pool = createPool(w.url, 4);
    await secureWarehouse(pool, policy);
    for (const [hospital, suffix] of [
      [hospitalA, 'a'],
      [hospitalB, 'b'],
    ] as const) {
      const login = await createLogin(pool, w, 'member', suffix, hospital);
      logins.push(login);
      memberLogin.set(hospital, login);
    }
    api = await startCube(w, { sharingPolicy: policy });
  }, 900_000);
  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await w?.drop();
    await dropLogins(logins);
  });

  const load = async (token: string, query: Record<string, unknown>) =>
    post(api.base, '/v1/load', { query }, token);

  for (const view of drgViews)
    it(`${view.name}: a member sees its own hospital only, through Cube and SQL`, async () => {
      for (const [member, login] of memberLogin) {
        const other = member === hospitalA ? hospitalB : hospitalA;
        const token = await signToken(
          { role: 'member', hospital_code: member, alliance_id: alliance },
          secret,
        );
        const own = await pool.query(
          `select ${view.sql} as v from ${view.relation} where hospital_code = $1`,
          [member],
        );
        const m = `${view.name}.${view.measure}`;
        const h = `${view.name}.hospital_code`;
        const shapes: Record<string, unknown>[] = [
          { measures: [m] },
          { measures: [m], dimensions: [h] },
          { measures: [m], filters: [{ member: h, operator: 'equals', values: [other] }] },
          {
            measures: [m],
            filters: [
              {
                or: [
                  { member: h, operator: 'equals', values: [other] },
                  { member: h, operator: 'notEquals', values: [member] },
                ],
              },
            ],
          },
          {
            dimensions: [h, ...(view.hashedKeys ?? []).map((k) => `${view.name}.${k}`)],
            ungrouped: true,
            limit: 50_000,
          },
        ];
        for (const [i, shape] of shapes.entries()) {
          const answer = await load(token, shape);
          expect(answer.status, `${view.name} #${i}`).toBe(200);
          const rows = answer.body.data as Row[];
          for (const row of rows) if (h in row) expect(row[h], `${view.name} #${i}`).toBe(member);
          for (const key of view.hashedKeys ?? [])
            for (const row of rows)
              expect(row[`${view.name}.${key}`] ?? '0'.repeat(64), `${view.name}.${key}`).toMatch(
                /^[0-9a-f]{64}$/,
              );
          // (a member may have no row of a sparse view — a disagreement, a stay in bed — then both are 0)
          if (i < 2)
            expect(toCents(rows.reduce((a, r) => a + Number(r[m] ?? 0), 0))).toBe(toCents(own.rows[0].v ?? 0));
          if (i === 2 || i === 3)
            expect(
              rows.every((r) => r[m] === null || Number(r[m]) === 0),
              `${view.name} #${i}`,
            ).toBe(true);
        }
        if (view.martForStewardsOnly)
          await expect(
            asLogin(login, (c) => c.query(`select 1 from ${view.relation} limit 1`)),
            `${view.relation} as ${member}`,
          ).rejects.toThrow(/permission denied/);
        for (const relation of view.martForStewardsOnly
          ? [`semantic.${view.name}`]
          : [view.relation, `semantic.${view.name}`]) {
          const seen = await asLogin(login, (c) => c.query(`select distinct hospital_code from ${relation}`));
          const ownRows = Number(
            (await pool.query(`select count(*) as n from ${relation} where hospital_code = $1`, [member])).rows[0].n,
          );
          expect(seen.rows, `${relation} as ${member}`).toEqual(ownRows > 0 ? [{ hospital_code: member }] : []);
        }
      }
      // The view holds other hospitals' rows, so the members' own-hospital answers above were filtered.
      const others = await pool.query(
        `select count(distinct hospital_code) as n from ${view.relation} where hospital_code not in ($1, $2)`,
        [hospitalA, hospitalB],
      );
      expect(Number(others.rows[0].n), view.relation).toBeGreaterThan(0);
    });

  it('violation_case_detail: visit ids, line ids and review notes for stewards only', async () => {
    const query = {
      dimensions: ['violation_case_detail.visit_id'],
      measures: ['violation_case_detail.flag_count'],
    };
    for (const claims of [
      { role: 'member' as const, hospital_code: hospitalA, alliance_id: alliance },
      { role: 'analyst' as const, alliance_id: alliance },
    ])
      expect(await load(await signToken(claims, secret), query)).toEqual({
        status: 403,
        body: { error: 'Forbidden: violation_case_detail is for data stewards only' },
      });
    const steward = await load(await signToken({ role: 'steward', alliance_id: alliance }, secret), query);
    expect(steward.status).toBe(200);
    const own = await pool.query('select count(*)::int as n from marts.fct_fund_violation_flags');
    expect(
      (steward.body.data as Row[]).reduce((a, r) => a + Number(r['violation_case_detail.flag_count']), 0),
    ).toBe(own.rows[0].n);
  });

  it('complementary suppression: no suppressed cell of a shared sum table can be worked out of line totals, through Cube or SQL, as an outsider or as the member', async () => {
    const seen: Record<string, SuppressionFigures> = {};
    for (const table of sharedSumTables)
      for (const [member, login] of memberLogin) {
        const token = await signToken(
          { role: 'member', hospital_code: member, alliance_id: alliance },
          secret,
        );
        seen[`${table.view} as ${member}`] = await attackSharedTable(table, member, token, login, pool, load);
      }
    console.log(`complementary suppression, small demo: ${JSON.stringify(seen, null, 1)}`);
    const figures = Object.values(seen);
    // Not vacuous: primary suppression alone would have leaked, and secondary cells were needed.
    expect(figures.some((f) => f.complementary > 0)).toBe(true);
    expect(figures.some((f) => f.primaryOnlyLeaks[0] + f.primaryOnlyLeaks[1] > 0)).toBe(true);
  });

  it('alliance_drg_benchmark: every hospital, cells under the minimum case count without figures, alone only', async () => {
    const token = await signToken(
      { role: 'member', hospital_code: hospitalA, alliance_id: alliance },
      secret,
    );
    const v = 'alliance_drg_benchmark';
    const answer = await load(token, {
      dimensions: [`${v}.hospital_code`, `${v}.drg_code`, `${v}.is_suppressed`],
      measures: [`${v}.case_count`, `${v}.total_weight`, `${v}.margin_payer_view`],
      timeDimensions: [{ dimension: `${v}.month`, granularity: 'month' }],
    });
    expect(answer.status).toBe(200);
    const rows = answer.body.data as Row[];
    expect(new Set(rows.map((r) => r[`${v}.hospital_code`])).size).toBeGreaterThan(2);
    for (const r of rows) {
      if (r[`${v}.is_suppressed`] === true || r[`${v}.is_suppressed`] === 'true')
        for (const figure of ['case_count', 'total_weight', 'margin_payer_view'])
          expect(r[`${v}.${figure}`]).toBeNull();
      else expect(Number(r[`${v}.case_count`])).toBeGreaterThanOrEqual(policy.minCellCases);
    }
    const sql = await asLogin(memberLogin.get(hospitalA)!, (c) =>
      c.query(
        `select count(distinct hospital_code)::int as n, bool_and(case_count >= ${policy.minCellCases} or (is_suppressed and case_count is null and margin_payer_view is null)) as ok from shared.${v}`,
      ),
    );
    expect(sql.rows[0].n).toBeGreaterThan(2);
    expect(sql.rows[0].ok).toBe(true);
    const mixed = await load(token, { measures: [`${v}.case_count`, 'drg_performance.case_count'] });
    expect(mixed).toEqual({
      status: 403,
      body: { error: `Forbidden: ${v} cannot be combined with other views` },
    });
  });
  it('alliance_unit_cost_benchmark: every hospital, rows under the minimum volume without figures, Cube equal to SQL, alone only', async () => {
    const token = await signToken(
      { role: 'member', hospital_code: hospitalA, alliance_id: alliance },
      secret,
    );
    const v = 'alliance_unit_cost_benchmark';
    const k = policy.minCellCases;
    const keys = ['hospital_code', 'std_dept_code', 'visit_type', 'is_suppressed'];
    const answer = await load(token, {
      dimensions: keys.map((d) => `${v}.${d}`),
      measures: [`${v}.service_cost`, `${v}.service_volume`, `${v}.unit_cost`],
      timeDimensions: [{ dimension: `${v}.cost_month`, granularity: 'month' }],
      limit: 50_000,
    });
    expect(answer.status).toBe(200);
    const cubeRows = answer.body.data as Row[];
    const line = (r: Row, key: (name: string) => string) =>
      [
        ...keys.map((d) => String(r[key(d)])),
        String(r[key('cost_month')]).slice(0, 10),
        r[key('service_cost')] === null ? '∅' : String(toCents(r[key('service_cost')])),
        r[key('service_volume')] === null ? '∅' : String(Number(r[key('service_volume')])),
        r[key('unit_cost')] === null ? '∅' : Number(r[key('unit_cost')]).toFixed(6),
      ].join(' | ');
    // The same question through the member's own PostgreSQL login.
    const sqlRows = await asLogin(memberLogin.get(hospitalA)!, (c) =>
      c.query(
        `select hospital_code, std_dept_code, visit_type, is_suppressed,
           to_char(cost_month, 'YYYY-MM-DD') as cost_month, sum(service_cost) as service_cost,
           sum(service_volume) as service_volume, sum(service_cost) / nullif(sum(service_volume), 0) as unit_cost
         from shared.${v} group by 1, 2, 3, 4, 5`,
      ),
    );
    expect(
      cubeRows.map((r) => line(r, (d) => (d === 'cost_month' ? `${v}.${d}.month` : `${v}.${d}`))).sort(),
    ).toEqual((sqlRows.rows as Row[]).map((r) => line(r, (d) => d)).sort());
    expect(new Set(cubeRows.map((r) => r[`${v}.hospital_code`])).size).toBeGreaterThan(2);
    const suppressed = cubeRows.filter(
      (r) => r[`${v}.is_suppressed`] === true || r[`${v}.is_suppressed`] === 'true',
    );
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.length).toBeLessThan(cubeRows.length);
    for (const r of suppressed)
      for (const figure of ['service_cost', 'service_volume', 'unit_cost'])
        expect(r[`${v}.${figure}`]).toBeNull();
    for (const r of cubeRows.filter((row) => !suppressed.includes(row)))
      expect(Number(r[`${v}.service_volume`])).toBeGreaterThanOrEqual(k);
    // 诊次成本 and 床日成本 per hospital and year, Cube against SQL.
    const perHospital = await load(token, {
      dimensions: [`${v}.hospital_code`],
      measures: [`${v}.cost_per_visit`, `${v}.cost_per_bed_day`],
    });
    const perHospitalSql = await asLogin(memberLogin.get(hospitalA)!, (c) =>
      c.query(
        `select hospital_code,
           sum(service_cost) filter (where visit_type = 'outpatient') / nullif(sum(service_volume) filter (where visit_type = 'outpatient'), 0) as cost_per_visit,
           sum(service_cost) filter (where visit_type = 'inpatient') / nullif(sum(service_volume) filter (where visit_type = 'inpatient'), 0) as cost_per_bed_day
         from shared.${v} group by 1`,
      ),
    );
    const ratio = (value: unknown) => (value === null ? '∅' : Number(value).toFixed(6));
    expect(
      (perHospital.body.data as Row[])
        .map(
          (r) =>
            `${r[`${v}.hospital_code`]} ${ratio(r[`${v}.cost_per_visit`])} ${ratio(r[`${v}.cost_per_bed_day`])}`,
        )
        .sort(),
    ).toEqual(
      (perHospitalSql.rows as Row[])
        .map((r) => `${r.hospital_code} ${ratio(r.cost_per_visit)} ${ratio(r.cost_per_bed_day)}`)
        .sort(),
    );
    // A published row equals its hospital's departments of that standard department in the mart.
    // (Rows suppressed to protect a small one, complementary suppression, are left out here.)
    const mart = await pool.query(
      `select u.hospital_code, u.std_dept_code, u.cost_month, sum(u.outpatient_full_cost)::text as cost,
         sum(u.outpatient_visits)::int as visits
       from marts.fct_unit_costs u
       where (u.hospital_code, u.std_dept_code, u.cost_month) not in (
         select hospital_code, std_dept_code, cost_month from shared.${v}
         where visit_type = 'outpatient' and suppression_reason = 'complementary')
       group by 1, 2, 3 having sum(u.outpatient_visits) >= $1 limit 5`,
      [k],
    );
    expect(mart.rows.length).toBeGreaterThan(0);
    for (const m of mart.rows) {
      const { rows } = await pool.query(
        `select service_cost::text as cost, service_volume::int as visits, is_suppressed from shared.${v}
         where hospital_code = $1 and std_dept_code = $2 and cost_month = $3 and visit_type = 'outpatient'`,
        [m.hospital_code, m.std_dept_code, m.cost_month],
      );
      expect(rows).toEqual([{ cost: m.cost, visits: m.visits, is_suppressed: false }]);
    }
    const mixed = await load(token, {
      measures: [`${v}.cost_per_visit`, 'unit_cost_analysis.cost_per_visit'],
    });
    expect(mixed).toEqual({
      status: 403,
      body: { error: `Forbidden: ${v} cannot be combined with other views` },
    });
  });
  it('alliance_fund_benchmark: every hospital, rows under the minimum count without figures, Cube equal to SQL, alone only', async () => {
    const token = await signToken(
      { role: 'member', hospital_code: hospitalA, alliance_id: alliance },
      secret,
    );
    const v = 'alliance_fund_benchmark';
    const k = policy.minCellCases;
    const keys = ['hospital_code', 'visit_type', 'is_suppressed'];
    const figures = [
      'case_count',
      'outpatient_visits',
      'outpatient_charges',
      'discharges',
      'discharged_total_charges',
      'discharged_bed_days',
      'fund_standard_amount',
      'fund_actual_amount',
    ];
    const answer = await load(token, {
      dimensions: keys.map((d) => `${v}.${d}`),
      measures: figures.map((f) => `${v}.${f}`),
      timeDimensions: [{ dimension: `${v}.month`, granularity: 'month' }],
      limit: 50_000,
    });
    expect(answer.status).toBe(200);
    const cubeRows = answer.body.data as Row[];
    const line = (r: Row, key: (name: string) => string) =>
      [
        ...keys.map((d) => String(r[key(d)])),
        String(r[key('month')]).slice(0, 10),
        ...figures.map((f) => (r[key(f)] === null ? '∅' : String(toCents(r[key(f)])))),
      ].join(' | ');
    // The same question through the member's own PostgreSQL login.
    const sqlRows = await asLogin(memberLogin.get(hospitalA)!, (c) =>
      c.query(
        `select hospital_code, visit_type, is_suppressed, to_char(month, 'YYYY-MM-DD') as month,
           ${figures.map((f) => `sum(${f}) as ${f}`).join(', ')}
         from shared.${v} group by 1, 2, 3, 4`,
      ),
    );
    expect(cubeRows.length).toBeGreaterThan(0);
    expect(
      cubeRows.map((r) => line(r, (d) => (d === 'month' ? `${v}.${d}.month` : `${v}.${d}`))).sort(),
    ).toEqual((sqlRows.rows as Row[]).map((r) => line(r, (d) => d)).sort());
    expect(new Set(cubeRows.map((r) => r[`${v}.hospital_code`])).size).toBeGreaterThan(2);
    const suppressed = cubeRows.filter(
      (r) => r[`${v}.is_suppressed`] === true || r[`${v}.is_suppressed`] === 'true',
    );
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.length).toBeLessThan(cubeRows.length);
    for (const r of suppressed) for (const figure of figures) expect(r[`${v}.${figure}`]).toBeNull();
    for (const r of cubeRows.filter((row) => !suppressed.includes(row)))
      expect(Number(r[`${v}.case_count`])).toBeGreaterThanOrEqual(k);
    // The fund-balance pair is over settled discharges: shown only where the declared settlement
    // lists reach the minimum too (and shown somewhere).
    const fundPair = await pool.query(
      `select count(*) filter (where f.declared_case_count < $1 and s.fund_standard_amount is not null)::int as leaked,
         count(*) filter (where s.fund_standard_amount is not null and s.fund_actual_amount is not null)::int as shown
       from shared.${v} s
       join marts.fct_fund_indicators f
         on f.aggregation_level = 'hospital' and f.hospital_code = s.hospital_code and f.month = s.month
       where s.visit_type = 'inpatient'`,
      [k],
    );
    expect(fundPair.rows[0]).toMatchObject({ leaked: 0 });
    expect(fundPair.rows[0].shown).toBeGreaterThan(0);
    // 次均费用, 平均住院日 and 基金结余率 per hospital, Cube against SQL.
    const ratios = [
      'avg_inpatient_charge',
      'avg_outpatient_charge',
      'avg_length_of_stay_days',
      'fund_balance_rate',
    ];
    const perHospital = await load(token, {
      dimensions: [`${v}.hospital_code`],
      measures: ratios.map((m) => `${v}.${m}`),
    });
    expect(perHospital.status).toBe(200);
    const perHospitalSql = await asLogin(memberLogin.get(hospitalA)!, (c) =>
      c.query(
        `select hospital_code,
           sum(discharged_total_charges) / nullif(sum(discharges), 0) as avg_inpatient_charge,
           sum(outpatient_charges) / nullif(sum(outpatient_visits), 0) as avg_outpatient_charge,
           sum(discharged_bed_days)::numeric / nullif(sum(discharges), 0) as avg_length_of_stay_days,
           sum(fund_standard_amount - fund_actual_amount) / nullif(sum(fund_standard_amount), 0) as fund_balance_rate
         from shared.${v} group by 1`,
      ),
    );
    const ratio = (value: unknown) => (value === null ? '∅' : Number(value).toFixed(6));
    expect(
      (perHospital.body.data as Row[])
        .map((r) => [r[`${v}.hospital_code`], ...ratios.map((m) => ratio(r[`${v}.${m}`]))].join(' '))
        .sort(),
    ).toEqual(
      (perHospitalSql.rows as Row[])
        .map((r) => [r.hospital_code, ...ratios.map((m) => ratio(r[m]))].join(' '))
        .sort(),
    );
    expect((perHospital.body.data as Row[]).some((r) => r[`${v}.avg_inpatient_charge`] !== null)).toBe(true);
    // Independently of the shared relation: an unsuppressed hospital-month's 住院次均费用 is the
    // fund mart's own hospital row.
    const mart = await pool.query(
      `select hospital_code, to_char(month, 'YYYY-MM-DD') as month, avg_inpatient_charge::text as avg
       from marts.fct_fund_indicators
       where aggregation_level = 'hospital' and discharges >= $1
       order by hospital_code, month limit 3`,
      [k],
    );
    expect(mart.rows.length).toBeGreaterThan(0);
    for (const m of mart.rows) {
      const one = await load(token, {
        measures: [`${v}.avg_inpatient_charge`],
        filters: [{ member: `${v}.hospital_code`, operator: 'equals', values: [m.hospital_code] }],
        timeDimensions: [{ dimension: `${v}.month`, dateRange: [m.month, m.month] }],
      });
      expect(one.status).toBe(200);
      const value = (one.body.data as Row[])[0]?.[`${v}.avg_inpatient_charge`];
      expect(Math.abs(Number(value) - Number(m.avg)), `${m.hospital_code} ${m.month}`).toBeLessThanOrEqual(
        0.005 + 1e-9,
      );
    }
    const mixed = await load(token, {
      measures: [`${v}.avg_inpatient_charge`, 'fund_efficiency.avg_inpatient_charge'],
    });
    expect(mixed).toEqual({
      status: 403,
      body: { error: `Forbidden: ${v} cannot be combined with other views` },
    });
  });
  it('regional_benchmark: analysts and managers see every hospital; members are refused through Cube and SQL, and see small pools suppressed in member_vs_peers', async () => {
    const v = 'regional_benchmark';
    // A query naming neither benchmark_dimension nor period_grain reads DRG × year pools only (the
    // views' default filters); naming them reads every pool (病种, department, monthly too).
    const drgYear = `benchmark_dimension = 'drg' and period_grain = 'year'`;
    const total = await pool.query(
      `select count(*) filter (where ${drgYear})::int as n, count(*)::int as every,
              count(distinct hospital_code)::int as h from marts.fct_benchmark_peer_members`,
    );
    expect(total.rows[0].every).toBeGreaterThan(total.rows[0].n);
    const query = { dimensions: [`${v}.hospital_code`], measures: [`${v}.position_count`] };
    const everyPool = {
      dimensions: [`${v}.hospital_code`, `${v}.benchmark_dimension`, `${v}.period_grain`],
      measures: [`${v}.position_count`],
    };
    for (const role of ['analyst', 'manager'] as const) {
      const token = await signToken({ role, alliance_id: alliance }, secret);
      const answer = await load(token, query);
      expect(answer.status, role).toBe(200);
      const rows = answer.body.data as Row[];
      expect(rows.length, role).toBe(total.rows[0].h);
      expect(
        rows.reduce((a, r) => a + Number(r[`${v}.position_count`]), 0),
        role,
      ).toBe(total.rows[0].n);
      const every = (await load(token, everyPool)).body.data as Row[];
      expect(new Set(every.map((r) => r[`${v}.benchmark_dimension`])), role).toEqual(
        new Set(['drg', 'disease', 'department']),
      );
      expect(
        every.reduce((a, r) => a + Number(r[`${v}.position_count`]), 0),
        role,
      ).toBe(total.rows[0].every);
    }
    // The overview per hospital, year and measure (DRG groups in the best quartile, yearly pools)
    // comes from the rollup.
    const overview = {
      dimensions: [`${v}.hospital_code`, `${v}.year`, `${v}.measure`],
      measures: [`${v}.best_quartile_count`, `${v}.position_count`],
    };
    const analystToken = await signToken({ role: 'analyst', alliance_id: alliance }, secret);
    const plan = await post(api.base, '/v1/sql', { query: overview }, analystToken);
    expect(plan.status).toBe(200);
    expect((plan.body.sql as { sql: [string] }).sql[0]).toMatch(
      /FROM cube_pre_aggregations\.peer_member_positions_by_hospital/,
    );
    const best = await load(analystToken, overview);
    expect(best.status).toBe(200);
    const bestSql = await pool.query(
      `select hospital_code, year, measure, count(*) filter (where gap_to_best_quartile <= 0)::int as best, count(*)::int as n
       from marts.fct_benchmark_peer_members where ${drgYear} group by 1, 2, 3`,
    );
    expect(
      (best.body.data as Row[])
        .map((r) =>
          [
            r[`${v}.hospital_code`],
            Number(r[`${v}.year`]),
            r[`${v}.measure`],
            Number(r[`${v}.best_quartile_count`]),
            Number(r[`${v}.position_count`]),
          ].join(' '),
        )
        .sort(),
    ).toEqual(
      (bestSql.rows as Row[]).map((r) => [r.hospital_code, r.year, r.measure, r.best, r.n].join(' ')).sort(),
    );
    const manager = await createLogin(pool, w, 'manager', 'rm');
    logins.push(manager);
    const seen = await asLogin(manager, (c) =>
      c.query(`select count(distinct hospital_code)::int as h from semantic.${v}`),
    );
    expect(seen.rows[0].h).toBe(total.rows[0].h);
    for (const [member, login] of memberLogin) {
      const token = await signToken({ role: 'member', hospital_code: member, alliance_id: alliance }, secret);
      for (const shape of [
        query,
        { measures: [`${v}.position_count`] },
        {
          measures: [`${v}.cases`],
          filters: [{ member: `${v}.hospital_code`, operator: 'equals', values: [member] }],
        },
        { dimensions: [`${v}.hospital_code`, `${v}.value`], ungrouped: true },
      ])
        expect(await load(token, shape)).toEqual({
          status: 403,
          body: { error: `Forbidden: ${v} is not for members, query member_vs_peers instead` },
        });
      for (const relation of [
        `semantic.${v}`,
        'marts.fct_benchmark_peer_members',
        'marts.fct_benchmark_peer_groups',
      ])
        await expect(
          asLogin(login, (c) => c.query(`select count(*) from ${relation}`)),
          relation,
        ).rejects.toThrow(/permission denied/);
      // member_vs_peers through Cube equals the member's own login on shared.member_vs_peers; a pool
      // under the policy's minimum hospitals or cases shows no statistics (level 3 has two hospitals).
      const m = 'member_vs_peers';
      const keys = [
        'benchmark_member_id',
        'is_suppressed',
        'value',
        'p25',
        'p50',
        'pool_rank',
        'gap_to_best_quartile',
      ];
      // Naming the dimension and the grain reads every pool (no default filter), as the SQL does.
      const answer = await load(token, {
        dimensions: [...keys, 'benchmark_dimension', 'period_grain'].map((k) => `${m}.${k}`),
        limit: 50_000,
      });
      expect(answer.status).toBe(200);
      const num = (x: unknown) => (x === null ? '∅' : Number(x).toFixed(4));
      const line = (r: Row, key: (k: string) => string) =>
        [
          String(r[key('benchmark_member_id')]),
          String(r[key('is_suppressed')]),
          ...keys.slice(2).map((k) => num(r[key(k)])),
        ].join(' | ');
      const sqlRows = await asLogin(login, (c) => c.query(`select ${keys.join(', ')} from shared.${m}`));
      const cubeLines = (answer.body.data as Row[]).map((r) => line(r, (k) => `${m}.${k}`)).sort();
      expect(cubeLines).toEqual((sqlRows.rows as Row[]).map((r) => line(r, (k) => k)).sort());
      expect(cubeLines.length).toBeGreaterThan(0);
      const shown = (sqlRows.rows as Row[]).filter((r) => r.is_suppressed === false);
      for (const r of sqlRows.rows as Row[])
        if (r.is_suppressed)
          for (const k of keys.slice(3)) expect(r[k], `${r.benchmark_member_id} ${k}`).toBeNull();
      if (member === hospitalA) expect(shown.length).toBe(0);
      else expect(shown.length).toBeGreaterThan(0);
    }
  });
  it('external_benchmark: analysts and managers read the published pools; a member is refused through Cube and SQL', async () => {
    const v = 'external_benchmark';
    // Two pools of a published table (the demo delivers none), written as the mart holds them.
    await pool.query(
      `insert into marts.fct_benchmark_external_distribution
         (benchmark_distribution_id, published_table, publisher_code, period, group_code, group_name, region_level,
          region, measure, provider_count, cases, weighted_mean, p10, p25, p50, p75, p90)
       values ('t|2011|039|region|AL|mean_charge', 't', 'P840000', '2011', '039', 'G', 'region', 'AL', 'mean_charge',
               4, 10, 34, 13, 17.5, 25, 32.5, 37),
              ('t|2011|039|region|AK|mean_charge', 't', 'P840000', '2011', '039', 'G', 'region', 'AK', 'mean_charge',
               2, 7, 20, 11, 12.5, 15, 17.5, 19)`,
    );
    const query = {
      dimensions: [`${v}.region`, `${v}.p50`],
      measures: [`${v}.provider_count`, `${v}.cases`],
    };
    for (const role of ['analyst', 'manager'] as const) {
      const answer = await load(await signToken({ role, alliance_id: alliance }, secret), query);
      expect(answer.status, role).toBe(200);
      expect(
        (answer.body.data as Row[])
          .map((r) => `${r[`${v}.region`]} ${Number(r[`${v}.p50`])} ${r[`${v}.cases`]}`)
          .sort(),
        role,
      ).toEqual(['AK 15 7', 'AL 25 10']);
    }
    const manager = await createLogin(pool, w, 'manager', 'xm');
    logins.push(manager);
    const seen = await asLogin(manager, (c) =>
      c.query(`select region, sum(cases)::int as cases from semantic.${v} group by 1 order by 1`),
    );
    expect(seen.rows).toEqual([
      { region: 'AK', cases: 7 },
      { region: 'AL', cases: 10 },
    ]);
    for (const [member, login] of memberLogin) {
      const token = await signToken({ role: 'member', hospital_code: member, alliance_id: alliance }, secret);
      for (const shape of [
        query,
        { measures: [`${v}.pool_count`] },
        { dimensions: [`${v}.region`], ungrouped: true },
      ])
        expect(await load(token, shape)).toEqual({
          status: 403,
          body: { error: `Forbidden: ${v} cannot be limited to one hospital` },
        });
      for (const relation of [`semantic.${v}`, 'marts.fct_benchmark_external_distribution'])
        await expect(
          asLogin(login, (c) => c.query(`select count(*) from ${relation}`)),
          relation,
        ).rejects.toThrow(/permission denied/);
    }
  });
});
