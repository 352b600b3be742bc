import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__case_pregroups',
  materialized: 'view',
  description:
    '预分组结果（ops.case_pregroups，由流水线的预分组阶段在建模前写入）：每次住院一行，按配置的 DRG 分组规则（默认国家 CHS-DRG 1.1）对病案首页（无首页时为医保结算清单；在院病例为其截至最新在院清单已下的诊断）分组。存放在重建的集市之外，输入与规则未变的病例不重新分组。',
  grain: 'One row per inpatient stay (hospital, visit id) with a front page or a settlement list, or in bed at the latest census.',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { description: '医院编码', tests: ['not_null'] },
    visit_id: { description: '住院号（就诊ID）', tests: ['not_null'] },
    record_source: {
      description: '分组依据：front_page 病案首页 / settlement_list 医保结算清单（无首页时）/ in_stay 在院病例截至最新在院清单已下的诊断',
      tests: ['not_null', { accepted_values: ['front_page', 'settlement_list', 'in_stay'] }],
    },
    rule_set_version: { description: '分组规则版本：方案名@规则内容哈希', tests: ['not_null'] },
    mdc_code: { description: '预分组 MDC（如 MDCG；0000 为未进入任何 MDC）' },
    adrg_code: { description: '预分组 ADRG（00 为未入组）' },
    drg_code: { description: '预分组 DRG（0000 为未入组）' },
    group_status: {
      description: '分组状态：分组成功 / 无法入组 / 信息校验不通过 / 歧义病案',
      tests: ['not_null', { accepted_values: ['分组成功', '无法入组', '信息校验不通过', '歧义病案'] }],
    },
    group_reasons: { description: '分组理由：编码员可读的分组过程，按规则应用顺序每行一条' },
    grouped_at: { description: '分组时间' },
  },
  sql: ({ source }) => sql`
    with pregroups as (
      select * from ${source('ops', 'case_pregroups')}
    ),

    final as (
      select
        hospital_code,
        visit_id,
        record_source,
        rule_set_version,
        mdc_code,
        adrg_code,
        drg_code,
        status as group_status,
        reasons as group_reasons,
        grouped_at
      from pregroups
    )

    select * from final`,
});
