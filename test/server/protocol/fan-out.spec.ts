import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  RawClient,
  useEngine,
  TEST_APP,
  waitFor,
  type EngineHarness,
} from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness | undefined;
afterEach(() => {
  vi.restoreAllMocks();
});

describe('fan-out', () => {
  it('serializes a publish once per channel and sends the same Buffer to every subscriber', async () => {
    harness = await engines.start();
    const clients = await Promise.all([0, 1, 2].map(() => RawClient.connect(harness!.url())));
    for (const c of clients) {
      await c.subscribe('a');
      await c.subscribe('b');
    }
    const send = vi.spyOn(WebSocket.prototype, 'send');
    harness.engine.publish(TEST_APP.id, ['a', 'b'], 'tick', '{"n":1}', clients[2].socketId);
    const frames = send.mock.calls.map((call) => call[0]);
    expect(frames).toHaveLength(4);
    expect(frames[0]).toBeInstanceOf(Buffer);
    expect(frames[1]).toBe(frames[0]);
    expect(frames[3]).toBe(frames[2]);
    expect(frames[2]).not.toBe(frames[0]);
    expect(send.mock.calls[0][1]).toMatchObject({ binary: false });
    send.mockRestore();
    for (const c of clients.slice(0, 2)) {
      expect((await c.next('tick', 'a')).data).toBe('{"n":1}');
      expect((await c.next('tick', 'b')).data).toBe('{"n":1}');
    }
    clients.forEach((c) => c.close());
  });

  it('sends each channel of a multi-channel publish its own byte-exact frame', async () => {
    harness = await engines.start();
    const channels = ['a', 'private-b', 'c;x=1@y'];
    const clients = await Promise.all([0, 1].map(() => RawClient.connect(harness!.url())));
    for (const c of clients) for (const channel of channels) await c.subscribe(channel);
    const event = 'order "shipped"\\';
    const data = JSON.stringify({ note: 'line\nbreak "q" é 😀 \u2028', big: 'x'.repeat(10_000) });

    harness.engine.publish(TEST_APP.id, channels, event, data);

    for (const c of clients) {
      await waitFor(() => channels.every((channel) => c.all(event, channel).length === 1));
      const got = c.texts.filter((text) => text.includes('"order \\"shipped'));
      expect(got).toEqual(channels.map((channel) => JSON.stringify({ event, channel, data })));
      c.close();
    }
  });

  it('sends a presence client event with user_id, byte-exact', async () => {
    harness = await engines.start();
    const [alice, bob] = await Promise.all([0, 1].map(() => RawClient.connect(harness!.url())));
    await alice.subscribe('presence-room', { user_id: 'alice "a"' });
    await bob.subscribe('presence-room', { user_id: 'bob' });
    alice.send({ event: 'client-typing', channel: 'presence-room', data: { text: 'é "x"' } });
    await bob.next('client-typing', 'presence-room');
    expect(bob.texts.filter((text) => text.startsWith('{"event":"client-typing"'))).toEqual([
      JSON.stringify({
        event: 'client-typing',
        channel: 'presence-room',
        data: '{"text":"é \\"x\\""}',
        user_id: 'alice "a"',
      }),
    ]);
    alice.close();
    bob.close();
  });

  it('sends nothing, and builds no frame, when the excluded sender is the only subscriber', async () => {
    harness = await engines.start();
    const only = await RawClient.connect(harness.url());
    await only.subscribe('solo');
    const from = vi.spyOn(Buffer, 'from');
    const send = vi.spyOn(WebSocket.prototype, 'send');
    harness.engine.publish(TEST_APP.id, ['solo', 'nobody'], 'tick', '{"n":1}', only.socketId);
    expect(send).not.toHaveBeenCalled();
    expect(from).not.toHaveBeenCalled();
    send.mockRestore();
    from.mockRestore();
    await only.flush();
    expect(only.all('tick')).toEqual([]);
    only.close();
  });

  it('closes a slow consumer with 4100 once its send buffer passes maxBufferedBytes, and keeps serving the others', async () => {
    harness = await engines.start({ maxBufferedBytes: 64 * 1024 });
    const slow = await RawClient.connect(harness.url());
    const fast = await RawClient.connect(harness.url());
    await slow.subscribe('firehose');
    await fast.subscribe('firehose');
    slow.ws.pause(); // stops reading: the server's send buffer for it fills up
    const payload = JSON.stringify({ blob: 'x'.repeat(64 * 1024) });
    let fastCount = 0;
    fast.ws.on('message', () => fastCount++);
    for (let i = 0; i < 200 && slow.closeCode === undefined; i++) {
      harness.engine.publish(TEST_APP.id, ['firehose'], 'blob', payload);
      await new Promise((r) => setImmediate(r));
      const stats = await harness.engine.channel(TEST_APP.id, 'firehose');
      if (stats.subscriptionCount === 1) break;
    }
    slow.ws.resume();
    expect(await slow.closed()).toBe(4100);
    await waitFor(() => fastCount >= 1);
    await fast.flush();
    expect(fast.closeCode).toBeUndefined();
    fast.close();
  });
});
