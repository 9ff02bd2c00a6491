/**
 * Where the server (and the package's other long-running commands) report their state.
 * Nest's `Logger` fits as is. `fields` are structured extras (socket ids, addresses, codes)
 * for JSON output; every message also says what matters in words, so a text sink may drop
 * them. Callers never put a secret or a whole payload in either.
 */
export interface ServerLogger {
  log(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Detail an operator turns on when hunting a problem (connections, subscriptions, close
   * codes). Optional: a logger without it drops debug lines, and the leveled loggers below
   * leave it undefined below `debug`, so callers pay one property check when it is off.
   */
  debug?(message: string, fields?: LogFields): void;
}

export type LogFields = Record<string, unknown>;

/** Most to least severe; each level shows itself and the ones before it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `text`: one readable line per message; `json`: one JSON object per line. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Logs nothing: for tests and for hosts that report elsewhere. */
export const silentLogger: ServerLogger = { log() {}, warn() {}, error() {} };

/** The console, each line tagged with the package name. */
export const consoleLogger: ServerLogger = {
  log: (message) => console.log(`[nestjs-broadcasting] ${message}`),
  warn: (message) => console.warn(`[nestjs-broadcasting] ${message}`),
  error: (message) => console.error(`[nestjs-broadcasting] ${message}`),
};

/**
 * `sink` with every message below `level` dropped. Above `debug` the result has no `debug`
 * method at all (see {@link ServerLogger.debug}).
 */
export function leveledLogger(sink: ServerLogger, level: LogLevel): ServerLogger {
  const rank = LOG_LEVELS.indexOf(level);
  const drop = () => {};
  const logger: ServerLogger = {
    error: (message, fields) => sink.error(message, fields),
    warn: rank >= 1 ? (message, fields) => sink.warn(message, fields) : drop,
    log: rank >= 2 ? (message, fields) => sink.log(message, fields) : drop,
  };
  if (rank >= 3 && sink.debug) {
    const debug = sink.debug.bind(sink);
    logger.debug = (message, fields) => debug(message, fields);
  }
  return logger;
}

/** Where a {@link streamLogger} writes: one call per line, without the newline. */
export interface LogStreams {
  /** info and debug. @default process.stdout */
  out(line: string): void;
  /** warn and error. @default process.stderr */
  err(line: string): void;
}

const processStreams: LogStreams = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Field names whose values are never printed, whoever passes them. */
const SECRET_FIELD = /secret|password|token|authorization|^auth$|^key_?material$/i;

/**
 * Writes lines on stdout (info, debug) and stderr (warn, error), in `format`:
 * - `text`: `[nestjs-broadcasting] message`, warnings and errors tagged `WARN` / `ERROR`;
 * - `json`: `{"time","level","msg",...fields}` on one line, and nothing else on either stream.
 * Fields named like a secret are masked, as a last guard.
 */
export function streamLogger(
  format: LogFormat,
  streams: LogStreams = processStreams,
): ServerLogger {
  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    const stream = level === 'error' || level === 'warn' ? streams.err : streams.out;
    stream(format === 'json' ? jsonLine(level, message, fields) : textLine(level, message));
  };
  return {
    error: (message, fields) => write('error', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    log: (message, fields) => write('info', message, fields),
    debug: (message, fields) => write('debug', message, fields),
  };
}

function textLine(level: LogLevel, message: string): string {
  const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
  return `[nestjs-broadcasting] ${tag}${message}`;
}

function jsonLine(level: LogLevel, message: string, fields?: LogFields): string {
  const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
  if (fields)
    for (const [name, value] of Object.entries(fields)) {
      if (name in line || value === undefined) continue;
      line[name] = SECRET_FIELD.test(name) ? '****' : value;
    }
  try {
    return JSON.stringify(line);
  } catch {
    // A field that cannot be serialized (a cycle, a BigInt) must not cost the line.
    return JSON.stringify({ time: line.time, level, msg: message });
  }
}
