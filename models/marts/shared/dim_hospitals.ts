import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'dim_hospitals',
  materialized: 'table',
  description: '医联体成员医院维表。',
  grain: 'One row per member hospital.',
  primaryKey: 'hospital_code',
  columns: {
    hospital_code: { description: '医院编码（定点医药机构编码）' },
    hospital_name: { description: '医院名称', tests: ['not_null'] },
    hospital_level: {
      description: '医院等级：3 三级，2 二级',
      tests: [{ accepted_values: ['1', '2', '3'] }],
    },
    level_name: { description: '等级名称' },
    region_code: { description: '行政区划代码' },
    alliance_id: { description: '医联体编号', tests: ['not_null'] },
  },
  sql: ({ ref }) => sql`
    with hospitals as (
      select * from ${ref('hospitals')}
    )

    select hospital_code, hospital_name, hospital_level, level_name, region_code, alliance_id
    from hospitals`,
});
