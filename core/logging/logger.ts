import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The project's structured logger. Lines go to stderr so that stdout stays for command output
 * (tokens, JSON, tables). On a terminal they are made readable by pino-pretty; elsewhere they are
 * JSON lines for a log collector. Never log row values or tokens.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' },
      },
    });
  }
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything: for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
