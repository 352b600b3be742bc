import cubejs, { type Query, type ResultSet } from '@cubejs-client/core';
import { SessionExpired, session } from './session';

/** A Cube query as the REST API takes it (`/cubejs-api/v1/load`). */
export type CubeQuery = Query;
export type Row = Record<string, string | number | boolean | null>;

export interface CubeResult {
  readonly rows: Row[];
  /** Member name → its title as the data model gives it (Chinese). */
  readonly titles: Record<string, string>;
}

const api = cubejs(async () => session.token(), { apiUrl: '/cubejs-api/v1' });

/**
 * Runs one query with the signed-in user's token. Row security applies on the server: a member's
 * query only ever returns its own hospital's detail. Errors come back in plain Chinese.
 */
export async function load(query: CubeQuery): Promise<CubeResult> {
  let result: ResultSet;
  try {
    result = await api.load(query);
  } catch (error) {
    throw new Error(explain(error));
  }
  const annotation = result.annotation();
  const titles: Record<string, string> = {};
  // Segments' titles too (the client's annotation type omits them, the API sends them).
  const segments = (annotation as { segments?: Record<string, unknown> }).segments;
  for (const group of [annotation.measures, annotation.dimensions, annotation.timeDimensions, segments]) {
    for (const [name, meta] of Object.entries(group ?? {})) titles[name] = (meta as { title?: string }).title ?? name;
  }
  return { rows: result.rawData() as Row[], titles };
}

function explain(error: unknown): string {
  if (error instanceof SessionExpired) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { response?: { status?: number } }).response?.status;
  if (status === 403 || /Forbidden|not allowed|access/i.test(message)) {
    if (/expired|missing token|bad signature/i.test(message)) {
      session.signOut();
      return '登录已过期，请重新登录';
    }
    return '没有查看这部分数据的权限';
  }
  if (/network|fetch|Failed to fetch/i.test(message)) return '无法连接服务器，请检查网络后重试';
  if (status !== undefined && status >= 500) return '服务器查询出错，请稍后再试（问题已记入服务器日志）';
  return `查询失败：${message}`;
}

/** The value of `member` in the first row, as a number (null when absent). */
export function first(result: CubeResult, member: string): number | null {
  const value = result.rows[0]?.[member];
  return value === null || value === undefined ? null : Number(value);
}
