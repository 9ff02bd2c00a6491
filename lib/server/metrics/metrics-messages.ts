/**
 * Every message of the server's metrics (options, registry, endpoint), in one place so
 * wording stays consistent and each says what to fix. Metrics carry app ids, never keys
 * or secrets, and none of these messages quotes either.
 */
export const MetricsMessages = {
  /** Completes "... needs the "prom-client" package, which is not installed". */
  neededBy: () => 'Server metrics (the "metrics" option, BROADCASTING_METRICS_PORT)',
  notAnObject: (value: unknown) =>
    `Server option "metrics" must be an object like { port: 9601 }, or false (got ${JSON.stringify(value)}).`,
  badPort: (value: unknown) =>
    `Server option "metrics.port" must be an integer from 0 to 65535 (got ${JSON.stringify(value)}).`,
  samePort: (port: number) =>
    `Server option "metrics.port" is ${port}, the server's own port: metrics are never served ` +
    'where clients connect. Pick another port (9601 is the usual one).',
  badHost: (value: unknown) =>
    `Server option "metrics.host" must be a host name or address like "127.0.0.1" (got ${JSON.stringify(value)}).`,
  badPath: (value: unknown) =>
    `Server option "metrics.path" must be a path starting with "/" (got ${JSON.stringify(value)}).`,
  badPrefix: (value: unknown) =>
    `Server option "metrics.prefix" must be empty or start with a letter, "_" or ":" and hold only ` +
    `letters, digits, "_" and ":" (got ${JSON.stringify(value)}).`,
  badDefaultMetrics: (value: unknown) =>
    `Server option "metrics.defaultMetrics" must be true or false (got ${JSON.stringify(value)}).`,
  badRegistry: () =>
    'Server option "metrics.registry" must be a prom-client Registry (with registerMetric, ' +
    'getSingleMetric and removeSingleMetric).',
  nameTaken: (name: string) =>
    `The metrics registry already holds a metric named "${name}": another broadcast server (or the ` +
    'app) registered it. Give each server its own "metrics.prefix", or turn "metrics.defaultMetrics" ' +
    'off if the app collects the default metrics already.',
  cannotListen: (host: string, port: number, reason: string) =>
    `The metrics endpoint cannot listen on ${host}:${port}: ${reason}. Change "metrics.port" ` +
    '(or BROADCASTING_METRICS_PORT), or "metrics.host".',
  portInUse: (port: number) => `port ${port} is already in use (pick a free port, or 0)`,
  listening: (url: string) => `Prometheus metrics on ${url}`,
  notFound: (path: string) =>
    `Not found. This port serves Prometheus metrics on GET ${path} only.\n`,
  methodNotAllowed: (path: string) => `Use GET (or HEAD) on ${path}.\n`,
  scrapeFailed: (error: unknown) =>
    `Collecting the metrics failed: ${(error as Error)?.message ?? String(error)}`,
} satisfies Record<string, (...args: any[]) => string>;
