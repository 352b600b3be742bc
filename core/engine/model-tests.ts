import type { CompiledDataTest, CompiledModel, CompiledProject, CompiledUnitTest } from './compile-models.ts';
import {
  primaryKeyOf,
  type ColumnTest,
  type ColumnTestWithSeverity,
  type Severity,
} from './model-definition.ts';

export type TestType =
  | 'unique'
  | 'not_null'
  | 'accepted_values'
  | 'relationships'
  | 'expression'
  | 'unique_combination'
  | 'data'
  | 'unit';

/**
 * One test of the project, in one shape for the runner, the manifest, the docs and the dbt export:
 * a generic test on a column or model, a custom SQL test, or a model unit test.
 */
export interface ModelTestCase {
  /** The model it is reported under (a custom test reading only seeds or sources has none). */
  readonly model?: string;
  /** For people: `not_null(amount)`, `primary_key(a, b)`. */
  readonly name: string;
  /** Unique across the project, dbt style: `not_null_fct_x_amount`. */
  readonly id: string;
  readonly type: TestType;
  /** `error` (default) blocks publication when it fails; `warn` is reported and the run publishes. */
  readonly severity: Severity;
  readonly column?: string;
  /** The generic test's arguments, as dbt names them (`values`; `to`, `field`; `expression`; `columns`). */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Models and seeds it reads. */
  readonly dependsOn: readonly string[];
  /** A query returning the failing rows (not for unit tests). */
  readonly failing?: string;
  /**
   * For a test whose failing rows are one relation's rows meeting a condition (`failing` is
   * `select * from relation where condition`): the runner checks all such tests of a relation in
   * one scan.
   */
  readonly scan?: { readonly relation: string; readonly condition: string };
  readonly unit?: CompiledUnitTest;
  readonly dataTest?: CompiledDataTest;
}

/** A column test and its severity, whichever way the model wrote it. */
export function unwrapColumnTest(test: ColumnTest | ColumnTestWithSeverity): {
  test: ColumnTest;
  severity: Severity;
} {
  return typeof test === 'object' && 'severity' in test && 'test' in test
    ? { test: test.test, severity: test.severity }
    : { test: test as ColumnTest, severity: 'error' };
}

/**
 * Every test of the project: primary keys, column and model tests, custom SQL tests and unit tests.
 * `relationOf` overrides where a model is read (the audit area of a run); `retarget` rewrites a
 * custom SQL test's compiled text the same way.
 */
export function testCasesOf(
  project: CompiledProject,
  relationOf?: (model: string) => string | undefined,
  retarget: (sql: string) => string = (text) => text,
): ModelTestCase[] {
  const relations = new Map([
    ...project.seeds.map((seed): [string, string] => [seed, `ref.${seed}`]),
    ...project.models.map((m): [string, string] => [
      m.definition.name,
      relationOf?.(m.definition.name) ?? m.relation,
    ]),
  ]);
  const cases: ModelTestCase[] = [];
  const ids = new Set<string>();
  const add = (test: Omit<ModelTestCase, 'id'> & { id: string }) => {
    let id = test.id.replace(/[^\w]+/g, '_');
    for (let n = 2; ids.has(id); n++) id = `${test.id}_${n}`;
    ids.add(id);
    cases.push({ ...test, id });
  };
  for (const model of project.models) {
    if (model.definition.materialized === 'ephemeral') continue;
    for (const test of testsOfModel({ ...model, relation: relations.get(model.definition.name)! }, relations))
      add(test);
  }
  for (const test of project.dataTests) {
    add({
      model: test.model,
      name: test.name,
      id: test.name,
      type: 'data',
      severity: test.severity,
      kwargs: {},
      dependsOn: test.refs,
      failing: retarget(test.sql),
      dataTest: test,
    });
  }
  return cases;
}

function testsOfModel(
  model: CompiledModel,
  relations: ReadonlyMap<string, string>,
): (Omit<ModelTestCase, 'id'> & { id: string })[] {
  const { relation, definition } = model;
  const name = definition.name;
  const tests: (Omit<ModelTestCase, 'id'> & { id: string })[] = [];
  const key = primaryKeyOf(definition);
  const declared = (column: string, test: ColumnTest) =>
    (definition.columns[column]?.tests ?? []).some((t) => unwrapColumnTest(t).test === test);
  if (key.length === 1) {
    const column = key[0]!;
    if (!declared(column, 'unique')) tests.push(columnTest(model, column, 'unique', relations));
    if (!declared(column, 'not_null')) tests.push(columnTest(model, column, 'not_null', relations));
  } else if (key.length > 1) {
    tests.push({
      model: name,
      name: `primary_key(${key.join(', ')})`,
      id: `unique_combination_${name}_${key.join('_')}`,
      type: 'unique_combination',
      severity: 'error',
      kwargs: { columns: key },
      dependsOn: [name],
      failing: `select ${key.join(', ')}, count(*) as n from ${relation} group by ${key.join(', ')}
                having count(*) > 1 or ${key.map((k) => `${k} is null`).join(' or ')}`,
    });
  }
  for (const [column, spec] of Object.entries(definition.columns)) {
    for (const declared of spec.tests ?? []) {
      const { test, severity } = unwrapColumnTest(declared);
      tests.push({ ...columnTest(model, column, test, relations), severity });
    }
  }
  for (const test of definition.tests ?? []) {
    tests.push({
      model: name,
      name: `expression(${test.name})`,
      id: `expression_${name}_${test.name}`,
      type: 'expression',
      severity: test.severity ?? 'error',
      kwargs: { expression: test.expression },
      dependsOn: [name],
      ...rowsWhere(relation, `not (${test.expression})`),
    });
  }
  for (const unit of model.unitTests) {
    tests.push({
      model: name,
      name: `unit(${unit.name})`,
      id: `unit_${name}_${unit.name}`,
      type: 'unit',
      severity: 'error',
      kwargs: {},
      dependsOn: [],
      unit,
    });
  }
  return tests;
}

function columnTest(
  model: CompiledModel,
  column: string,
  test: ColumnTest,
  relations: ReadonlyMap<string, string>,
): Omit<ModelTestCase, 'id'> & { id: string } {
  const { relation } = model;
  const name = model.definition.name;
  const base = { model: name, column, dependsOn: [name], severity: 'error' as Severity };
  if (test === 'not_null') {
    return {
      ...base,
      name: `not_null(${column})`,
      id: `not_null_${name}_${column}`,
      type: 'not_null',
      kwargs: {},
      ...rowsWhere(relation, `${column} is null`),
    };
  }
  if (test === 'unique') {
    return {
      ...base,
      name: `unique(${column})`,
      id: `unique_${name}_${column}`,
      type: 'unique',
      kwargs: {},
      failing: `select ${column}, count(*) as n from ${relation} where ${column} is not null group by ${column} having count(*) > 1`,
    };
  }
  if ('accepted_values' in test) {
    const list = test.accepted_values.map((v) => `'${String(v).replaceAll("'", "''")}'`).join(', ');
    return {
      ...base,
      name: `accepted_values(${column})`,
      id: `accepted_values_${name}_${column}`,
      type: 'accepted_values',
      kwargs: { values: test.accepted_values },
      ...rowsWhere(relation, `${column} is not null and ${column}::text not in (${list})`),
    };
  }
  if ('expression' in test) {
    return {
      ...base,
      name: `expression(${column}: ${test.expression})`,
      id: `expression_${name}_${column}`,
      type: 'expression',
      kwargs: { expression: test.expression },
      ...rowsWhere(relation, `not (${test.expression})`),
    };
  }
  const { to, field } = test.relationships;
  return {
    ...base,
    dependsOn: [name, to],
    name: `relationships(${column} → ${to}.${field})`,
    id: `relationships_${name}_${column}__${to}`,
    type: 'relationships',
    kwargs: { to, field },
    failing: `select c.* from ${relation} c where c.${column} is not null
              and not exists (select 1 from ${relations.get(to) ?? to} p where p.${field} = c.${column})`,
  };
}

/** A test failing on the rows of `relation` that meet `condition`. */
function rowsWhere(relation: string, condition: string): Pick<ModelTestCase, 'failing' | 'scan'> {
  return { failing: `select * from ${relation} where ${condition}`, scan: { relation, condition } };
}
