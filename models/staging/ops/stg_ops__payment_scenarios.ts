import { sql } from 'kysely';
import { ddlType } from '../../../core/contract/columns.ts';
import { defineModel } from '../../../core/engine/model-definition.ts';
import { schema } from '../../../seeds/drg/drg_payment_scenarios.schema.ts';

// The seed's schema is the one definition of a scenario's columns: the seed's rows and those
// `hdw simulate` stored (as JSON in ops.payment_scenarios) are both read with it.
const columns = sql.join(schema.columns.map((c) => sql.ref(c.name)));
const recordType = sql.raw(schema.columns.map((c) => `${c.name} ${ddlType(c.type)}`).join(', '));

export default defineModel({
  name: 'stg_ops__payment_scenarios',
  materialized: 'view',
  description:
    'DRG 支付模拟方案：种子 drg_payment_scenarios 的方案与 hdw simulate 保存的方案（ops.payment_scenarios）合在一起，每个方案一行，列同种子。',
  grain: 'One row per payment scenario.',
  primaryKey: 'scenario_code',
  columns: {
    ...Object.fromEntries(schema.columns.map((c) => [c.name, { description: c.description ?? c.name }])),
    scenario_origin: {
      description: '方案来源：seed 种子文件 / simulate 由 hdw simulate 保存',
      tests: ['not_null', { accepted_values: ['seed', 'simulate'] }],
    },
  },
  sql: ({ ref, source }) => sql`
    with seeded as (
      select ${columns}, 'seed' as scenario_origin from ${ref('drg_payment_scenarios')}
    ),

    simulated as (
      select r.*, 'simulate' as scenario_origin
      from ${source('ops', 'payment_scenarios')} s
      cross join lateral jsonb_to_record(s.scenario) as r(${recordType})
    ),

    final as (
      select * from seeded
      union all
      select * from simulated
    )

    select * from final`,
});
