import { beforeEach, describe, expect, it } from 'vitest';
import { RawClient, useEngine, TEST_APP, type EngineHarness } from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness;
beforeEach(async () => {
  harness = await engines.start();
});

describe('cache channels', () => {
  it('sends pusher:cache_miss right after subscription_succeeded when nothing was published', async () => {
    const client = await RawClient.connect(harness.url());
    await client.subscribe('cache-prices');
    const miss = await client.next('pusher:cache_miss', 'cache-prices');
    const events = client.frames.slice(1).map((f) => f.event);
    expect(events).toEqual(['pusher_internal:subscription_succeeded', 'pusher:cache_miss']);
    expect(miss.channel).toBe('cache-prices');
    client.close();
  });

  it('replays the last published event to a new subscriber right after subscription_succeeded', async () => {
    harness.engine.publish(TEST_APP.id, ['cache-prices'], 'price', '{"v":1}');
    harness.engine.publish(TEST_APP.id, ['cache-prices'], 'price', '{"v":2}');
    const client = await RawClient.connect(harness.url());
    await client.subscribe('cache-prices');
    const replay = await client.next('price', 'cache-prices');
    expect(replay.data).toBe('{"v":2}');
    const events = client.frames.slice(1).map((f) => f.event);
    expect(events).toEqual(['pusher_internal:subscription_succeeded', 'price']);
    client.close();
  });

  it.each(['private-cache-x', 'private-encrypted-cache-x', 'presence-cache-x'])(
    'replays on %s too',
    async (channel) => {
      harness.engine.publish(TEST_APP.id, [channel], 'state', '{"s":1}');
      const client = await RawClient.connect(harness.url());
      await client.subscribe(
        channel,
        channel.startsWith('presence-') ? { user_id: 'u' } : undefined,
      );
      expect((await client.next('state', channel)).data).toBe('{"s":1}');
      client.close();
    },
  );

  it('does not replay or send cache_miss on ordinary channels', async () => {
    harness.engine.publish(TEST_APP.id, ['prices'], 'price', '{"v":1}');
    const client = await RawClient.connect(harness.url());
    await client.subscribe('prices');
    await client.flush();
    expect(client.all('price')).toEqual([]);
    expect(client.all('pusher:cache_miss')).toEqual([]);
    client.close();
  });

  it('does not cache client events', async () => {
    const a = await RawClient.connect(harness.url());
    await a.subscribe('private-cache-chat');
    a.send({ event: 'client-hi', channel: 'private-cache-chat', data: {} });
    await a.flush();
    const b = await RawClient.connect(harness.url());
    await b.subscribe('private-cache-chat');
    expect(await b.next('pusher:cache_miss', 'private-cache-chat')).toBeDefined();
    a.close();
    b.close();
  });
});
