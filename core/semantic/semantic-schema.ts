import { loadDefinitions, type CompileProblem } from '../engine/load-definitions.ts';
import { projectPaths } from '../paths.ts';
import { shareableViews } from '../security/sharing-policy.ts';
import {
  readCubeModel,
  resolveCubeModel,
  type CubeEntry,
  type CubeMember,
  type CubeModelFile,
} from './cube-model.ts';

/** A column of a `semantic` view and its Chinese comment. */
export interface SemanticColumn {
  readonly name: string;
  readonly comment: string;
}

/**
 * A view of the `semantic` schema: the SQL twin of one Cube view, for BI tools that speak SQL.
 * Same name as the Cube view, one column per dimension and per additive measure (sums and counts,
 * grouped at the view's grain so that `sum()` over any grouping is right), ratios as their numerator
 * and denominator columns with the formula in the comments.
 */
export interface SemanticView {
  readonly name: string;
  /** The relation it reads, e.g. `marts.fct_department_charges_monthly`; skipped while missing. */
  readonly source: string;
  /** The select, reading the source as `t`; `{{scope}}` stands where the row filter goes. */
  readonly select: string;
  readonly comment: string;
  readonly columns: readonly SemanticColumn[];
  /** Has `hospital_code` and reads hospital rows (not a shared aggregate): members see their own. */
  readonly hospitalScoped: boolean;
  /** A member is marked `meta: { access: steward }` (exception detail): stewards only. */
  readonly stewardOnly: boolean;
  /**
   * A member is marked `meta: { access: staff }` (every hospital's position among its peers):
   * analysts, managers and stewards only, never a member login, not even for its own rows.
   */
  readonly staffOnly: boolean;
}

const identifier = /^[a-z_][a-z0-9_]*$/i;
const ratioPattern =
  /^\s*\{([a-z_][a-z0-9_]*)\}(?:::numeric)?\s*\/\s*NULLIF\(\s*\{([a-z_][a-z0-9_]*)\}\s*,\s*0\s*\)\s*$/i;

/** A cube member's SQL over the source aliased `t`; undefined when it refers to other members. */
function columnExpression(sql: string | undefined, name: string): string | undefined {
  const text = (sql ?? name).trim();
  if (identifier.test(text)) return `t.${text}`;
  const replaced = text.replaceAll('{CUBE}', 't');
  return /\{/.test(replaced) ? undefined : `(${replaced})`;
}

type Additive = { readonly kind: 'additive'; readonly sql: string };
type Ratio = { readonly kind: 'ratio'; readonly numerator: string; readonly denominator: string };

/** How a cube measure maps to SQL: an additive aggregate, a ratio of two measures, or neither. */
function measureShape(measure: CubeMember): Additive | Ratio | undefined {
  const filters = (measure.filters ?? []).map((f) => columnExpression(f.sql, ''));
  if (filters.some((f) => f === undefined)) return undefined;
  const filter = filters.length > 0 ? ` filter (where ${filters.join(' and ')})` : '';
  if (measure.type === 'sum') {
    const expression = columnExpression(measure.sql, measure.name);
    return expression ? { kind: 'additive', sql: `sum(${expression})${filter}` } : undefined;
  }
  if (measure.type === 'count') {
    const expression = measure.sql ? columnExpression(measure.sql, measure.name) : '*';
    return expression ? { kind: 'additive', sql: `count(${expression})${filter}` } : undefined;
  }
  const ratio = ratioPattern.exec(measure.sql ?? '');
  if (measure.type === 'number' && ratio)
    return { kind: 'ratio', numerator: ratio[1]!, denominator: ratio[2]! };
  return undefined;
}

function referenceOf(member: CubeMember): { readonly cube: string; readonly member: string } | undefined {
  const match = /^\s*\{([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}\s*$/i.exec(member.sql ?? '');
  return match ? { cube: match[1]!, member: match[2]! } : undefined;
}

function label(member: CubeMember): string {
  return [member.title, member.description].filter(Boolean).join('：');
}

/**
 * The `semantic` views of a resolved Cube data model (see resolveCubeModel): one per Cube view
 * whose members all come from one cube over a table or a SQL query. Views joining several cubes
 * are left out (none today). Segments and non-additive measures have no column.
 */
export function semanticViewsOf(files: readonly CubeModelFile[]): SemanticView[] {
  const cubes = new Map<string, CubeEntry>(files.flatMap((f) => f.cubes.map((c) => [c.name, c] as const)));
  const out: SemanticView[] = [];
  for (const view of files.flatMap((f) => f.views)) {
    const members = [...(view.dimensions ?? []), ...(view.measures ?? [])];
    const cubeNames = new Set(members.map((m) => referenceOf(m)?.cube));
    const cubeName = [...cubeNames][0];
    const cube = cubeName === undefined ? undefined : cubes.get(cubeName);
    if (cubeNames.size !== 1 || !cube || (!cube.sql_table && !cube.sql)) continue;
    const cubeMember = (name: string, list: readonly CubeMember[] | undefined) =>
      list?.find((m) => m.name === name);

    const dimensions: Array<{ name: string; sql: string; comment: string }> = [];
    for (const member of view.dimensions ?? []) {
      const source = cubeMember(referenceOf(member)!.member, cube.dimensions);
      const sql = source && columnExpression(source.sql, source.name);
      if (sql) dimensions.push({ name: member.name, sql, comment: label(member) });
    }
    const measures: Array<{ name: string; sql: string; cubeMember: string; member: CubeMember }> = [];
    const ratios: Array<{ member: CubeMember; numerator: string; denominator: string }> = [];
    for (const member of view.measures ?? []) {
      const name = referenceOf(member)!.member;
      const source = cubeMember(name, cube.measures);
      const shape = source && measureShape(source);
      if (shape?.kind === 'additive')
        measures.push({ name: member.name, sql: shape.sql, cubeMember: name, member });
      if (shape?.kind === 'ratio') ratios.push({ member, ...shape });
    }
    const formulas = new Map<string, string[]>();
    const ratioLines: string[] = [];
    for (const ratio of ratios) {
      const numerator = measures.find((m) => m.cubeMember === ratio.numerator)?.name;
      const denominator = measures.find((m) => m.cubeMember === ratio.denominator)?.name;
      if (!numerator || !denominator) continue;
      const formula = `${ratio.member.title ?? ratio.member.name}（${ratio.member.name}）= sum(${numerator}) / nullif(sum(${denominator}), 0)`;
      ratioLines.push(formula);
      for (const column of [numerator, denominator])
        formulas.set(column, [...(formulas.get(column) ?? []), formula]);
    }
    const columns: SemanticColumn[] = [
      ...dimensions.map((d) => ({ name: d.name, comment: d.comment })),
      ...measures.map((m) => ({
        name: m.name,
        comment: [`${label(m.member)}（可加：按 sum() 汇总）`, ...(formulas.get(m.name) ?? [])].join('；'),
      })),
    ];
    const source = cube.sql_table?.trim() ?? `(${cube.sql})`;
    const select = [
      'select',
      [
        ...dimensions.map((d) => `  ${d.sql} as ${d.name}`),
        ...measures.map((m) => `  ${m.sql} as ${m.name}`),
      ].join(',\n'),
      `from ${source} as t`,
      '{{scope}}',
      dimensions.length > 0 ? `group by ${dimensions.map((_, i) => i + 1).join(', ')}` : '',
    ].join('\n');
    out.push({
      name: view.name,
      source: cube.sql_table?.trim() ?? '',
      select,
      comment: [
        label(view as CubeMember).replace(/。$/, ''),
        '每行为维度列的一个组合，可加指标按 sum() 汇总即与 Cube 一致',
        ...(ratioLines.length > 0 ? [`比率：${ratioLines.join('；')}`] : []),
      ].join('。'),
      columns,
      // Shared aggregates show every hospital; other relations of `shared` (member_vs_peers) keep to one.
      hospitalScoped:
        dimensions.some((d) => d.name === 'hospital_code') &&
        !(shareableViews as readonly string[]).includes(view.name),
      stewardOnly: members.some((m) => (m.meta as { access?: unknown } | undefined)?.access === 'steward'),
      staffOnly: members.some((m) => (m.meta as { access?: unknown } | undefined)?.access === 'staff'),
    });
  }
  return out;
}

/**
 * The semantic views of the project: the Cube data model (`cube/model`) resolved against the
 * transform models (`models/`), found by path like the models themselves.
 */
export async function loadSemanticViews(
  cubeModelPath: string = projectPaths.cubeModel,
  modelsPath: string = projectPaths.models,
): Promise<SemanticView[]> {
  const problems: CompileProblem[] = [];
  const { models } = await loadDefinitions(modelsPath, problems);
  const files = resolveCubeModel(
    await readCubeModel(cubeModelPath),
    models.map((m) => m.definition),
  );
  return semanticViewsOf(files);
}
