import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PusherConnection } from '../../../lib/server/engine/pusher-connection.js';
import { PONG_FRAME } from '../../../lib/server/protocol/frames.js';
import { RawClient, useEngine, TEST_APP, waitFor } from '../support/engine-harness.js';

const engines = useEngine();
afterEach(() => {
  vi.restoreAllMocks();
});

const N = 200;

/** Subscribers on `channel`, connected to the running engine. */
async function subscribers(count: number, channel: string): Promise<RawClient[]> {
  const clients = await Promise.all(
    Array.from({ length: count }, () => RawClient.connect(engines.harness.url())),
  );
  for (const c of clients) await c.subscribe(channel);
  return clients;
}

/** Publishes `tick` events n = from..from+count-1, all in this one synchronous stretch. */
function burst(from: number, count: number, channel = 'burst'): void {
  for (let n = from; n < from + count; n++)
    engines.harness.engine.publish(TEST_APP.id, [channel], 'tick', `{"n":${n}}`);
}

/** The `n` of every tick (and 'pong' for each pong) a client received after `from`. */
function received(client: RawClient, from = 0): Array<number | 'pong'> {
  return client.frames
    .slice(from)
    .filter((f) => f.event === 'tick' || f.event === 'pusher:pong')
    .map((f) => (f.event === 'tick' ? JSON.parse(f.data as string).n : 'pong'));
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('fan-out, sockets corked per event-loop turn', () => {
  it('delivers every event of a synchronous burst to every subscriber, in order', async () => {
    await engines.start();
    const clients = await subscribers(3, 'burst');
    burst(0, N);
    burst(N, N); // a second burst in the same turn: the socket is already corked
    for (const c of clients) {
      await waitFor(() => c.all('tick').length >= 2 * N, 3000, `${2 * N} ticks`);
      expect(received(c)).toEqual(range(0, 2 * N));
    }
  });

  it('keeps a pong answered inside a corked turn between the bursts published around it', async () => {
    await engines.start();
    const [client, other] = await subscribers(2, 'burst');
    const send = PusherConnection.prototype.send;
    // When the server answers this ping, publish one burst before the pong and one after,
    // all in the same turn: the pong goes through the same corked socket as the bursts.
    vi.spyOn(PusherConnection.prototype, 'send').mockImplementation(function (
      this: PusherConnection,
      frame: string,
    ) {
      if (frame !== PONG_FRAME) return send.call(this, frame);
      burst(0, N);
      send.call(this, frame);
      burst(N, N);
    });
    const from = client.frames.length;
    client.send({ event: 'pusher:ping', data: {} });
    await waitFor(() => client.all('tick').length >= 2 * N, 3000, `${2 * N} ticks`);
    expect(received(client, from)).toEqual([...range(0, N), 'pong', ...range(N, N)]);
    await waitFor(() => other.all('tick').length >= 2 * N, 3000, `${2 * N} ticks`);
    expect(received(other)).toEqual(range(0, 2 * N));
  });

  it('flushes a corked burst before the 4200 close when the engine closes in the same turn', async () => {
    await engines.start();
    const clients = await subscribers(2, 'burst');
    burst(0, N);
    const closing = engines.harness.engine.close();
    for (const c of clients) {
      expect(await c.closed()).toBe(4200);
      expect(received(c)).toEqual(range(0, N));
    }
    await closing;
  });

  it('writes a burst to each socket in a couple of writes, not one per event', async () => {
    await engines.start();
    const clients = await subscribers(3, 'burst');
    // Server-side sockets (accepted by the http server) carry `server`; the clients' do not.
    const writes = new Map<Socket, number>();
    type Write = (this: Socket & { server?: unknown }, ...args: unknown[]) => unknown;
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', Write>;
    const originals = { _write: proto._write, _writev: proto._writev };
    for (const method of ['_write', '_writev'] as const)
      proto[method] = function (...args) {
        if (this.server) writes.set(this, (writes.get(this) ?? 0) + 1);
        return originals[method].apply(this, args);
      };
    try {
      burst(0, N);
      for (const c of clients) await waitFor(() => c.all('tick').length >= N, 3000, `${N} ticks`);
    } finally {
      Object.assign(proto, originals);
    }
    expect(writes.size).toBe(3);
    // Uncorked, each ws.send is its own write: N per socket.
    for (const calls of writes.values()) expect(calls).toBeLessThanOrEqual(2);
    for (const c of clients) expect(received(c)).toEqual(range(0, N));
  });
});

describe('fan-out, corking and the slow-consumer guard', () => {
  it('does not close a reading subscriber that gets more than maxBufferedBytes in one turn', async () => {
    await engines.start({ maxBufferedBytes: 16 * 1024 });
    const clients = await subscribers(2, 'big');
    const payload = JSON.stringify({ blob: 'x'.repeat(4 * 1024) });
    // 12 × 4 KiB in one turn: 48 KiB corked per socket, three times the limit, but the
    // kernel takes it at once; only bytes it refuses make a slow consumer.
    for (let i = 0; i < 12; i++)
      engines.harness.engine.publish(TEST_APP.id, ['big'], 'blob', payload);
    for (const c of clients) {
      await waitFor(() => c.all('blob').length >= 12 || c.closeCode, 3000, '12 blobs');
      expect(c.closeCode).toBeUndefined();
      expect(c.all('blob')).toHaveLength(12);
    }
  });
});
