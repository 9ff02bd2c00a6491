import type { Worker } from 'node:cluster';
import type { Registry } from 'prom-client';
import type { PromClient } from '../../metrics/load-prom-client.js';
import type { ScrapeSource } from '../../metrics/metrics-http-server.js';
import { isWorkerMessage } from './worker-ipc.js';

/**
 * /metrics of several workers on one port. A scrape on the shared port would reach one
 * worker at random, so the primary serves the metrics port alone and asks each worker for
 * its registry over IPC; every value carries a `worker` label (1..N, kept by a
 * replacement), so nothing is summed away and `sum by (app_id)` gives the machine's total.
 * prom-client's own AggregatorRegistry asks every connected worker, including one still
 * booting that would never answer; asking only the ones that listen avoids that stall.
 */

/** Worker side: a registry labelled with the worker's slot that answers the primary. */
export function workerRegistry(prom: PromClient, slot: number): Registry {
  const registry = new prom.Registry();
  registry.setDefaultLabels({ worker: String(slot) });
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message, 'nestjs-broadcasting:metrics-request')) return;
    const { id } = message;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: 'nestjs-broadcasting:metrics', id, metrics }),
      (error: unknown) =>
        process.send?.({ type: 'nestjs-broadcasting:metrics', id, error: String(error) }),
    );
  });
  return registry;
}

/**
 * Primary side: the scrape source of the metrics port. Each listening worker's registry,
 * plus the primary's own (`own`: workers up, restarts). A worker that does not answer
 * within `timeoutMs` (dying at that moment) is left out of this scrape, not failed.
 */
export function workersScrape(
  prom: PromClient,
  workers: () => Worker[],
  own: Registry,
  timeoutMs = 3_000,
): ScrapeSource {
  let nextId = 0;
  return {
    contentType: prom.register.contentType,
    async metrics() {
      const id = ++nextId;
      const answers = await Promise.all(workers().map((worker) => ask(worker, id, timeoutMs)));
      const found = answers.filter((metrics): metrics is unknown[] => metrics !== undefined);
      const merged = prom.AggregatorRegistry.aggregate(found as never);
      return prom.Registry.merge([merged as Registry, own]).metrics();
    },
  };
}

function ask(worker: Worker, id: number, timeoutMs: number): Promise<unknown[] | undefined> {
  return new Promise((resolve) => {
    const done = (metrics: unknown[] | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(metrics);
    };
    const onMessage = (message: unknown) => {
      if (isWorkerMessage(message, 'nestjs-broadcasting:metrics') && message.id === id)
        done(message.error === undefined ? message.metrics : undefined);
    };
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    try {
      worker.send({ type: 'nestjs-broadcasting:metrics-request', id });
    } catch {
      done(undefined);
    }
  });
}
