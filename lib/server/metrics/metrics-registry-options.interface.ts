import type { ServerMetricsOptions } from './metrics-options.interface.js';

/**
 * The part of a prom-client `Registry` the server registers into: any prom-client 15
 * `Registry` fits (`register`, prom-client's global one that `@willsoto/nestjs-prometheus`
 * serves, or one of your own). Structural, so this package's types need no prom-client.
 */
export interface PrometheusRegistry {
  registerMetric(metric: any): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/**
 * Register the server's metrics into a registry the app already serves, instead of
 * serving them on a port of their own. Code only (a registry cannot come from a file).
 */
export interface ServerMetricsRegistryOptions {
  /** The prom-client `Registry` to register into; the app's exporter serves it. */
  registry: PrometheusRegistry;
  /**
   * Prefix of every metric name the server defines.
   * @default 'broadcasting_'
   */
  prefix?: string;
  /**
   * Also register prom-client's default process metrics. Off by default here, since an
   * app that serves a registry usually collects them already (twice is an error).
   * @default false
   */
  defaultMetrics?: boolean;
}

/**
 * The `metrics` option where a registry can be given in code: `BroadcastServerModule`
 * and `startBroadcastServer`. `false` turns metrics off even if the config file or
 * BROADCASTING_METRICS_PORT turns them on.
 */
export type ServerMetricsOption = ServerMetricsOptions | ServerMetricsRegistryOptions | false;
