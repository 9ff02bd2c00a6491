import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import { MetricsMessages } from './metrics-messages.js';
import type { ServerMetricsOptions } from './metrics-options.interface.js';
import type {
  ServerMetricsOption,
  ServerMetricsRegistryOptions,
} from './metrics-registry-options.interface.js';

/** Metrics options with every default filled in; `false` when metrics are off. */
export type ResolvedMetricsOptions = false | Required<ServerMetricsOptions>;

export const METRICS_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  path: '/metrics',
  prefix: 'broadcasting_',
  defaultMetrics: true,
});

/** Prometheus metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`, so a prefix is that or empty. */
const PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/**
 * The `metrics` option over the cascade's `server.metrics.port` (config file or
 * BROADCASTING_METRICS_PORT): off unless either asks for a port; `false` wins over both.
 * Validates each field and that the port is not the server's own.
 */
export function resolveMetricsOptions(
  given: ServerMetricsOptions | false | undefined,
  fromConfig: { port: number; source: ConfigSource } | undefined,
  serverPort: number,
): ResolvedMetricsOptions {
  if (given === false) return false;
  if (given === undefined && !fromConfig) return false;
  const source: ConfigSource = given === undefined ? fromConfig!.source : 'option';
  const options = given ?? { port: fromConfig!.port };
  const fail = (message: string, key: string): never => {
    throw new BroadcastConfigError(message, key, source);
  };
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    fail(MetricsMessages.notAnObject(options), 'metrics');
  const { port, host, path, prefix, defaultMetrics } = { ...METRICS_DEFAULTS, ...options };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)
    fail(MetricsMessages.badPort(port), 'metrics.port');
  if (port !== 0 && port === serverPort) fail(MetricsMessages.samePort(port), 'metrics.port');
  if (typeof host !== 'string' || host === '' || /[/\s]/.test(host))
    fail(MetricsMessages.badHost(host), 'metrics.host');
  if (typeof path !== 'string' || !path.startsWith('/'))
    fail(MetricsMessages.badPath(path), 'metrics.path');
  checkNaming(prefix, defaultMetrics, source);
  return { port, host, path, prefix, defaultMetrics };
}

/** True for the code-only variant that registers into an app's registry. */
export function isRegistryOption(
  option: ServerMetricsOption | undefined,
): option is ServerMetricsRegistryOptions {
  return typeof option === 'object' && option !== null && 'registry' in option;
}

/** The registry variant with its defaults (default metrics off: the app collects them). */
export function resolveRegistryOption(
  option: ServerMetricsRegistryOptions,
): Required<ServerMetricsRegistryOptions> {
  const { registry, prefix = METRICS_DEFAULTS.prefix, defaultMetrics = false } = option;
  const methods = ['registerMetric', 'getSingleMetric', 'removeSingleMetric'] as const;
  if (!registry || methods.some((name) => typeof registry[name] !== 'function'))
    throw new BroadcastConfigError(MetricsMessages.badRegistry(), 'metrics.registry', 'option');
  checkNaming(prefix, defaultMetrics, 'option');
  return { registry, prefix, defaultMetrics };
}

function checkNaming(prefix: unknown, defaultMetrics: unknown, source: ConfigSource): void {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix))
    throw new BroadcastConfigError(MetricsMessages.badPrefix(prefix), 'metrics.prefix', source);
  if (typeof defaultMetrics !== 'boolean')
    throw new BroadcastConfigError(
      MetricsMessages.badDefaultMetrics(defaultMetrics),
      'metrics.defaultMetrics',
      source,
    );
}
