import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

export default defineModel({
  name: 'fct_access_audit',
  materialized: 'view',
  description: [
    '访问审计（等保 2.0 安全审计）：每次登录（成功与失败）、每次 API 查询、下载与操作一行，',
    '记录谁（用户、角色、医院、凭证类型）在何时从何处查询了什么（视图、成员、筛选条件）、返回多少行、结果状态；不含任何返回的数据值。',
    '仅数据管理员可读（数据库授权只给 hdw_steward，Cube 的 access_audit 视图只对 steward 开放）。保留 HDW_AUDIT_RETENTION_DAYS 天（至少 180 天）。',
  ].join(''),
  grain: 'One row per sign-in, API request, download or action.',
  primaryKey: 'audit_id',
  tags: ['audit', 'steward_only'],
  columns: {
    audit_id: { title: '审计编号', description: '审计记录的唯一编号。' },
    accessed_at: { title: '访问时间', description: '请求被应答的时间。', tests: ['not_null'] },
    username: { title: '用户名', description: '登录名；失败的登录为所输入的名称，无有效凭证为空。' },
    role: { title: '角色', description: 'analyst 分析员、manager 管理者、steward 数据管理员、member 成员医院。' },
    hospital_code: { title: '医院编码', description: '凭证所属的成员医院；非成员角色可为空。' },
    auth_kind: {
      title: '凭证类型',
      description: 'session 为网页登录会话，token 为 hdw token 签发的令牌，idp 为身份提供方的令牌。',
    },
    event: {
      title: '事件',
      description: 'sign_in 登录、sign_in_failed 登录失败、query 查询、download 下载、action 操作、refused 被拒绝。',
      tests: [{ accepted_values: ['sign_in', 'sign_in_failed', 'query', 'download', 'action', 'refused'] }],
    },
    api: { title: '接口', description: 'session 登录、load/sql/meta/graphql 查询接口、export 导出、report 报表、violations 疑点复核。', tests: ['not_null'] },
    views: { title: '查询视图', description: '请求查询的视图，逗号分隔。' },
    members: { title: '查询成员', description: '请求查询的度量与维度，逗号分隔。' },
    filters: { title: '筛选条件', description: '请求的筛选条件（JSON：成员、运算符与值），是查询本身而非返回的数据。' },
    row_count: { title: '返回行数', description: '应答返回的行数；未返回数据为空。' },
    http_status: { title: '状态码', description: '应答的 HTTP 状态码：200 成功，401/403 拒绝，429 登录过于频繁。', tests: ['not_null'] },
    client_ip: { title: '客户端地址', description: '发起请求的客户端 IP 地址。' },
    user_agent: { title: '客户端标识', description: '浏览器或工具的 User-Agent。' },
  },
  sql: ({ ref }) => sql`
    with audit as (
      select * from ${ref('stg_ops__access_audit')}
    ),

    final as (
      select
        -- ids
        audit_id,
        -- when
        accessed_at,
        -- who
        username,
        role,
        hospital_code,
        auth_kind,
        -- what
        event,
        api,
        array_to_string(views, ',') as views,
        array_to_string(members, ',') as members,
        filters::text as filters,
        -- answer
        row_count,
        http_status,
        -- from where
        client_ip,
        user_agent
      from audit
    )

    select * from final`,
});
