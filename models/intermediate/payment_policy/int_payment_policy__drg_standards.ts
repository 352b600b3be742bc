import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const byLevel = (column: (level: 1 | 2 | 3) => string) =>
  sql.raw(
    `case l.hospital_level ${[1, 2, 3].map((n) => `when '${n}' then ${column(n as 1 | 2 | 3)}`).join(' ')} end`,
  );

/** The numeric columns of stg_insurance__drg_groups (typed in the unit test's fixture). */
const GROUP_NUMBERS = [
  'drg_weight',
  'base_points',
  'low_outlier_ratio',
  'high_outlier_ratio',
  ...[1, 2, 3].flatMap((n) => [
    `level_coefficient_${n}`,
    `payment_standard_${n}`,
    `payment_standard_${n}_310`,
    `payment_standard_${n}_390`,
  ]),
];

/** An expected row of the unit test: a published standard, the RW band's thresholds (2 × for RW > 2). */
const expected = (
  publisher_code: string,
  insurance_type: string,
  hospital_level: string,
  drg_code: string,
  payment_standard: number | null,
  computed_standard: number | null,
): Record<string, string | number | null> => ({
  publisher_code,
  insurance_type,
  hospital_level,
  drg_code,
  payment_standard,
  computed_standard,
  standard_basis: 'published',
  high_outlier_ratio: 2,
  outlier_basis: 'band',
});

export default defineModel({
  name: 'int_payment_policy__drg_standards',
  materialized: 'table',
  description:
    'DRG 支付政策（数据化）：每个医保局每年每个险种、医院等级与病组的 RW、费率、级别系数、支付标准、是否按项目付费（单议病组）、高低倍率界值与点数法的基准点数和点值。' +
    '各地病组表形状不同，列名在来源声明 insurance.drg_groups 中映射，本模型统一为长表：级别系数取病组表按病组发布的系数，否则取费率表按等级的系数（都没有时为 1）；' +
    '支付标准以病组表发布的为准（standard_basis = published，按险种发布时取该险种的），否则为 RW × 费率 × 级别系数，四舍五入到分（computed）；两者都有时 computed_standard 另列以便核对。' +
    '高低倍率界值取病组表发布的，否则按 RW 分段取种子 drg_outlier_bands（发布方自己的分段优先于默认 *）。' +
    '险种：病组表与费率表都不区分险种时，对种子 insurance_types 中的每个险种各一行；等级：病组表或费率表给出该等级的系数、标准或费率时才有该等级的行。',
  grain: 'One row per publisher, year, insurance type, hospital level and DRG group.',
  primaryKey: ['publisher_code', 'year', 'insurance_type', 'hospital_level', 'drg_code'],
  columns: {
    publisher_code: { description: '发布方编码（P + 统筹地区行政区划，如 P320900）' },
    region_code: { description: '统筹地区行政区划代码' },
    year: { description: '年度' },
    insurance_type: { description: '险种类型：310 职工，390 居民' },
    hospital_level: {
      description: '医院等级：3 三级，2 二级，1 一级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    drg_code: { description: 'DRG 编码' },
    drg_name: { description: 'DRG 名称' },
    drg_weight: { description: '相对权重 RW（单议病组可为空）' },
    is_paid_per_item: { description: '是否按项目付费（单议病组）' },
    is_base_group: { description: '是否基础病组（各等级同一支付标准）' },
    base_rate: { description: '费率（元/权重，费率表发布时）' },
    level_coefficient: { description: '级别系数（病组表按病组发布的，否则费率表按等级的）' },
    published_standard: { description: '病组表发布的支付标准（元；0 或空为未发布）' },
    computed_standard: { description: 'RW × 费率 × 级别系数（元，四舍五入到分）' },
    payment_standard: {
      description: '支付标准（元）：发布的优先，否则计算的',
      tests: [{ expression: 'payment_standard is null or payment_standard >= 0' }],
    },
    standard_basis: {
      description: 'published 病组表发布 / computed 按 RW × 费率 × 级别系数计算',
      tests: [{ accepted_values: ['published', 'computed'] }],
    },
    low_outlier_ratio: { description: '低倍率界值（费用 / 支付标准）' },
    high_outlier_ratio: { description: '高倍率界值（费用 / 支付标准）' },
    outlier_basis: {
      description: 'published 病组表发布 / band 按 RW 分段（种子 drg_outlier_bands）',
      tests: [{ accepted_values: ['published', 'band'] }],
    },
    base_points: { description: '基准点数（病组表发布的，否则 RW × 100）' },
    point_value: { description: '点值（元/点，点数法地区，费率表发布时）' },
  },
  unitTests: [
    {
      // 盐城-shaped table (coefficients and standards per group and level, no year column: the
      // staging model takes it from the file) priced with a 费率 file of 7938.24 for both insurance
      // types at 二级 and 三级:
      //   BB11 三级: published 64077.60; computed 8.08887838 × 7938.24 × 0.9979157 = 64077.62 (the
      //   table used the unrounded 费率 7938.23699…); RW 8.09 > 2 → band DEFAULT-3 (0.4, 2).
      //   AA19 单议, no RW, standards 0 (unpublished) and no coefficients → paid per item; only
      //   三级 has a 费率, so it has 三级 rows only, with no standard and no band (no RW).
      // 武汉-shaped row (二级 standard per insurance type, no 费率 file): 310 → 301657.38,
      // 390 → 278418, no 三级 row; RW 28.41 → band DEFAULT-3.
      name: 'prices each table shape by level and insurance type; RW bands fill missing outlier thresholds',
      given: {
        stg_insurance__drg_groups: {
          rows: [
            {
              ...Object.fromEntries(GROUP_NUMBERS.map((c) => [c, null])),
              publisher_code: 'P320900',
              year: 2023,
              drg_code: 'BB11',
              drg_name: '脑创伤开颅术，伴严重并发症或合并症',
              drg_weight: 8.08887838,
              is_single_review: false,
              is_base_group: false,
              level_coefficient_2: 0.90954626,
              level_coefficient_3: 0.9979157,
              payment_standard_2: 58403.26928,
              payment_standard_3: 64077.59771,
            },
            {
              publisher_code: 'P320900',
              year: 2023,
              drg_code: 'AA19',
              drg_name: '心脏移植',
              is_single_review: true,
              is_base_group: false,
              payment_standard_2: 0,
              payment_standard_3: 0,
            },
            {
              publisher_code: 'P420100',
              year: 2022,
              drg_code: 'AA19',
              drg_name: '心脏移植',
              drg_weight: 28.41,
              is_single_review: false,
              is_base_group: false,
              payment_standard_2_310: 301657.38,
              payment_standard_2_390: 278418,
            },
          ],
          types: Object.fromEntries(GROUP_NUMBERS.map((c) => [c, 'numeric'])),
        },
        stg_insurance__drg_base_rates: {
          rows: [
            {
              publisher_code: 'P320900',
              year: 2023,
              insurance_type: '310',
              hospital_level: '3',
              base_rate: 7938.24,
              level_coefficient: null,
              point_value: null,
            },
            {
              publisher_code: 'P320900',
              year: 2023,
              insurance_type: '390',
              hospital_level: '3',
              base_rate: 7938.24,
            },
          ],
          types: { level_coefficient: 'numeric', point_value: 'numeric' },
        },
        hospital_levels: [{ hospital_level: '1' }, { hospital_level: '2' }, { hospital_level: '3' }],
        insurance_types: [{ insurance_type: '310' }, { insurance_type: '390' }],
        drg_outlier_bands: [
          {
            band_code: 'D1',
            publisher_code: '*',
            rw_above: 0,
            rw_up_to: 2,
            low_outlier_ratio: 0.4,
            high_outlier_ratio: 3,
          },
          {
            band_code: 'D3',
            publisher_code: '*',
            rw_above: 2,
            rw_up_to: null,
            low_outlier_ratio: 0.4,
            high_outlier_ratio: 2,
          },
        ],
      },
      expect: [
        // Both insurance types alike: neither the 盐城 table nor its 费率 distinguishes them.
        ...['310', '390'].flatMap((ins) => [
          expected('P320900', ins, '2', 'BB11', 58403.26928, null),
          expected('P320900', ins, '3', 'BB11', 64077.59771, 64077.62),
          {
            ...expected('P320900', ins, '3', 'AA19', null, null),
            standard_basis: null,
            high_outlier_ratio: null,
            outlier_basis: null,
          },
        ]),
        expected('P420100', '310', '2', 'AA19', 301657.38, null),
        expected('P420100', '390', '2', 'AA19', 278418, null),
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with groups as (
      select * from ${ref('stg_insurance__drg_groups')}
    ),

    rates as (
      select * from ${ref('stg_insurance__drg_base_rates')}
    ),

    levels as (
      select hospital_level from ${ref('hospital_levels')}
    ),

    insurance_types as (
      select insurance_type from ${ref('insurance_types')}
    ),

    bands as (
      select * from ${ref('drg_outlier_bands')}
    ),

    grid as (
      select
        g.*,
        l.hospital_level,
        i.insurance_type,
        ${byLevel((n) => `g.level_coefficient_${n}`)} as table_coefficient,
        nullif(${byLevel(
          (n) =>
            `coalesce(case i.insurance_type when '310' then g.payment_standard_${n}_310 when '390' then g.payment_standard_${n}_390 end, g.payment_standard_${n})`,
        )}, 0) as published_standard
      from groups g
      cross join levels l
      cross join insurance_types i
    ),

    priced as (
      select
        grid.*,
        r.base_rate,
        r.point_value,
        coalesce(grid.table_coefficient, r.level_coefficient) as level_coefficient
      from grid
      left join rates r
        on r.publisher_code = grid.publisher_code
        and r.year = grid.year
        and r.insurance_type = grid.insurance_type
        and r.hospital_level = grid.hospital_level
      where grid.table_coefficient is not null
        or grid.published_standard is not null
        or r.base_rate is not null
    ),

    computed as (
      select
        p.*,
        round(p.drg_weight * p.base_rate * coalesce(p.level_coefficient, 1), 2) as computed_standard,
        band.low_outlier_ratio as band_low_ratio,
        band.high_outlier_ratio as band_high_ratio
      from priced p
      left join lateral (
        select b.low_outlier_ratio, b.high_outlier_ratio
        from bands b
        where b.publisher_code in (p.publisher_code, '*')
          and p.drg_weight > b.rw_above
          and (b.rw_up_to is null or p.drg_weight <= b.rw_up_to)
        order by b.publisher_code = '*', b.rw_above
        limit 1
      ) band on true
    )

    select
      publisher_code,
      substr(publisher_code, 2) as region_code,
      year,
      insurance_type,
      hospital_level,
      drg_code,
      drg_name,
      drg_weight,
      is_single_review as is_paid_per_item,
      is_base_group,
      base_rate,
      level_coefficient,
      published_standard,
      computed_standard,
      coalesce(published_standard, computed_standard) as payment_standard,
      case
        when published_standard is not null then 'published'
        when computed_standard is not null then 'computed'
      end as standard_basis,
      coalesce(low_outlier_ratio, band_low_ratio) as low_outlier_ratio,
      coalesce(high_outlier_ratio, band_high_ratio) as high_outlier_ratio,
      case
        when high_outlier_ratio is not null then 'published'
        when band_high_ratio is not null then 'band'
      end as outlier_basis,
      coalesce(base_points, round(drg_weight * 100, 4)) as base_points,
      point_value
    from computed`,
});
