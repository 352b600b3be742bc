import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_kpi_targets',
  materialized: 'table',
  description: [
    '院长驾驶舱关键指标目标值（取自种子 kpi_targets）：每个指标、年度与成员医院一行，医院单独设定的目标优先，否则取医联体默认（*）；',
    '另有 hospital_code = * 的一行为全医联体的目标。成员单位按 hospital_code 只见本院的行（含由默认值得出的目标）。',
    '种子中不属于成员医院的编码不进入本表。',
  ].join(''),
  grain:
    'One row per indicator, year and member hospital, plus one row per indicator and year for the whole alliance (hospital_code *).',
  primaryKey: 'kpi_target_id',
  columns: {
    kpi_target_id: { title: '目标编号', description: '主键：指标|年度|医院（* 为全医联体）。' },
    indicator: { title: '指标', description: '指标编码（如 cmi、drug_share）。', tests: ['not_null'] },
    year: { title: '年度', description: '目标所属年度。', type: 'integer', tests: ['not_null'] },
    hospital_code: {
      title: '医院编码',
      description: '成员医院编码；* 为全医联体。行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '成员医院名称（全医联体行为空）。' },
    target: {
      title: '目标值',
      description: '目标值（比率以小数表示，费用以元计，住院日以天计）。',
      type: 'numeric(18, 4)',
      tests: ['not_null'],
    },
    better: {
      title: '方向',
      description: 'lower 越低越好 / higher 越高越好。',
      tests: ['not_null', { accepted_values: ['lower', 'higher'] }],
    },
    label: { title: '指标名称', description: '指标的中文名称。', tests: ['not_null'] },
    target_source: {
      title: '目标来源',
      description: 'hospital 本院单独设定 / alliance 医联体默认。',
      tests: [{ accepted_values: ['hospital', 'alliance'] }],
    },
  },
  unitTests: [
    {
      name: "a hospital's own target wins over the alliance default; the alliance row keeps the default",
      given: {
        kpi_targets: [
          { indicator: 'cmi', hospital_code: '*', year: 2025, target: 1, better: 'higher', label: 'CMI' },
          { indicator: 'cmi', hospital_code: 'H1', year: 2025, target: 1.2, better: 'higher', label: 'CMI' },
          { indicator: 'cmi', hospital_code: 'H9', year: 2025, target: 3, better: 'higher', label: 'CMI' },
        ],
        dim_hospitals: [
          { hospital_code: 'H1', hospital_name: '甲院' },
          { hospital_code: 'H2', hospital_name: '乙院' },
        ],
      },
      expect: [
        { kpi_target_id: 'cmi|2025|*', hospital_code: '*', target: 1, target_source: 'alliance' },
        { kpi_target_id: 'cmi|2025|H1', hospital_code: 'H1', target: 1.2, target_source: 'hospital' },
        { kpi_target_id: 'cmi|2025|H2', hospital_code: 'H2', target: 1, target_source: 'alliance' },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with targets as (
      select * from ${ref('kpi_targets')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    -- every indicator and year that has a target somewhere
    indicator_years as (
      select distinct indicator, year from targets
    ),

    -- each member hospital, and the alliance as a whole
    scopes as (
      select hospital_code, hospital_name from hospitals
      union all
      select '*', null
    ),

    resolved as (
      select
        concat_ws('|', k.indicator, k.year, s.hospital_code) as kpi_target_id,
        k.indicator,
        k.year,
        s.hospital_code,
        s.hospital_name,
        coalesce(own.target, alliance.target)::numeric(18, 4) as target,
        coalesce(own.better, alliance.better) as better,
        coalesce(own.label, alliance.label) as label,
        case when s.hospital_code <> '*' and own.indicator is not null then 'hospital' else 'alliance' end
          as target_source
      from indicator_years k
      cross join scopes s
      left join targets own
        on own.indicator = k.indicator and own.year = k.year and own.hospital_code = s.hospital_code
      left join targets alliance
        on alliance.indicator = k.indicator and alliance.year = k.year and alliance.hospital_code = '*'
    ),

    final as (
      select * from resolved where target is not null
    )

    select * from final`,
});
