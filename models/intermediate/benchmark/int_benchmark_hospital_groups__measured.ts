import { sql } from 'kysely';
import { count } from '../../../core/engine/column-helpers.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { peerHospitalColumns } from '../../marts/benchmark/_peer_columns.ts';
import {
  PEER_MEASURES,
  PEER_POOL_DEFINITION,
  peerMeasureCodes,
  peerMeasureDescription,
} from './_peer_measures.ts';
import {
  BENCHMARK_DIMENSIONS,
  PERIOD_GRAINS,
  benchmarkDimensionCodes,
  benchmarkDimensionName,
  periodGrainCodes,
  periodSelect,
  subjectPeriodColumns,
} from './_peer_pools.ts';

/** A grouped case of fct_inpatient_cases with charges only (no cost, no stay): two measures apply. */
const stay = (
  visit: string,
  drg: string,
  diagnosis: string | null,
  month: string,
  charges: number,
  died: boolean,
) => ({
  hospital_code: 'H1',
  hospital_name: '一院',
  hospital_level: '2',
  visit_id: visit,
  drg_code: drg,
  drg_name: `病组${drg}`,
  principal_diagnosis_code: diagnosis,
  principal_diagnosis_name: diagnosis === null ? null : `诊断${diagnosis}`,
  dept_code: 'A03',
  dept_name: '内科',
  year: 2025,
  discharge_month: month,
  is_grouped: true,
  is_death: died,
  total_charges: charges,
  case_cost: null,
  drg_weight: 1,
  length_of_stay_days: null,
});

/** The two rows (charge per case, mortality) of one subject and period. */
const expected = (
  dimension: string,
  subject: string,
  grain: string,
  start: string,
  charge: number,
  mortality: number,
  cases: number,
) =>
  (
    [
      ['charge_per_case', charge],
      ['mortality', mortality],
    ] as const
  ).map(([measure, value]) => ({
    benchmark_dimension: dimension,
    subject_code: subject,
    period_grain: grain,
    period_start: start,
    month: grain === 'month' ? Number(start.slice(5, 7)) : null,
    measure,
    value,
    cases,
  }));

export default defineModel({
  name: 'int_benchmark_hospital_groups__measured',
  materialized: 'table',
  description: [
    '医联体内部对标的成员值：每医院 × 对标维度（病组、病种、科室）× 对标对象 × 期间（出院年度，及出院月份）× 指标一行，取 fct_inpatient_cases 的入组病例（未排除且有病组）：',
    '三个维度划分的是同一批病例，每个病例在每个维度、每种期间粒度各计入一个对标对象。',
    '指标值保留 4 位小数，对标池的分位数、加权均值与名次都按这个值计算。',
    peerMeasureDescription,
    PEER_POOL_DEFINITION,
  ].join(''),
  grain:
    'One row per hospital, benchmark dimension, subject (DRG group, principal diagnosis or standard department), period (discharge year or month) and measure with a value.',
  primaryKey: [
    'hospital_code',
    'benchmark_dimension',
    'subject_code',
    'period_grain',
    'period_start',
    'measure',
  ],
  columns: {
    ...peerHospitalColumns('医联体成员医院的编码。'),
    ...subjectPeriodColumns,
    measure: {
      title: '指标',
      description: peerMeasureDescription,
      tests: [{ accepted_values: peerMeasureCodes }],
    },
    value: {
      title: '指标值',
      description: '该医院该对标对象该期间的指标值（4 位小数）。',
      type: 'numeric(18, 4)',
    },
    cases: count('例数', '指标值所依据的入组病例数（例数加权均值的权重）。'),
  },
  unitTests: [
    {
      name: 'each grouped case once per dimension (DRG group, principal diagnosis, department) and per grain (year, month)',
      given: {
        // Two grouped stays of group A in department A03 (K80.100 in March, K81.000 in April, who
        // died); an excluded stay and a grouped one without a principal diagnosis.
        fct_inpatient_cases: {
          rows: [
            stay('V1', 'A', 'K80.100', '2025-03-01', 1000, false),
            stay('V2', 'A', 'K81.000', '2025-04-01', 3000, true),
            { ...stay('V3', 'A', 'K80.100', '2025-03-01', 9000, false), is_grouped: false },
            { ...stay('V4', 'B', null, '2025-04-01', 500, false), dept_code: null },
          ],
          types: {
            discharge_month: 'date',
            year: 'integer',
            length_of_stay_days: 'integer',
            case_cost: 'numeric',
          },
        },
      },
      // V3 is in no pool; V4 only in group B's (no diagnosis, no department). Group A and A03 over
      // 2025: (1000 + 3000) / 2 = 2000, mortality 1 / 2; each month its one stay.
      expect: [
        ...expected('drg', 'A', 'year', '2025-01-01', 2000, 0.5, 2),
        ...expected('drg', 'A', 'month', '2025-03-01', 1000, 0, 1),
        ...expected('drg', 'A', 'month', '2025-04-01', 3000, 1, 1),
        ...expected('drg', 'B', 'year', '2025-01-01', 500, 0, 1),
        ...expected('drg', 'B', 'month', '2025-04-01', 500, 0, 1),
        ...expected('disease', 'K80.100', 'year', '2025-01-01', 1000, 0, 1),
        ...expected('disease', 'K80.100', 'month', '2025-03-01', 1000, 0, 1),
        ...expected('disease', 'K81.000', 'year', '2025-01-01', 3000, 1, 1),
        ...expected('disease', 'K81.000', 'month', '2025-04-01', 3000, 1, 1),
        ...expected('department', 'A03', 'year', '2025-01-01', 2000, 0.5, 2),
        ...expected('department', 'A03', 'month', '2025-03-01', 1000, 0, 1),
        ...expected('department', 'A03', 'month', '2025-04-01', 3000, 1, 1),
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with cases as (
      select * from ${ref('fct_inpatient_cases')} c where c.is_grouped and c.drg_code is not null
    ),

    -- each case once per dimension (its subject there) and once per period grain
    subjects as (
      select c.*, s.benchmark_dimension, s.subject_code, s.subject_name, p.period_grain, p.period_start
      from cases c
      cross join lateral (values ${sql.join(
        benchmarkDimensionCodes.map(
          (d) =>
            sql`(${sql.lit(d)}, (${BENCHMARK_DIMENSIONS[d].code})::text, (${BENCHMARK_DIMENSIONS[d].name})::text)`,
        ),
      )}) s (benchmark_dimension, subject_code, subject_name)
      cross join lateral (values ${sql.join(
        periodGrainCodes.map((g) => sql`(${sql.lit(g)}, (${PERIOD_GRAINS[g].start})::date)`),
      )}) p (period_grain, period_start)
      where s.subject_code is not null and p.period_start is not null
    ),

    per_subject as (
      select
        c.hospital_code,
        min(c.hospital_name) as hospital_name,
        min(c.hospital_level) as hospital_level,
        c.benchmark_dimension,
        c.subject_code,
        min(c.subject_name) as subject_name,
        c.period_grain,
        c.period_start,
        ${sql.join(
          peerMeasureCodes.map(
            (m) => sql`round((${PEER_MEASURES[m].value})::numeric, 4) as ${sql.ref(`${m}_value`)},
        (${PEER_MEASURES[m].cases})::bigint as ${sql.ref(`${m}_cases`)}`,
          ),
        )}
      from subjects c
      group by c.hospital_code, c.benchmark_dimension, c.subject_code, c.period_grain, c.period_start
    ),

    final as (
      select
        g.hospital_code,
        g.hospital_name,
        g.hospital_level,
        g.benchmark_dimension,
        (${benchmarkDimensionName(sql`g.benchmark_dimension`)})::text as benchmark_dimension_name,
        g.subject_code,
        g.subject_name,
        ${periodSelect('g')},
        m.measure,
        m.value::numeric(18, 4) as value,
        m.cases::bigint as cases
      from per_subject g
      cross join lateral (values ${sql.join(
        peerMeasureCodes.map(
          (m) => sql`(${sql.lit(m)}, g.${sql.ref(`${m}_value`)}, g.${sql.ref(`${m}_cases`)})`,
        ),
      )}) m (measure, value, cases)
      where m.value is not null and m.cases > 0 and g.hospital_level is not null
    )

    select * from final`,
});
