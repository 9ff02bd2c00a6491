import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import { PrometheusServerMetrics } from './prometheus-server-metrics.js';
import { resolveMetricsOptions } from './resolve-metrics-options.js';
import type { EngineGauges } from './server-metrics.interface.js';

const sample = async (
  registry: prom.Registry,
  name: string,
  labels: Record<string, string> = {},
) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{
    labels: Record<string, unknown>;
    value: number;
  }>;
  return values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))
    ?.value;
};

function metricsIn(registry = new prom.Registry()) {
  const metrics = new PrometheusServerMetrics(prom, registry, {
    prefix: 'broadcasting_',
    defaultMetrics: false,
  });
  return { registry, metrics };
}

describe('PrometheusServerMetrics', () => {
  it('turns the per-app tallies into counters on scrape', async () => {
    const { registry, metrics } = metricsIn();
    const app = metrics.forApp('a');
    expect(metrics.forApp('a')).toBe(app); // one recorder per app, kept by the engine
    app.connectionOpened();
    app.connectionOpened();
    app.connectionClosed(1000);
    app.connectionClosed(4100);
    app.connectionClosed(4100);
    app.messageReceived();
    app.messagesSent(1);
    app.fannedOut(250, performance.now());
    app.slowConsumerClosed();
    expect(await sample(registry, 'broadcasting_connections_opened_total', { app_id: 'a' })).toBe(
      2,
    );
    expect(
      await sample(registry, 'broadcasting_connections_closed_total', {
        app_id: 'a',
        code: '4100',
      }),
    ).toBe(2);
    expect(await sample(registry, 'broadcasting_ws_messages_sent_total', { app_id: 'a' })).toBe(
      251,
    );
    expect(await sample(registry, 'broadcasting_ws_messages_received_total', { app_id: 'a' })).toBe(
      1,
    );
    expect(await sample(registry, 'broadcasting_slow_consumer_closes_total', { app_id: 'a' })).toBe(
      1,
    );
    // Counters never go back: a second scrape reads the same totals.
    expect(await sample(registry, 'broadcasting_ws_messages_sent_total', { app_id: 'a' })).toBe(
      251,
    );
  });

  it('observes one delivery time per fan-out, at the flush that sends its frames', async () => {
    const { registry, metrics } = metricsIn();
    const app = metrics.forApp('a');
    const arrived = performance.now() - 20; // 20 ms ago
    app.fannedOut(3, arrived);
    app.fannedOut(1, arrived);
    const count = () => sample(registry, 'broadcasting_delivery_seconds', { le: '+Inf' });
    expect(await count()).toBe(0);
    metrics.flushed();
    expect(await count()).toBe(2);
    expect(await sample(registry, 'broadcasting_delivery_seconds', { le: '0.01' })).toBe(0);
    metrics.flushed(); // nothing pending: nothing observed
    expect(await count()).toBe(2);
  });

  it('reads the gauges from the engine at scrape time', async () => {
    const { registry, metrics } = metricsIn();
    let connections = 3;
    const engine: EngineGauges = {
      appIds: () => ['a'],
      localConnectionCount: () => connections,
      localChannelKinds: () => new Map([['presence', 2]]),
    };
    metrics.attach(engine);
    expect(await sample(registry, 'broadcasting_connections', { app_id: 'a' })).toBe(3);
    connections = 1;
    expect(await sample(registry, 'broadcasting_connections', { app_id: 'a' })).toBe(1);
    expect(await sample(registry, 'broadcasting_channels', { app_id: 'a', type: 'presence' })).toBe(
      2,
    );
    expect(await sample(registry, 'broadcasting_channels', { app_id: 'a', type: 'public' })).toBe(
      0,
    );
  });

  it('refuses a registry that holds one of its names, naming it and leaving none of its own behind', () => {
    const registry = new prom.Registry();
    const theirs = new prom.Gauge({
      name: 'broadcasting_channels',
      help: 'x',
      registers: [registry],
    });
    const error = (() => {
      try {
        metricsIn(registry);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toContain('"broadcasting_channels"');
    expect(registry.getMetricsAsArray()).toEqual([theirs]);
  });

  it('unregisters exactly its own metrics, default ones included', () => {
    const registry = new prom.Registry();
    const theirs = new prom.Counter({ name: 'app_total', help: 'x', registers: [registry] });
    const metrics = new PrometheusServerMetrics(prom, registry, {
      prefix: 'ws_',
      defaultMetrics: true,
    });
    expect(registry.getSingleMetric('process_cpu_user_seconds_total')).toBeDefined();
    expect(registry.getSingleMetric('ws_connections')).toBeDefined();
    metrics.unregister();
    expect(registry.getMetricsAsArray()).toEqual([theirs]);
  });
});

describe('resolveMetricsOptions', () => {
  it('is off unless an option or the cascade asks for a port; false wins', () => {
    expect(resolveMetricsOptions(undefined, undefined, 6001)).toBe(false);
    expect(resolveMetricsOptions(false, { port: 9601, source: 'env' }, 6001)).toBe(false);
    expect(resolveMetricsOptions(undefined, { port: 9601, source: 'env' }, 6001)).toEqual({
      port: 9601,
      host: '127.0.0.1',
      path: '/metrics',
      prefix: 'broadcasting_',
      defaultMetrics: true,
    });
  });

  it('says where a port that clashes with the server came from', () => {
    const error = (() => {
      try {
        resolveMetricsOptions(undefined, { port: 6001, source: 'file' }, 6001);
      } catch (e) {
        return e as BroadcastConfigError;
      }
    })();
    expect(error?.key).toBe('metrics.port');
    expect(error?.source).toBe('file');
  });
});
