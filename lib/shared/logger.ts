/** Where the server reports its state and dropped input; Nest's `Logger` fits as is. */
export interface ServerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs nothing: for tests and for hosts that report elsewhere. */
export const silentLogger: ServerLogger = { log() {}, warn() {}, error() {} };

/** The console, each line tagged with the package name. */
export const consoleLogger: ServerLogger = {
  log: (message) => console.log(`[nestjs-broadcasting] ${message}`),
  warn: (message) => console.warn(`[nestjs-broadcasting] ${message}`),
  error: (message) => console.error(`[nestjs-broadcasting] ${message}`),
};
