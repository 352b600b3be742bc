import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_erp__fixed_assets',
  materialized: 'view',
  description: 'ERP/HRP 固定资产与无形资产卡片：使用科室、资产类别、原值、折旧月数、启用日期与月折旧额。',
  grain: 'One row per hospital and asset.',
  primaryKey: ['hospital_code', 'asset_id'],
  columns: {
    hospital_code: { description: '医院编码' },
    asset_id: { description: '资产编号' },
    dept_code: { description: '使用科室（院内编码）', tests: ['not_null'] },
    asset_class: { description: '资产类别' },
    asset_name: { description: '资产名称' },
    original_value: { description: '原值（元）', tests: ['not_null'] },
    useful_life_months: { description: '折旧月数' },
    in_service_date: { description: '启用日期' },
    monthly_depreciation: { description: '月折旧额（元）', tests: ['not_null'] },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('erp', 'fixed_assets')}
    )

    select
      hospital_code,
      asset_id,
      dept_code,
      asset_class,
      asset_name,
      original_value,
      useful_life_months,
      in_service_date,
      monthly_depreciation
    from source`,
});
