import { describe, expect, it, vi } from 'vitest';
import { RawClient, useEngine, waitFor, type EngineHarness } from '../support/engine-harness.js';

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
    // Taken before connecting: the server's idle clock starts later, so the ping can only
    // come after a full activityTimeout of this one, however busy the machine.
    const started = Date.now();
    const client = await RawClient.connect(harness.url());
    await client.next('pusher:ping');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await client.closed()).toBe(4201);
  });

  it('uses one sweeping interval for all sockets rather than a timer per socket', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    let clients: RawClient[];
    try {
      harness = await engines.start({ activityTimeout: 1, pongTimeout: 1 });
      clients = await Promise.all(
        Array.from({ length: 20 }, () => RawClient.connect(harness!.url())),
      );
      expect(intervals).toHaveBeenCalledTimes(1);
      // The harness polls with 10 ms timeouts; an idle timer per socket would be >= 1000 ms.
      expect(timeouts.mock.calls.filter(([, ms]) => (ms ?? 0) >= 500)).toEqual([]);
    } finally {
      intervals.mockRestore();
      timeouts.mockRestore();
    }
    await Promise.all(clients.map((c) => c.next('pusher:ping')));
    clients.forEach((c) => c.close());
  });

  it('keeps a socket that answers the ping with pusher:pong', async () => {
    // An unanswered ping closes the socket 1 s after it; an answered one brings the next
    // ping 2 s after the answer. So a second ping proves the pong was heard.
    harness = await engines.start({ activityTimeout: 2, pongTimeout: 1 });
    const client = await RawClient.connect(harness.url());
    await waitFor(() => client.all('pusher:ping').length === 1, 10_000, 'the first ping');
    client.send({ event: 'pusher:pong', data: {} });
    await waitFor(
      () => client.closeCode !== undefined || client.all('pusher:ping').length === 2,
      10_000,
      'a second ping or a close',
    );
    expect(client.closeCode).toBeUndefined();
    client.send({ event: 'pusher:pong', data: {} });
    await client.flush();
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('counts WebSocket pong frames as activity', async () => {
    harness = await engines.start({ activityTimeout: 2, pongTimeout: 1 });
    const client = await RawClient.connect(harness.url());
    // Pong frames every 200 ms for more than two activity timeouts: no ping is ever due.
    const timer = setInterval(() => client.ws.pong(), 200);
    try {
      await new Promise((r) => setTimeout(r, 4500));
    } finally {
      clearInterval(timer);
    }
    expect(client.all('pusher:ping')).toEqual([]);
    expect(client.closeCode).toBeUndefined();
    client.close();
  });
});
