/**
 * Sign-in rate limit, kept in this process's memory (a restart forgets it; several server
 * processes each count on their own): failures are counted per user name and per client address
 * over a sliding window, and once either reaches its limit further attempts are refused until
 * enough failures have left the window, whether or not the password would be right.
 */
export interface SignInLimits {
  /** Failures of one user name within the window that lock it (HDW_SIGNIN_MAX_FAILURES). */
  readonly maxFailuresPerUser: number;
  /** Failures from one address within the window that lock it (HDW_SIGNIN_MAX_FAILURES_PER_IP). */
  readonly maxFailuresPerIp: number;
  /** HDW_SIGNIN_WINDOW_MINUTES, in milliseconds. */
  readonly windowMs: number;
}

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly limits: SignInLimits;
  private readonly now: () => number;

  constructor(limits: SignInLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.now = now;
  }

  /** Seconds until `username` from `ip` may try again; 0 when it may now. */
  retryAfterSeconds(username: string, ip: string): number {
    const wait = Math.max(
      this.waitMs(userKey(username), this.limits.maxFailuresPerUser),
      this.waitMs(ipKey(ip), this.limits.maxFailuresPerIp),
    );
    return Math.ceil(wait / 1000);
  }

  failed(username: string, ip: string): void {
    const at = this.now();
    for (const key of [userKey(username), ipKey(ip)]) this.failures.set(key, [...this.recent(key), at]);
  }

  /** A correct sign-in clears its user name's failures (not its address's). */
  succeeded(username: string): void {
    this.failures.delete(userKey(username));
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  private waitMs(key: string, limit: number): number {
    const recent = this.recent(key);
    if (recent.length < limit) return 0;
    // Locked until so many failures have aged out that fewer than `limit` remain.
    const unlocksAt = recent[recent.length - limit]! + this.limits.windowMs;
    return Math.max(1, unlocksAt - this.now());
  }
}

const userKey = (username: string) => `u:${username.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
