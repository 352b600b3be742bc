/**
 * Errors with a stable `code`, so the CLI boundary can print one clear line and choose an exit
 * code without parsing messages. Helpers throw these; only `ops/` decides to exit.
 */
export class HdwError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is missing or malformed. The message names the variable. */
export class ConfigError extends HdwError {
  constructor(message: string) {
    super('E_CONFIG', message);
  }
}

/** The warehouse could not be started, reached or migrated. */
export class DatabaseError extends HdwError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DATABASE', message, options);
  }
}
