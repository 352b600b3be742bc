import type { Logger } from '../core/logging/logger.ts';

/** What a constructor left running: intervals to clear when the instance shuts down. */
export interface ConstructionLeftovers<T> {
  readonly value: T;
  readonly intervals: readonly NodeJS.Timeout[];
}

/**
 * Runs a (synchronous) constructor that has side effects we cannot switch off by option. Cube's
 * server core prints start-up warnings with console.log (stdout is for command output here) and
 * starts a one-minute telemetry interval that nothing ever clears, which would keep the process
 * alive after shutdown. During the call, console output goes to the logger at debug and intervals
 * are recorded and unref'd, so the caller can clear them later. Nothing else can run meanwhile:
 * the call is synchronous, and everything is restored before it returns.
 */
export function constructQuietly<T>(construct: () => T, logger: Logger): ConstructionLeftovers<T> {
  const intervals: NodeJS.Timeout[] = [];
  const original = {
    setInterval: globalThis.setInterval,
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
  };
  const toLogger = (...args: unknown[]) =>
    logger.debug({ output: args.map(String).join(' ') }, 'Cube console output');
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = original.setInterval(...args);
    timer.unref();
    intervals.push(timer);
    return timer;
  }) as typeof setInterval;
  console.log = console.info = console.warn = console.error = toLogger;
  try {
    return { value: construct(), intervals };
  } finally {
    globalThis.setInterval = original.setInterval;
    Object.assign(console, {
      log: original.log,
      info: original.info,
      warn: original.warn,
      error: original.error,
    });
  }
}
