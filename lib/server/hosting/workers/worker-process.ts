import cluster from 'node:cluster';
import type { ServerLogger } from '../../../shared/logger.js';
import { loadPromClient } from '../../metrics/load-prom-client.js';
import type { ServerMetricsRegistryOptions } from '../../metrics/metrics-registry-options.interface.js';
import type { ResolvedMetricsOptions } from '../../metrics/resolve-metrics-options.js';
import { WORKER_ENV } from './worker-ipc.js';
import { workerRegistry } from './worker-metrics.js';

/** The worker's slot (1..N) when this process is a worker of `serve --workers`. */
export function workerSlot(env: Record<string, string | undefined>): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(env[WORKER_ENV]);
  return Number.isInteger(slot) && slot > 0 ? slot : undefined;
}

/** Every line says which worker wrote it: in the text and, for JSON logs, as fields. */
export function workerLogger(sink: ServerLogger, slot: number): ServerLogger {
  const tag = `worker ${slot}: `;
  const fields = (more?: Record<string, unknown>) => ({ worker: slot, pid: process.pid, ...more });
  const debug = sink.debug?.bind(sink);
  return {
    log: (message, more) => sink.log(tag + message, fields(more)),
    warn: (message, more) => sink.warn(tag + message, fields(more)),
    error: (message, more) => sink.error(tag + message, fields(more)),
    ...(debug && {
      debug: (message: string, more?: Record<string, unknown>) =>
        debug(tag + message, fields(more)),
    }),
  };
}

/**
 * The worker's metrics: not a port of its own (the primary serves the one metrics port)
 * but a registry the primary reads over IPC. Undefined when metrics are off.
 */
export async function workerMetrics(
  metrics: ResolvedMetricsOptions,
  slot: number,
): Promise<ServerMetricsRegistryOptions | undefined> {
  if (!metrics) return undefined;
  const registry = workerRegistry(await loadPromClient(), slot);
  return { registry, prefix: metrics.prefix, defaultMetrics: metrics.defaultMetrics };
}

/** Tells the primary this worker listens. */
export function reportReady(url: string): void {
  process.send?.({ type: 'nestjs-broadcasting:ready', url });
}
