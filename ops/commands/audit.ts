import { HdwError } from '../../core/errors.ts';
import { readAccessAudit, type AccessAuditRow } from '../../core/security/access-audit.ts';
import { withWarehouse } from '../context.ts';

/** The audit rows as a tab-separated Chinese table (what was asked, never what was answered). */
export function formatAccessAudit(rows: readonly AccessAuditRow[]): string {
  const header = ['时间', '用户', '角色', '医院', '凭证', '事件', '接口', '视图', '成员', '筛选', '行数', '状态', 'IP'];
  const lines = rows.map((r) =>
    [
      r.at.toISOString().slice(0, 19).replace('T', ' '),
      r.username ?? '',
      r.role ?? '',
      r.hospitalCode ?? '',
      r.authKind ?? '',
      r.event,
      r.api,
      r.views.join(','),
      r.members.join(','),
      r.filters === null || r.filters === undefined ? '' : JSON.stringify(r.filters),
      r.rowCount ?? '',
      r.status,
      r.ip ?? '',
    ].join('\t'),
  );
  return [header.join('\t'), ...lines, `（${rows.length} 条）`].join('\n') + '\n';
}

/** `hdw audit [--user U] [--since D] [--limit N]` */
export async function auditCommand(
  opts: { readonly user?: string; readonly since?: string; readonly limit?: number },
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const since = opts.since === undefined ? undefined : new Date(opts.since);
  if (since && Number.isNaN(since.getTime()))
    throw new HdwError('E_USAGE', `--since must be a date such as 2025-03-01 (got "${opts.since}")`);
  const rows = await withWarehouse((w) =>
    readAccessAudit(w.pool, {
      ...(opts.user ? { username: opts.user } : {}),
      ...(since ? { since } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
    }),
  );
  write(formatAccessAudit(rows));
}
