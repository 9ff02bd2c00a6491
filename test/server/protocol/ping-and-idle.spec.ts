import { describe, expect, it, vi } from 'vitest';
import { RawClient, useEngine, type EngineHarness } from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness | undefined;

describe('ping and idle connections', () => {
  it('answers pusher:ping with pusher:pong', async () => {
    harness = await engines.start();
    const client = await RawClient.connect(harness.url());
    client.send({ event: 'pusher:ping', data: {} });
    expect(await client.next('pusher:pong')).toEqual({ event: 'pusher:pong', data: '{}' });
    client.close();
  });

  it('answers WebSocket ping frames', async () => {
    harness = await engines.start();
    const client = await RawClient.connect(harness.url());
    const pong = new Promise<Buffer>((resolve) => client.ws.once('pong', resolve));
    client.ws.ping('hello');
    expect((await pong).toString()).toBe('hello');
    client.close();
  });

  it('pings a silent socket after activityTimeout and closes it with 4201 when no pong comes', async () => {
    harness = await engines.start({ activityTimeout: 1, pongTimeout: 1 });
    const client = await RawClient.connect(harness.url());
    const started = Date.now();
    await client.next('pusher:ping');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await client.closed()).toBe(4201);
  });

  it('uses one sweeping interval for all sockets rather than a timer per socket', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    harness = await engines.start({ activityTimeout: 1, pongTimeout: 1 });
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => RawClient.connect(harness!.url())),
    );
    expect(intervals).toHaveBeenCalledTimes(1);
    // The harness polls with 10 ms timeouts; an idle timer per socket would be >= 1000 ms.
    expect(timeouts.mock.calls.filter(([, ms]) => (ms ?? 0) >= 500)).toEqual([]);
    intervals.mockRestore();
    timeouts.mockRestore();
    await Promise.all(clients.map((c) => c.next('pusher:ping')));
    clients.forEach((c) => c.close());
  });

  it('keeps a socket that answers the ping with pusher:pong', async () => {
    harness = await engines.start({ activityTimeout: 1, pongTimeout: 1 });
    const client = await RawClient.connect(harness.url());
    await client.next('pusher:ping');
    client.send({ event: 'pusher:pong', data: {} });
    const seen = client.frames.length;
    await client.next('pusher:ping', undefined, seen); // pinged again after another second
    client.send({ event: 'pusher:pong', data: {} });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('counts WebSocket pong frames as activity', async () => {
    harness = await engines.start({ activityTimeout: 1, pongTimeout: 1 });
    const client = await RawClient.connect(harness.url());
    const timer = setInterval(() => client.ws.pong(), 200);
    await new Promise((r) => setTimeout(r, 2500));
    clearInterval(timer);
    expect(client.all('pusher:ping')).toEqual([]);
    expect(client.closeCode).toBeUndefined();
    client.close();
  });
});
