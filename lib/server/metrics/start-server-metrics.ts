import type { ServerLogger } from '../../shared/logger.js';
import { loadPromClient } from './load-prom-client.js';
import { listenMetricsServer, type MetricsHttpServer } from './metrics-http-server.js';
import { MetricsMessages } from './metrics-messages.js';
import type { ServerMetricsRegistryOptions } from './metrics-registry-options.interface.js';
import { PrometheusServerMetrics, type RedisLinkState } from './prometheus-server-metrics.js';
import { resolveRegistryOption, type ResolvedMetricsOptions } from './resolve-metrics-options.js';
import type { ServerMetrics } from './server-metrics.interface.js';

/** A server's metrics while it runs: what to hand the engine, and where they are served. */
export interface RunningMetrics {
  readonly metrics: ServerMetrics;
  /** The endpoint's URL when the metrics have a port of their own. */
  readonly url?: string;
  /** Where `redis_up` reads each Redis connection's state. */
  watchRedis(links: () => RedisLinkState[]): void;
  /** Stops the endpoint and takes the metrics out of the registry. Idempotent. */
  close(): Promise<void>;
}

/**
 * Turns metrics on, if asked: loads prom-client (an error names `npm install prom-client`
 * when it is missing), defines the metrics in the app's registry or in a registry of their
 * own, and serves the latter on the metrics port. Undefined when metrics are off.
 */
export async function startServerMetrics(
  own: ResolvedMetricsOptions,
  shared: ServerMetricsRegistryOptions | undefined,
  logger: ServerLogger,
): Promise<RunningMetrics | undefined> {
  if (shared) {
    const options = resolveRegistryOption(shared);
    const metrics = new PrometheusServerMetrics(await loadPromClient(), options.registry, options);
    return running(metrics);
  }
  if (!own) return undefined;
  const prom = await loadPromClient();
  const registry = new prom.Registry();
  const metrics = new PrometheusServerMetrics(prom, registry, own);
  let http: MetricsHttpServer;
  try {
    http = await listenMetricsServer(registry, own, logger);
  } catch (error) {
    metrics.unregister();
    throw error;
  }
  logger.log(MetricsMessages.listening(http.url));
  return running(metrics, http);
}

function running(metrics: PrometheusServerMetrics, http?: MetricsHttpServer): RunningMetrics {
  let closing: Promise<void> | undefined;
  return {
    metrics,
    url: http?.url,
    watchRedis: (links) => metrics.watchRedis(links),
    close: () =>
      (closing ??= (async () => {
        await http?.close();
        metrics.unregister();
      })()),
  };
}
