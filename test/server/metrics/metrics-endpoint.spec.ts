import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastConfigError } from 'nestjs-broadcasting';
import { resolveBroadcastConfig } from '../../../lib/config/resolve-config.js';
import type { BroadcastServerHandle } from '../../../lib/server/hosting/start-broadcast-server.js';
import { freePort } from '../scaling/support/cluster-harness.js';
import {
  serverSdk,
  signedFetch,
  startTestServer,
  useTestServers,
} from '../support/broadcast-server-harness.js';
import { RawClient, TEST_APP } from '../support/engine-harness.js';
import { scrape, scrapeUntil, type Metrics } from '../support/metrics-scrape.js';

/**
 * The Prometheus endpoint of a real server (startBroadcastServer), scraped over HTTP while
 * real WebSocket clients connect, subscribe and leave.
 */
const servers = useTestServers();
const raws: RawClient[] = [];
afterEach(() => {
  for (const raw of raws.splice(0)) raw.ws.terminate();
});

const APP = TEST_APP;
const ISSUE_METRICS = [
  'broadcasting_connections',
  'broadcasting_connections_opened_total',
  'broadcasting_connections_closed_total',
  'broadcasting_ws_messages_received_total',
  'broadcasting_ws_messages_sent_total',
  'broadcasting_channels',
  'broadcasting_http_requests_total',
  'broadcasting_slow_consumer_closes_total',
  'broadcasting_delivery_seconds',
  'broadcasting_redis_up',
];

function start(options: Parameters<typeof servers.start>[0] = {}) {
  return servers.start({ apps: [APP], metrics: { port: 0 }, ...options });
}

async function connect(server: BroadcastServerHandle): Promise<RawClient> {
  const raw = await RawClient.connect(`ws://127.0.0.1:${server.port}/app/${APP.key}?protocol=7`);
  raws.push(raw);
  return raw;
}

const metrics = (server: BroadcastServerHandle) => scrape(server.metricsUrl!);

const scrapeServerUntil = (
  server: BroadcastServerHandle,
  check: (m: Metrics) => boolean,
  what: string,
) => scrapeUntil(server.metricsUrl!, check, what);

describe('Prometheus metrics: the endpoint', () => {
  it('serves /metrics on a port of its own, never on the public port', async () => {
    const server = await start();
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(server.metricsUrl!).port).not.toBe(String(server.port));
    const m = await metrics(server);
    for (const name of ISSUE_METRICS) expect(m.names()).toContain(name);
    // Without scaling or Redis delivery there is no Redis connection to report.
    expect(m.samples.filter((s) => s.name === 'broadcasting_redis_up')).toEqual([]);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  it('has prom-client’s default process metrics, unless turned off; the prefix renames ours', async () => {
    const withDefaults = await start();
    const m = await metrics(withDefaults);
    // RSS is read when Prometheus scrapes, so it is never 0. CPU seconds count from registration
    // in whole scheduler ticks and can still read 0 on a loaded machine: check they are there.
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.value('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    await withDefaults.close();

    const bare = await start({ metrics: { port: 0, defaultMetrics: false, prefix: 'ws_' } });
    const names = (await metrics(bare)).names();
    expect(names).toContain('ws_connections');
    expect(names.filter((name) => !name.startsWith('ws_'))).toEqual([]);
  });

  it('answers 404 on other paths and 405 to other methods; serves a custom path', async () => {
    const server = await start({ metrics: { port: 0, path: '/prom' } });
    expect(server.metricsUrl).toMatch(/\/prom$/);
    const base = new URL(server.metricsUrl!).origin;
    const other = await fetch(`${base}/metrics`);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('GET /prom');
    const post = await fetch(server.metricsUrl!, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(server.metricsUrl!, { method: 'HEAD' })).status).toBe(200);
  });

  it('shows app ids but never an app key or secret', async () => {
    const server = await start();
    await connect(server);
    const m = await metrics(server);
    expect(m.value('broadcasting_connections', { app_id: APP.id })).toBe(1);
    expect(m.text).not.toContain(APP.secret);
    expect(m.text).not.toContain(APP.key);
  });

  it('turns on from BROADCASTING_METRICS_PORT, and `metrics: false` keeps them off', async () => {
    const config = await resolveBroadcastConfig({}, { env: { BROADCASTING_METRICS_PORT: '0' } });
    const fromEnv = await start({ config, metrics: undefined });
    expect(fromEnv.metricsUrl).toBeDefined();
    expect((await metrics(fromEnv)).names()).toContain('broadcasting_connections');
    await fromEnv.close();

    const off = await start({ config, metrics: false });
    expect(off.metricsUrl).toBeUndefined();
  });
});

describe('Prometheus metrics: what they count', () => {
  it('the connections gauge follows the live sockets; closes are counted by close code', async () => {
    const server = await start();
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(server)));
    let m = await scrapeServerUntil(
      server,
      (s) => s.value('broadcasting_connections', { app_id: APP.id }) === 5,
      '5 connections',
    );
    expect(m.value('broadcasting_connections_opened_total', { app_id: APP.id })).toBe(5);

    clients[0].ws.close(1000);
    clients[1].ws.close(3001, 'bye');
    await clients[2].signin({ id: 'u-1' });
    await serverSdk(server, APP).terminateUserConnections('u-1');
    expect(await clients[2].closed()).toBe(4009);

    m = await scrapeServerUntil(
      server,
      (s) => s.value('broadcasting_connections', { app_id: APP.id }) === 2,
      '2 connections left',
    );
    const closed = (code: string) =>
      m.value('broadcasting_connections_closed_total', { app_id: APP.id, code });
    expect([closed('1000'), closed('3001'), closed('4009')]).toEqual([1, 1, 1]);
    expect(m.value('broadcasting_connections_opened_total', { app_id: APP.id })).toBe(5);
  });

  it('counts a fan-out’s frames once per recipient, and observes one delivery time for it', async () => {
    const server = await start();
    const readers = await Promise.all(Array.from({ length: 3 }, () => connect(server)));
    for (const reader of readers) await reader.subscribe('news');
    const bystander = await connect(server);
    await bystander.subscribe('weather');

    const before = await metrics(server);
    const sent = (m: Metrics) =>
      m.value('broadcasting_ws_messages_sent_total', { app_id: APP.id })!;
    const deliveries = (m: Metrics) => m.value('broadcasting_delivery_seconds_count')!;

    await serverSdk(server, APP).trigger('news', 'headline', { n: 1 });
    for (const reader of readers) await reader.next('headline', 'news');
    const after = await metrics(server);
    expect(sent(after) - sent(before)).toBe(3);
    expect(deliveries(after) - deliveries(before)).toBe(1);
    expect(after.value('broadcasting_delivery_seconds_sum')).toBeGreaterThan(0);

    // A publish that reaches nobody writes no frame and delivers nothing.
    await serverSdk(server, APP).trigger('empty-room', 'headline', { n: 2 });
    await bystander.flush(); // one ping in, one pong out
    const idle = await metrics(server);
    expect(sent(idle) - sent(after)).toBe(1);
    expect(deliveries(idle)).toBe(deliveries(after));
  });

  it('counts frames received from clients', async () => {
    const server = await start();
    const client = await connect(server);
    const received = (m: Metrics) =>
      m.value('broadcasting_ws_messages_received_total', { app_id: APP.id })!;
    const before = received(await metrics(server));
    await client.subscribe('news');
    await client.flush();
    await client.flush();
    expect(received(await metrics(server)) - before).toBe(3);
  });

  it('the channels gauge counts occupied channels by type', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    await a.subscribe('news');
    await b.subscribe('news');
    await a.subscribe('sport');
    await a.subscribe('private-orders.1');
    await a.subscribe('private-encrypted-vault');
    await b.subscribe('presence-room', { user_id: 'u-1', user_info: {} });
    const channels = (m: Metrics, type: string) =>
      m.value('broadcasting_channels', { app_id: APP.id, type });
    const m = await metrics(server);
    expect(
      ['public', 'private', 'encrypted', 'presence', 'server-to-user'].map((t) => channels(m, t)),
    ).toEqual([2, 1, 1, 1, 0]);

    b.ws.close();
    const later = await scrapeServerUntil(
      server,
      (s) => channels(s, 'presence') === 0,
      'the presence channel vacated',
    );
    expect(channels(later, 'public')).toBe(2); // `news` keeps a's subscription
  });

  it('counts HTTP API requests by route and status', async () => {
    const server = await start();
    const sdk = serverSdk(server, APP);
    await sdk.trigger('news', 'e', {});
    await sdk.trigger('news', 'e', {});
    await sdk.get({ path: '/channels' });
    const badSignature = await signedFetch(server, 'POST', `/apps/${APP.id}/events`, {
      body: JSON.stringify({ name: 'e', channels: ['news'], data: '{}' }),
      app: APP,
      secret: 'not-the-secret',
    });
    expect(badSignature.status).toBe(401);
    expect((await fetch(`${server.url}/apps/nobody/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/up`)).status).toBe(200);

    const m = await scrapeServerUntil(
      server,
      (s) => s.value('broadcasting_http_requests_total', { route: 'up', status: '200' }) === 1,
      'the /up request counted',
    );
    const requests = (route: string, status: string) =>
      m.value('broadcasting_http_requests_total', { route, status });
    expect(requests('events', '200')).toBe(2);
    expect(requests('channels', '200')).toBe(1);
    expect(requests('events', '401')).toBe(1);
    expect(requests('unknown', '404')).toBe(1);
  });

  it('counts slow consumers closed with 4100, by the server’s code even when the client never answers', async () => {
    const server = await start({ maxBufferedBytes: 64 * 1024 });
    const slow = await connect(server);
    await slow.subscribe('firehose');
    slow.ws.pause(); // stops reading: the server's send buffer for it fills up
    const payload = JSON.stringify({ blob: 'x'.repeat(64 * 1024) });
    const slowClosed = (m: Metrics) =>
      m.value('broadcasting_slow_consumer_closes_total', { app_id: APP.id }) === 1;
    for (let i = 0; i < 200 && !slowClosed(await metrics(server)); i++) {
      server.engine.publish(APP.id, ['firehose'], 'blob', payload);
      await new Promise((r) => setImmediate(r));
    }
    // Gone without a closing handshake: the socket itself would report 1006.
    slow.ws.terminate();
    const m = await scrapeServerUntil(
      server,
      (s) => s.value('broadcasting_connections', { app_id: APP.id }) === 0,
      'the slow consumer gone',
    );
    expect(m.value('broadcasting_slow_consumer_closes_total', { app_id: APP.id })).toBe(1);
    expect(m.value('broadcasting_connections_closed_total', { app_id: APP.id, code: '4100' })).toBe(
      1,
    );
    expect(
      m.value('broadcasting_connections_closed_total', { app_id: APP.id, code: '1006' }),
    ).toBeUndefined();
  });
});

describe('Prometheus metrics: bad settings', () => {
  const listeners: Server[] = [];
  afterEach(() => {
    for (const listener of listeners.splice(0)) listener.close();
  });
  const listen = async (port: number) => {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    listeners.push(server);
    return server;
  };

  it('refuses metrics on the server’s own port', async () => {
    const error = await startTestServer({ port: 6_123, metrics: { port: 6_123 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as BroadcastConfigError).key).toBe('metrics.port');
    expect((error as Error).message).toContain('metrics are never served where clients connect');
  });

  it('names the bad field', async () => {
    for (const [metrics, key] of [
      [{ port: 0, prefix: '9lives' }, 'metrics.prefix'],
      [{ port: 70_000 }, 'metrics.port'],
      [{ port: 0, path: 'metrics' }, 'metrics.path'],
    ] as const) {
      const error = await startTestServer({ metrics }).catch((e: unknown) => e);
      expect(error, key).toBeInstanceOf(BroadcastConfigError);
      expect((error as BroadcastConfigError).key).toBe(key);
    }
  });

  it('a busy metrics port is an error naming it, and the public port is left free', async () => {
    const busy = await listen(0);
    const port = (busy.address() as { port: number }).port;
    const publicPort = await freePort();
    const error = await startTestServer({ port: publicPort, metrics: { port } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toBe(
      `The metrics endpoint cannot listen on 127.0.0.1:${port}: port ${port} is already in use ` +
        '(pick a free port, or 0). Change "metrics.port" (or BROADCASTING_METRICS_PORT), or "metrics.host".',
    );
    await listen(publicPort); // rejects if the server were still listening there
  });
});
