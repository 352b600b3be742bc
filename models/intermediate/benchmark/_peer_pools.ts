/**
 * What the alliance's peer pools are cut by, declared once: the subject (对标维度: DRG 病组, 病种 =
 * principal diagnosis, 标准科室) and the period (年度 or 月度). The intermediate model, the marts,
 * their descriptions and ids all read these; the Cube views and the web page carry the same codes.
 * Not a model: files starting with `_` are not loaded as models.
 */
import { sql, type RawBuilder } from 'kysely';

export interface BenchmarkDimension {
  /** The label users read (对标维度). */
  readonly title: string;
  /** What a subject is, in the users' words. */
  readonly definition: string;
  /** The subject's code and name over a case row `c` of fct_inpatient_cases (null: not in this dimension). */
  readonly code: RawBuilder<unknown>;
  readonly name: RawBuilder<unknown>;
}

export const BENCHMARK_DIMENSIONS = {
  drg: {
    title: '病组',
    definition: '病组 = 病例的 DRG 病组（fct_inpatient_cases.drg_code）',
    code: sql`c.drg_code`,
    name: sql`c.drg_name`,
  },
  disease: {
    title: '病种',
    definition:
      '病种 = 病例的主要诊断（fct_inpatient_cases.principal_diagnosis_code：病案首页主诊断，首页缺失时取医保结算清单西医主诊断，与病种成本同一口径；无主诊断的病例不入病种池）',
    code: sql`c.principal_diagnosis_code`,
    name: sql`c.principal_diagnosis_name`,
  },
  department: {
    title: '科室',
    definition: '科室 = 病例的出院标准科室（fct_inpatient_cases.dept_code；无标准科室的病例不入科室池）',
    code: sql`c.dept_code`,
    name: sql`c.dept_name`,
  },
} as const satisfies Record<string, BenchmarkDimension>;

export type BenchmarkDimensionCode = keyof typeof BENCHMARK_DIMENSIONS;
export const benchmarkDimensionCodes = Object.keys(BENCHMARK_DIMENSIONS) as BenchmarkDimensionCode[];

export interface PeriodGrain {
  readonly title: string;
  /** The period's first day over a case row `c` (a date). */
  readonly start: RawBuilder<unknown>;
  /** The period as text, in ids: `2025` or `2025-03`, from the period start. */
  readonly label: (start: RawBuilder<unknown>) => RawBuilder<unknown>;
}

export const PERIOD_GRAINS = {
  year: {
    title: '年度',
    start: sql`make_date(c.year, 1, 1)`,
    label: (start) => sql`to_char(${start}, 'YYYY')`,
  },
  month: {
    title: '月度',
    start: sql`c.discharge_month::date`,
    label: (start) => sql`to_char(${start}, 'YYYY-MM')`,
  },
} as const satisfies Record<string, PeriodGrain>;

export type PeriodGrainCode = keyof typeof PERIOD_GRAINS;
export const periodGrainCodes = Object.keys(PERIOD_GRAINS) as PeriodGrainCode[];

/** `benchmark_dimension` column description: every code and what a subject is. */
export const benchmarkDimensionDescription = `对标维度：${benchmarkDimensionCodes
  .map((d) => `${d} ${BENCHMARK_DIMENSIONS[d].title}（${BENCHMARK_DIMENSIONS[d].definition}）`)
  .join('；')}。`;

/** `period_grain` column description. */
export const periodGrainDescription = `对标期间粒度：${periodGrainCodes
  .map((g) => `${g} ${PERIOD_GRAINS[g].title}`)
  .join('，')}（按出院时间）；period_start 为期间第一天。`;

/** `case <column> when 'drg' then '病组' … end`: the label of a dimension column. */
export function benchmarkDimensionName(column: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`case ${column} ${sql.join(
    benchmarkDimensionCodes.map(
      (d) => sql`when ${sql.lit(d)} then ${sql.lit(BENCHMARK_DIMENSIONS[d].title)}`,
    ),
    sql` `,
  )} end`;
}

/** The period as text (`2025`, `2025-03`) of a row of alias `a` with `period_grain` and `period_start`. */
export function periodLabel(a: string): RawBuilder<unknown> {
  const start = sql.ref(`${a}.period_start`);
  return sql`case ${sql.ref(`${a}.period_grain`)} ${sql.join(
    periodGrainCodes.map((g) => sql`when ${sql.lit(g)} then ${PERIOD_GRAINS[g].label(start)}`),
    sql` `,
  )} end`;
}

/** `period_grain, period_start, year, month` (a select list) of a row of alias `a`. */
export function periodSelect(a: string): RawBuilder<unknown> {
  const [grain, start] = [sql.ref(`${a}.period_grain`), sql.ref(`${a}.period_start`)];
  return sql`${grain} as period_grain,
        ${start} as period_start,
        extract(year from ${start})::integer as year,
        (case when ${grain} = 'month' then extract(month from ${start}) end)::integer as month`;
}

/** The columns that make one pool besides the hospital level (subject, period, measure), over alias `a`. */
export const POOL_KEYS = [
  'benchmark_dimension',
  'subject_code',
  'period_grain',
  'period_start',
  'measure',
] as const;

/** `POOL_KEYS` of alias `a`, as a comma list (group by, partition by). */
export function poolKeyList(a: string): RawBuilder<unknown> {
  return sql.join(POOL_KEYS.map((c) => sql.ref(`${a}.${c}`)));
}

/** `a.k = b.k and …` over the level and `POOL_KEYS`: a member row `a` and its pool row `b`. */
export function samePool(a: string, b: string): RawBuilder<unknown> {
  return sql.join(
    ['hospital_level', ...POOL_KEYS].map((c) => sql`${sql.ref(`${a}.${c}`)} = ${sql.ref(`${b}.${c}`)}`),
    sql` and `,
  );
}

/** Column declarations of a pool's subject and period (shared by the intermediate model and the marts). */
export const subjectPeriodColumns = {
  benchmark_dimension: {
    title: '对标维度',
    description: benchmarkDimensionDescription,
    tests: ['not_null', { accepted_values: benchmarkDimensionCodes }],
  },
  benchmark_dimension_name: { title: '对标维度名称', description: '对标维度的名称：病组、病种或科室。' },
  subject_code: {
    title: '对标对象编码',
    description: '对标对象：病组编码、主要诊断编码或标准科室编码（按对标维度）。',
    tests: ['not_null'],
  },
  subject_name: {
    title: '对标对象名称',
    description: '病组名称、主要诊断名称或标准科室名称（按对标维度）。',
  },
  period_grain: {
    title: '期间粒度',
    description: periodGrainDescription,
    tests: ['not_null', { accepted_values: periodGrainCodes }],
  },
  period_start: {
    title: '期间开始',
    description: '对标期间的第一天（年度为 1 月 1 日，月度为当月 1 日），按出院时间。',
    type: 'date',
    tests: ['not_null'],
  },
  year: { title: '出院年度', description: '对标期间所在的出院年度。', type: 'integer', tests: ['not_null'] },
  month: {
    title: '出院月份',
    description: '月度对标的月份（1–12）；年度对标为空。',
    type: 'integer',
  },
} as const;
