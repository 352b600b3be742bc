import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'int_drg_groups__risk_classes',
  materialized: 'table',
  description: [
    'DRG 病组死亡风险分级：每个医保局、年度与病组一行。病死率 m_g 在统筹地区内计算：',
    '医保局发布了该年区域参考值时取参考值（各等级例数 × 病死率之和 / 例数之和，risk_basis = regional），',
    '否则取医联体内该医保局辖下该年的全部入组病例（risk_basis = alliance）。',
    'z_g = (ln m_g − 均值) / 标准差，均值与总体标准差（stddev_pop）取自该医保局该年有死亡的病组；',
    '分级界值与名称来自种子 drg_risk_classes（z_from ≤ z < z_below）；无死亡病组归入 z_from 为空的最低一级；只有一个有死亡病组时 z 记为 0。',
  ].join(''),
  grain: 'One row per publisher, year and DRG group with cases in the basis.',
  primaryKey: ['publisher_code', 'year', 'drg_code'],
  columns: {
    publisher_code: { description: '医保局编码', tests: ['not_null'] },
    year: { description: '年度', tests: ['not_null'] },
    drg_code: { description: 'DRG 编码', tests: ['not_null'] },
    risk_basis: {
      description: '病死率来源：regional 区域参考值 / alliance 医联体病例',
      tests: [{ accepted_values: ['regional', 'alliance'] }],
    },
    basis_cases: { description: '计算病死率的例数' },
    basis_deaths: { description: '计算病死率的死亡数（区域参考值为例数 × 病死率）' },
    mortality_rate: { description: '病组病死率 m_g' },
    mortality_z: { description: '标准化病死率 z_g（无死亡病组为空）' },
    risk_class: { description: '风险等级（1 最低）', tests: ['not_null'] },
    risk_class_name: { description: '风险等级名称，如 低风险、中低风险' },
  },
  unitTests: [
    {
      // Regional mortality of A, B, C: 0.01, 0.1, 1/e·… — take m = e^-4, e^-2, e^0 (ln m = -4, -2, 0):
      // mean -2, population SD sqrt((4+0+4)/3) = 1.63299; z = -1.2247, 0, 1.2247 → 低, 中高, 高.
      // D has no death → 低 (class 1). E has cases only in the alliance, whose publisher has no
      // reference: its own z over the alliance's single group with deaths is 0 → 中高.
      name: 'classes groups by the z of ln mortality over the region, groups without deaths as 低',
      given: {
        stg_insurance__regional_reference: [
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'A',
            hospital_level: '3',
            cases: 1000,
            mortality_rate: 0.0183156,
          },
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'B',
            hospital_level: '3',
            cases: 1000,
            mortality_rate: 0.1353353,
          },
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'C',
            hospital_level: '3',
            cases: 1000,
            mortality_rate: 1,
          },
          {
            publisher_code: 'P1',
            year: 2025,
            drg_code: 'D',
            hospital_level: '2',
            cases: 10,
            mortality_rate: 0,
          },
        ],
        int_inpatient_cases__grouped: {
          rows: [
            { publisher_code: 'P1', year: 2025, drg_code: 'A', is_death: true },
            { publisher_code: 'P2', year: 2025, drg_code: 'E', is_death: true },
            { publisher_code: 'P2', year: 2025, drg_code: 'E', is_death: false },
          ],
          types: { is_death: 'boolean' },
        },
        drg_risk_classes: [
          { risk_class: 1, risk_class_name: '低风险', z_from: null, z_below: -1 },
          { risk_class: 2, risk_class_name: '中低风险', z_from: -1, z_below: 0 },
          { risk_class: 3, risk_class_name: '中高风险', z_from: 0, z_below: 1 },
          { risk_class: 4, risk_class_name: '高风险', z_from: 1, z_below: null },
        ],
      },
      expect: [
        { drg_code: 'A', risk_basis: 'regional', risk_class: 1, risk_class_name: '低风险' },
        { drg_code: 'B', risk_basis: 'regional', risk_class: 3, risk_class_name: '中高风险' },
        { drg_code: 'C', risk_basis: 'regional', risk_class: 4, risk_class_name: '高风险' },
        { drg_code: 'D', risk_basis: 'regional', risk_class: 1, risk_class_name: '低风险' },
        { drg_code: 'E', risk_basis: 'alliance', risk_class: 3, risk_class_name: '中高风险' },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with reference as (
      select * from ${ref('stg_insurance__regional_reference')}
    ),

    cases as (
      select * from ${ref('int_inpatient_cases__grouped')}
    ),

    classes as (
      select * from ${ref('drg_risk_classes')}
    ),

    regional as (
      select
        publisher_code,
        year,
        drg_code,
        'regional' as risk_basis,
        sum(cases) as basis_cases,
        sum(cases * coalesce(mortality_rate, 0)) as basis_deaths
      from reference
      group by 1, 2, 3
    ),

    alliance as (
      select
        c.publisher_code,
        c.year,
        c.drg_code,
        'alliance' as risk_basis,
        count(*) as basis_cases,
        count(*) filter (where c.is_death) as basis_deaths
      from cases c
      where c.drg_code is not null
        and not exists (select 1 from regional r where r.publisher_code = c.publisher_code and r.year = c.year)
      group by 1, 2, 3
    ),

    groups as (
      select *, basis_deaths / nullif(basis_cases, 0) as mortality_rate
      from (select * from regional union all select * from alliance) u
    ),

    standardised as (
      select
        g.*,
        case
          when g.mortality_rate > 0
            then coalesce(
              (ln(g.mortality_rate) - avg(ln(g.mortality_rate)) filter (where g.mortality_rate > 0) over w)
                / nullif(stddev_pop(ln(g.mortality_rate)) filter (where g.mortality_rate > 0) over w, 0),
              0
            )
        end as mortality_z
      from groups g
      window w as (partition by g.publisher_code, g.year)
    ),

    final as (
      select
        s.publisher_code,
        s.year,
        s.drg_code,
        s.risk_basis,
        s.basis_cases,
        round(s.basis_deaths, 4) as basis_deaths,
        round(s.mortality_rate, 6) as mortality_rate,
        round(s.mortality_z, 4) as mortality_z,
        k.risk_class,
        k.risk_class_name
      from standardised s
      left join lateral (
        select c.risk_class, c.risk_class_name
        from classes c
        where case
          when s.mortality_z is null then c.z_from is null
          else (c.z_from is null or s.mortality_z >= c.z_from) and (c.z_below is null or s.mortality_z < c.z_below)
        end
        order by c.risk_class
        limit 1
      ) k on true
    )

    select * from final`,
});
