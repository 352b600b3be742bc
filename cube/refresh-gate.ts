/**
 * Lets a refresh swap Cube's caches without pulling them from under a running request: requests
 * pass freely and are counted; a refresh first stops new requests at the gate, waits for the
 * running ones to finish (or for `drainTimeoutMs`, so one stuck query cannot block it forever),
 * then runs alone. Refreshes run one after another.
 */
export class RefreshGate {
  private active = 0;
  private closed: Promise<void> | undefined;
  private drained: Array<() => void> = [];

  constructor(private readonly drainTimeoutMs = 30_000) {}

  /** Waits while a refresh runs, then counts the caller in; pair with exactly one `leave()`. */
  async enter(): Promise<void> {
    while (this.closed) await this.closed;
    this.active += 1;
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Runs `fn` with no request in flight. Resolves to `fn`'s result and whether draining timed out. */
  async exclusive<T>(fn: () => Promise<T>): Promise<{ readonly result: T; readonly drainTimedOut: boolean }> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      const drainTimedOut = !(await this.drain());
      return { result: await fn(), drainTimedOut };
    } finally {
      this.closed = undefined;
      open();
    }
  }

  private drain(): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.drainTimeoutMs);
      timer.unref();
      this.drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
