import { computed, reactive } from 'vue';

/** Who is signed in, as `POST /api/session` and `GET /api/me` describe them. */
export interface SessionUser {
  readonly username: string;
  readonly display_name: string | null;
  readonly role: 'analyst' | 'manager' | 'steward' | 'member';
  readonly hospital_code: string | null;
  readonly hospital_name: string | null;
}

interface SessionState {
  token: string | null;
  expiresAt: number | null;
  user: SessionUser | null;
}

export const roleLabels: Record<SessionUser['role'], string> = {
  manager: '院领导',
  analyst: '医保办 / 分析员',
  steward: '数据管理员',
  member: '成员单位',
};

// Kept for the browser tab only (sessionStorage): closing the tab signs out, and the token is short-lived anyway.
const storageKey = 'hdw.session';

const state = reactive<SessionState>(restore());

function restore(): SessionState {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as SessionState | null;
    if (saved?.token && saved.expiresAt && saved.expiresAt > Date.now()) return saved;
  } catch {
    // unreadable: start signed out
  }
  return { token: null, expiresAt: null, user: null };
}

function persist(): void {
  try {
    if (state.token) sessionStorage.setItem(storageKey, JSON.stringify(state));
    else sessionStorage.removeItem(storageKey);
  } catch {
    // private mode: the session then lives as long as the page
  }
}

export const session = {
  state,
  signedIn: computed(() => state.token !== null && (state.expiresAt ?? 0) > Date.now()),
  /** Members see their own hospital only; the others may pick any hospital or the whole alliance. */
  isMember: computed(() => state.user?.role === 'member'),
  token(): string {
    if (!state.token || (state.expiresAt ?? 0) <= Date.now()) throw new SessionExpired();
    return state.token;
  },
  signOut(): void {
    state.token = null;
    state.expiresAt = null;
    state.user = null;
    persist();
  },
};

export class SessionExpired extends Error {
  constructor() {
    super('登录已过期，请重新登录');
  }
}

/** Signs in with a name and password. Throws an Error whose message is meant for the user. */
export async function signIn(username: string, password: string): Promise<SessionUser> {
  let response: Response;
  try {
    response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new Error('无法连接服务器，请检查网络后重试');
  }
  const body = (await response.json().catch(() => ({}))) as {
    token?: string;
    expires_at?: string;
    user?: SessionUser;
    error?: string;
  };
  if (!response.ok || !body.token || !body.user) {
    throw new Error(body.error ?? (response.status >= 500 ? '服务器暂时无法登录，请稍后再试' : '登录失败'));
  }
  state.token = body.token;
  state.expiresAt = body.expires_at ? Date.parse(body.expires_at) : Date.now() + 3600_000;
  state.user = body.user;
  persist();
  return body.user;
}

/** GET/POST to our own API with the session token; a 401 signs out. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), authorization: session.token() },
  });
  if (response.status === 401) {
    session.signOut();
    throw new SessionExpired();
  }
  return response;
}
