import { describe, expect, it } from 'vitest';
import { SingleNodeAdapter } from '../../../lib/server/cluster/single-node.adapter.js';
import { LISTEN_WAIT_MS } from '../../../lib/server/cluster/settle-within.js';
import {
  authFor,
  RawClient,
  useEngine,
  TEST_APP,
  waitFor,
  type EngineHarness,
} from '../support/engine-harness.js';

const SUCCEEDED = 'pusher_internal:subscription_succeeded';

/**
 * A single-node adapter whose channelOccupied settles only when the test says so, like a
 * Redis SUBSCRIBE whose reply has not come yet.
 */
class GatedAdapter extends SingleNodeAdapter {
  readonly occupied: string[] = [];
  private readonly gates = new Map<string, { release(): void; fail(e: Error): void }>();

  constructor(private readonly mode: 'gated' | 'never' = 'gated') {
    super();
  }

  override channelOccupied(_appId: string, channel: string): Promise<void> {
    this.occupied.push(channel);
    return new Promise<void>((resolve, reject) => {
      if (this.mode === 'gated') this.gates.set(channel, { release: resolve, fail: reject });
    });
  }

  release(channel: string): void {
    this.gates.get(channel)!.release();
  }

  fail(channel: string): void {
    this.gates.get(channel)!.fail(new Error('SUBSCRIBE failed'));
  }
}

const engines = useEngine();
let harness: EngineHarness;

/**
 * Sends pusher:subscribe without waiting, then proves the engine got past the point where it
 * took the subscriber: a publish on the channel reaches the socket. Anything the engine sent
 * before it (an early subscription_succeeded) is in `frames` by then.
 */
async function subscribePending(client: RawClient, channel: string, channelData?: object) {
  client.send({ event: 'pusher:subscribe', data: authFor(client.socketId!, channel, channelData) });
  const from = client.frames.length;
  const probe = `probe-${from}`;
  await waitFor(() => {
    harness.engine.publish(TEST_APP.id, [channel], probe, '{}');
    return client.frames.slice(from).some((f) => f.event === probe);
  });
}

describe('subscription confirmed once the adapter listens', () => {
  it('holds subscription_succeeded on a public channel until channelOccupied resolves', async () => {
    const adapter = new GatedAdapter();
    harness = await engines.start({}, adapter);
    const client = await RawClient.connect(harness.url());

    await subscribePending(client, 'news');
    expect(adapter.occupied).toEqual(['news']);
    expect(client.all(SUCCEEDED)).toEqual([]);

    adapter.release('news');
    expect((await client.next(SUCCEEDED, 'news')).channel).toBe('news');
    client.close();
  });

  it('does the same on private and presence channels', async () => {
    const adapter = new GatedAdapter();
    harness = await engines.start({}, adapter);
    const client = await RawClient.connect(harness.url());

    await subscribePending(client, 'private-orders');
    expect(client.all(SUCCEEDED)).toEqual([]);
    adapter.release('private-orders');
    await client.next(SUCCEEDED, 'private-orders');

    await subscribePending(client, 'presence-room', { user_id: 'alice' });
    expect(client.all(SUCCEEDED, 'presence-room')).toEqual([]);
    adapter.release('presence-room');
    const frame = await client.next(SUCCEEDED, 'presence-room');
    expect(JSON.parse(frame.data as string).presence.ids).toEqual(['alice']);
    client.close();
  });

  it('keeps the socket’s frame order: frames sent after the subscribe are answered after it', async () => {
    const adapter = new GatedAdapter();
    harness = await engines.start({}, adapter);
    const client = await RawClient.connect(harness.url());

    await subscribePending(client, 'news');
    client.send({ event: 'pusher:ping', data: {} });
    client.send({ event: 'pusher:subscribe', data: { channel: 'other' } });
    await waitFor(() => adapter.occupied.length === 1);
    expect(client.all('pusher:pong')).toEqual([]);

    adapter.release('news');
    await waitFor(() => adapter.occupied.includes('other'));
    adapter.release('other');
    await client.next(SUCCEEDED, 'other');
    const order = client.frames
      .filter((f) => f.event === SUCCEEDED || f.event === 'pusher:pong')
      .map((f) => `${f.event}${f.channel ? ` ${f.channel}` : ''}`);
    expect(order).toEqual([`${SUCCEEDED} news`, 'pusher:pong', `${SUCCEEDED} other`]);
    client.close();
  });

  it('makes a second subscriber wait for the same pending listen', async () => {
    const adapter = new GatedAdapter();
    harness = await engines.start({}, adapter);
    const first = await RawClient.connect(harness.url());
    const second = await RawClient.connect(harness.url());

    await subscribePending(first, 'news');
    await subscribePending(second, 'news');
    expect(adapter.occupied).toEqual(['news']);
    expect(second.all(SUCCEEDED)).toEqual([]);

    adapter.release('news');
    await first.next(SUCCEEDED, 'news');
    await second.next(SUCCEEDED, 'news');
    first.close();
    second.close();
  });

  it('confirms anyway when the adapter fails to listen (local delivery still works)', async () => {
    const adapter = new GatedAdapter();
    harness = await engines.start({}, adapter);
    const client = await RawClient.connect(harness.url());

    await subscribePending(client, 'news');
    adapter.fail('news');
    await client.next(SUCCEEDED, 'news');
    harness.engine.publish(TEST_APP.id, ['news'], 'after', '{"ok":true}');
    expect((await client.next('after', 'news')).data).toBe('{"ok":true}');
    client.close();
  });

  it(`confirms after ${LISTEN_WAIT_MS} ms when the adapter never answers`, async () => {
    const adapter = new GatedAdapter('never');
    harness = await engines.start({}, adapter);
    const client = await RawClient.connect(harness.url());

    const sent = Date.now();
    await subscribePending(client, 'news');
    expect(client.all(SUCCEEDED)).toEqual([]);
    await waitFor(() => client.all(SUCCEEDED, 'news').length, LISTEN_WAIT_MS + 2000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(LISTEN_WAIT_MS - 50);
    client.close();
  });
});
