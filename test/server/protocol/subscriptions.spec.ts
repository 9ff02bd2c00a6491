import { beforeEach, describe, expect, it } from 'vitest';
import {
  authFor,
  RawClient,
  useEngine,
  TEST_APP,
  waitFor,
  type EngineHarness,
} from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness;
beforeEach(async () => {
  harness = await engines.start();
});

const succeeded = 'pusher_internal:subscription_succeeded';

describe('subscriptions', () => {
  it('subscribes to a public channel and receives published events with data as a JSON string', async () => {
    const client = await RawClient.connect(harness.url());
    expect(await client.subscribe('news')).toEqual({
      event: succeeded,
      channel: 'news',
      data: '{}',
    });
    harness.engine.publish(TEST_APP.id, ['news'], 'headline', '{"title":"hi"}');
    expect(await client.next('headline', 'news')).toEqual({
      event: 'headline',
      channel: 'news',
      data: '{"title":"hi"}',
    });
    client.close();
  });

  it('subscribes to a private channel with a valid signature', async () => {
    const client = await RawClient.connect(harness.url());
    expect((await client.subscribe('private-orders.1')).event).toBe(succeeded);
    client.close();
  });

  it('subscribes to an encrypted private channel with a valid signature', async () => {
    const client = await RawClient.connect(harness.url());
    expect((await client.subscribe('private-encrypted-vault')).event).toBe(succeeded);
    client.close();
  });

  it('answers a bad private signature with subscription_error AuthError 401 and keeps the connection', async () => {
    const client = await RawClient.connect(harness.url());
    client.send({
      event: 'pusher:subscribe',
      data: { channel: 'private-orders.1', auth: `${TEST_APP.key}:${'0'.repeat(64)}` },
    });
    const frame = await client.next('pusher:subscription_error', 'private-orders.1');
    expect(typeof frame.data).toBe('string');
    expect(JSON.parse(frame.data as string)).toEqual({
      type: 'AuthError',
      error: expect.stringContaining('Invalid signature'),
      status: 401,
    });
    await client.flush();
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('refuses a signature made for another socket', async () => {
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    b.send({ event: 'pusher:subscribe', data: authFor(a.socketId!, 'private-x') });
    const frame = await b.next('pusher:subscription_error', 'private-x');
    expect(JSON.parse(frame.data as string)).toMatchObject({ status: 401 });
    expect(await harness.engine.channel(TEST_APP.id, 'private-x')).toMatchObject({
      occupied: false,
    });
    a.close();
    b.close();
  });

  it('refuses a bad signature on a private-encrypted- channel with 401 and does not subscribe', async () => {
    const client = await RawClient.connect(harness.url());
    // Signed for the unencrypted twin: valid for that name, wrong for this one.
    const { auth } = authFor(client.socketId!, 'private-vault') as { auth: string };
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-encrypted-vault', auth } });
    const frame = await client.next('pusher:subscription_error', 'private-encrypted-vault');
    expect(JSON.parse(frame.data as string)).toEqual({
      type: 'AuthError',
      error:
        'Invalid signature for private-encrypted-vault: sign it with your app secret at your ' +
        'auth endpoint (key:HMAC-SHA256) over "socket_id:channel".',
      status: 401,
    });
    expect(await harness.engine.channel(TEST_APP.id, 'private-encrypted-vault')).toMatchObject({
      occupied: false,
    });
    await client.flush();
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('refuses a private channel without auth', async () => {
    const client = await RawClient.connect(harness.url());
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-x' } });
    const frame = await client.next('pusher:subscription_error', 'private-x');
    expect(JSON.parse(frame.data as string).status).toBe(401);
    client.close();
  });

  it('refuses an invalid channel name with subscription_error 400', async () => {
    const client = await RawClient.connect(harness.url());
    client.send({ event: 'pusher:subscribe', data: { channel: 'bad channel!' } });
    const frame = await client.next('pusher:subscription_error', 'bad channel!');
    expect(JSON.parse(frame.data as string)).toMatchObject({ status: 400 });
    client.close();
  });

  it('stops delivering after unsubscribe', async () => {
    const client = await RawClient.connect(harness.url());
    await client.subscribe('news');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    await client.flush();
    harness.engine.publish(TEST_APP.id, ['news'], 'late', '{}');
    await client.flush();
    expect(client.all('late')).toEqual([]);
    expect((await harness.engine.channel(TEST_APP.id, 'news')).occupied).toBe(false);
    client.close();
  });

  it('treats subscribing twice as one subscription', async () => {
    const client = await RawClient.connect(harness.url());
    await client.subscribe('news');
    expect((await client.subscribe('news')).event).toBe(succeeded);
    expect((await harness.engine.channel(TEST_APP.id, 'news')).subscriptionCount).toBe(1);
    harness.engine.publish(TEST_APP.id, ['news'], 'once', '{}');
    await client.flush();
    expect(client.all('once')).toHaveLength(1);
    client.close();
  });

  it('treats unsubscribing twice (and from a channel never joined) as harmless', async () => {
    const client = await RawClient.connect(harness.url());
    await client.subscribe('news');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'never' } });
    await client.flush();
    expect(client.all('pusher:error')).toEqual([]);
    expect((await harness.engine.channel(TEST_APP.id, 'news')).subscriptionCount).toBe(0);
    client.close();
  });

  it('delivers again after subscribe, unsubscribe, subscribe', async () => {
    const client = await RawClient.connect(harness.url());
    await client.subscribe('news');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    await client.subscribe('news');
    expect((await harness.engine.channel(TEST_APP.id, 'news')).subscriptionCount).toBe(1);
    harness.engine.publish(TEST_APP.id, ['news'], 'back', '{}');
    expect(await client.next('back', 'news')).toBeDefined();
    client.close();
  });

  it('counts subscriptions per channel and filters by prefix', async () => {
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    await a.subscribe('news');
    await b.subscribe('news');
    await a.subscribe('private-x');
    const all = await harness.engine.channels(TEST_APP.id);
    expect(all.get('news')).toMatchObject({ subscriptionCount: 2 });
    expect(all.get('private-x')).toMatchObject({ subscriptionCount: 1 });
    const filtered = await harness.engine.channels(TEST_APP.id, { prefix: 'private-' });
    expect([...filtered.keys()]).toEqual(['private-x']);
    a.close();
    b.close();
  });

  it('excludes the socket given as exceptSocketId', async () => {
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    await a.subscribe('news');
    await b.subscribe('news');
    harness.engine.publish(TEST_APP.id, ['news'], 'others', '{}', a.socketId);
    await b.next('others');
    await a.flush();
    expect(a.all('others')).toEqual([]);
    a.close();
    b.close();
  });

  it('lets pusher-js subscribe to a private channel and receive events', async () => {
    const pusher = engines.pusher();
    const received: unknown[] = [];
    const channel = pusher.subscribe('private-orders.9');
    channel.bind('order.shipped', (data: unknown) => received.push(data));
    await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', resolve));
    harness.engine.publish(TEST_APP.id, ['private-orders.9'], 'order.shipped', '{"id":9}');
    expect(await waitFor(() => received[0])).toEqual({ id: 9 });
  });
});
