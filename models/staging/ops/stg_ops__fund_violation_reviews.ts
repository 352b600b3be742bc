import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__fund_violation_reviews',
  materialized: 'view',
  description:
    '违规疑点复核结论（ops.fund_violation_reviews，由 hdw violations review 写入）：每个疑点键一行。存放在重建的集市之外，全量重建后按疑点键重新关联。',
  grain: 'One row per reviewed flag key.',
  primaryKey: 'flag_key',
  columns: {
    flag_key: { description: '疑点键：规则编号:医院编码:就诊号', tests: ['not_null'] },
    review_status: {
      description: '复核结论：confirmed 确认违规 / dismissed 排除',
      tests: ['not_null', { accepted_values: ['confirmed', 'dismissed'] }],
    },
    review_note: { description: '复核说明' },
    reviewed_by: { description: '复核人（数据库登录名）' },
    reviewed_at: { description: '复核时间' },
  },
  sql: ({ source }) => sql`
    with reviews as (
      select * from ${source('ops', 'fund_violation_reviews')}
    ),

    final as (
      select
        flag_key,
        status as review_status,
        note as review_note,
        reviewed_by,
        reviewed_at
      from reviews
    )

    select * from final`,
});
