import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Counter, Registry, register } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastConfigError } from 'nestjs-broadcasting';
import {
  BroadcastServer,
  BroadcastServerModule,
  startBroadcastServer,
  type BroadcastServerModuleOptions,
  type BroadcastServerHandle,
} from 'nestjs-broadcasting/server';
import { RawClient, TEST_APP } from '../support/engine-harness.js';
import { waitFor } from '../support/broadcast-server-harness.js';
import { Metrics, scrapeUntil } from '../support/metrics-scrape.js';

/**
 * Metrics of `BroadcastServerModule` in a real Nest app: on a port of their own, or
 * registered into a prom-client Registry the app serves (prom-client's global `register`,
 * the one `@willsoto/nestjs-prometheus` exposes).
 */
const SERVER: BroadcastServerModuleOptions = {
  apps: [TEST_APP],
  localHub: false,
  redis: false,
  logger: false,
};

/** The app's own /metrics route over prom-client's global registry, as an exporter serves it. */
@Controller()
class AppMetricsController {
  @Get('metrics')
  async metrics() {
    return register.metrics();
  }
}

let app: INestApplication | undefined;
const sockets: RawClient[] = [];
const handles: BroadcastServerHandle[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await app?.close();
  app = undefined;
  for (const handle of handles.splice(0)) await handle.close();
});

async function boot(options: BroadcastServerModuleOptions) {
  @Module({
    imports: [BroadcastServerModule.forRoot(options)],
    controllers: [AppMetricsController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = moduleRef.createNestApplication();
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as { port: number }).port;
}

async function connect(port: number) {
  const socket = await RawClient.connect(`ws://127.0.0.1:${port}/app/${TEST_APP.key}?protocol=7`);
  sockets.push(socket);
  return socket;
}

describe('BroadcastServerModule metrics', () => {
  it('serves them on their own port with `metrics: { port }`, not on the app’s', async () => {
    const appPort = await boot({ ...SERVER, metrics: { port: 0 } });
    const metricsUrl = app!.get(BroadcastServer).metricsUrl!;
    expect(new URL(metricsUrl).port).not.toBe(String(appPort));
    await connect(appPort);
    await connect(appPort);
    const m = await scrapeUntil(
      metricsUrl,
      (s) => s.value('broadcasting_connections', { app_id: TEST_APP.id }) === 2,
      '2 connections',
    );
    expect(m.value('broadcasting_connections_opened_total', { app_id: TEST_APP.id })).toBe(2);
    // The app's own /metrics (the global registry) does not hold the server's.
    const appMetrics = await (await fetch(`http://127.0.0.1:${appPort}/metrics`)).text();
    expect(appMetrics).not.toContain('broadcasting_connections');
  });

  it('registers into the app’s registry with `metrics: { registry }`, and takes them out on close', async () => {
    const appCounter = new Counter({ name: 'app_orders_total', help: 'The app’s own.' });
    try {
      const appPort = await boot({ ...SERVER, metrics: { registry: register } });
      expect(app!.get(BroadcastServer).metricsUrl).toBeUndefined();
      await connect(appPort);
      const served = async () =>
        new Metrics(await (await fetch(`http://127.0.0.1:${appPort}/metrics`)).text());
      const m = await waitFor(
        async () => {
          const current = await served();
          return (
            current.value('broadcasting_connections', { app_id: TEST_APP.id }) === 1 && current
          );
        },
        10_000,
        'the connection in the app’s /metrics',
      );
      expect(m.names()).toContain('app_orders_total');
      // Default process metrics are the app exporter's business here.
      expect(m.names().some((name) => name.startsWith('process_'))).toBe(false);

      await app!.close();
      app = undefined;
      expect(register.getSingleMetric('broadcasting_connections')).toBeUndefined();
      expect(register.getSingleMetric('app_orders_total')).toBe(appCounter);
    } finally {
      register.removeSingleMetric('app_orders_total');
    }
  });

  it('refuses a second server with the same names in one registry, naming the metric; a prefix separates them', async () => {
    const registry = new Registry();
    const first = await startBroadcastServer({
      ...SERVER,
      port: 0,
      host: '127.0.0.1',
      metrics: { registry },
    });
    handles.push(first);
    const error = await startBroadcastServer({
      ...SERVER,
      port: 0,
      host: '127.0.0.1',
      metrics: { registry },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as BroadcastConfigError).key).toBe('metrics.prefix');
    expect((error as Error).message).toContain(
      'already holds a metric named "broadcasting_connections"',
    );

    const second = await startBroadcastServer({
      ...SERVER,
      port: 0,
      host: '127.0.0.1',
      metrics: { registry, prefix: 'second_' },
    });
    handles.push(second);
    await connect(first.port);
    const m = new Metrics(await registry.metrics());
    expect(m.value('broadcasting_connections', { app_id: TEST_APP.id })).toBe(1);
    expect(m.value('second_connections', { app_id: TEST_APP.id })).toBe(0);
  });

  it('refuses a registry that is not one', async () => {
    const error = await boot({
      ...SERVER,
      metrics: { registry: {} as unknown as Registry },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toMatch(/must be a prom-client Registry/);
  });

  it('leaves metrics off by default', async () => {
    await boot(SERVER);
    expect(app!.get(BroadcastServer).metricsUrl).toBeUndefined();
    expect(register.getSingleMetric('broadcasting_connections')).toBeUndefined();
  });
});
