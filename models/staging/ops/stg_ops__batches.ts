import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__batches',
  materialized: 'view',
  description: '入库批次台账：每次交付一个批次；被更正交付替换的批次状态为 replaced，其行已从 raw 表删除。',
  grain: 'One row per delivered batch.',
  primaryKey: 'batch_id',
  columns: {
    batch_id: { description: '批次号' },
    source: { description: '来源（system.entity）', tests: ['not_null'] },
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    period: { description: '交付期间' },
    status: {
      description: '状态：loaded 有效 / replaced 已被更正交付替换',
      tests: [{ accepted_values: ['loaded', 'replaced'] }],
    },
    replaces_batch_id: { description: '本批次替换的旧批次号（更正交付）' },
    loaded_at: { description: '入库时间' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'batches')}
    ),

    renamed as (
      select batch_id, source, hospital_code, period, status, replaces_batch_id, loaded_at
      from source
    )

    select * from renamed`,
});
