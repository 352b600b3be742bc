import type { Logger } from './logger.ts';

/** Receives progress of long work: a phase name and how far it is. */
export interface ProgressReporter {
  update(phase: string, done: number, total: number): void;
  finish(phase: string): void;
}

/**
 * Progress for long work: a single rewritten line on a terminal, and on anything else a log line
 * each time another tenth of the phase is done, so a CI log shows movement without flooding.
 */
export function createProgress(
  logger: Logger,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  if (stream.isTTY) {
    let last = 0;
    return {
      update(phase, done, total) {
        const now = Date.now();
        if (now - last < 100 && done < total) return;
        last = now;
        const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        stream.write(
          `\r${phase.padEnd(36).slice(0, 36)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total}`,
        );
      },
      finish(phase) {
        stream.write(`\r${phase.padEnd(36).slice(0, 36)} done${' '.repeat(60)}\n`);
      },
    };
  }
  const reported = new Map<string, number>();
  return {
    update(phase, done, total) {
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 0;
      if ((reported.get(phase) ?? -1) >= tenth) return;
      reported.set(phase, tenth);
      logger.info({ phase, done, total }, `${phase}: ${tenth * 10}%`);
    },
    finish(phase) {
      reported.delete(phase);
      logger.info({ phase }, `${phase}: done`);
    },
  };
}

/** Progress that goes nowhere, for tests and quiet callers. */
export const noProgress: ProgressReporter = { update() {}, finish() {} };
