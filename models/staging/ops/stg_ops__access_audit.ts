import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'stg_ops__access_audit',
  materialized: 'view',
  description:
    '访问审计（ops.access_audit，由应用服务写入）：每次登录、API 查询、下载与操作一行；只记录查询的内容（视图、成员、筛选条件）与返回行数，不含返回的数据值。',
  grain: 'One row per sign-in, API request, download or action.',
  primaryKey: 'audit_id',
  tags: ['audit'],
  columns: {
    audit_id: { description: '审计记录编号' },
    accessed_at: { description: '访问时间', tests: ['not_null'] },
    username: { description: '用户名（失败登录为所输入的名称；未登录或令牌无效为空）' },
    role: { description: '角色：analyst / manager / steward / member' },
    hospital_code: { description: '令牌所属医院编码' },
    auth_kind: { description: '凭证类型：session 登录会话 / token hdw token / idp 身份提供方' },
    event: {
      description: '事件：sign_in / sign_in_failed / query / download / action / refused',
      tests: [{ accepted_values: ['sign_in', 'sign_in_failed', 'query', 'download', 'action', 'refused'] }],
    },
    api: { description: '接口：session、load、sql、meta、graphql、export、report、violations 等', tests: ['not_null'] },
    views: { description: '查询的视图（数组）' },
    members: { description: '查询的成员（数组）' },
    filters: { description: '筛选条件（JSON：成员、运算符与值）' },
    row_count: { description: '返回行数' },
    http_status: { description: 'HTTP 状态码', tests: ['not_null'] },
    client_ip: { description: '客户端地址' },
    user_agent: { description: '客户端（浏览器）标识' },
  },
  sql: ({ source }) => sql`
    with source as (
      select * from ${source('ops', 'access_audit')}
    ),

    renamed as (
      select
        audit_id,
        at as accessed_at,
        username,
        role,
        hospital_code,
        auth_kind,
        event,
        api,
        views,
        members,
        filters,
        row_count,
        status as http_status,
        ip as client_ip,
        user_agent
      from source
    )

    select * from renamed`,
});
