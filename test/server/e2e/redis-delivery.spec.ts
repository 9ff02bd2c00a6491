import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PusherClient } from '../support/engine-harness.js';
import { RedisBroadcaster } from '../../../lib/drivers/redis.broadcaster.js';
import {
  connected,
  record,
  recordingLogger,
  startTestServer,
  subscribed,
  uniquePrefix,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
let redis: Redis;
let prefix: string;
const warnings: string[] = [];
const servers = useTestServers();

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});

async function start() {
  prefix = uniquePrefix('redis-delivery');
  warnings.length = 0;
  return servers.start({ redis: { url: REDIS_URL, prefix }, logger: recordingLogger(warnings) });
}
const client = () => servers.client();
/** Subscribers the server holds on a Redis channel (PUBSUB NUMSUB), seen from outside. */
const numsub = async (channel: string) =>
  Number(((await redis.pubsub('NUMSUB', prefix + channel)) as [string, number])[1]);
/** Subscribes and waits until the server's Redis SUBSCRIBE is in place. */
async function subscribedOverRedis(c: PusherClient, channel: string) {
  const ch = await subscribed(c, channel);
  await waitFor(async () => (await numsub(channel)) > 0);
  return ch;
}
const laravelPublish = (channel: string, body: unknown) =>
  redis.publish(prefix + channel, typeof body === 'string' ? body : JSON.stringify(body));

describe('delivery from Redis (Laravel body format)', () => {
  it("delivers a raw PUBLISH of Laravel's body to pusher-js subscribers", async () => {
    await start();
    const channel = await subscribedOverRedis(client(), 'private-orders.5');
    const got = record(channel, 'App\\Events\\OrderShipped');

    await laravelPublish('private-orders.5', {
      event: 'App\\Events\\OrderShipped',
      data: { order: { id: 5 } },
      socket: null,
    });

    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ order: { id: 5 } }]);
  });

  it('skips the socket named in "socket"', async () => {
    await start();
    const sender = client();
    const other = client();
    const senderChannel = await subscribedOverRedis(sender, 'room');
    const otherChannel = await subscribed(other, 'room');
    const senderGot = record(senderChannel, 'said');
    const otherGot = record(otherChannel, 'said');

    await laravelPublish('room', {
      event: 'said',
      data: { n: 1 },
      socket: await connected(sender),
    });
    await laravelPublish('room', { event: 'said', data: { n: 2 }, socket: null });

    await waitFor(() => otherGot.length === 2 && senderGot.length === 1);
    expect(senderGot).toEqual([{ n: 2 }]);
  });

  it('delivers what the redis driver publishes, exclusion included', async () => {
    await start();
    const sender = client();
    const other = client();
    const senderChannel = await subscribedOverRedis(sender, 'presence-like');
    const otherChannel = await subscribed(other, 'presence-like');
    const senderGot = record(senderChannel, 'moved');
    const otherGot = record(otherChannel, 'moved');
    const driver = new RedisBroadcaster({ connection: 'redis', url: REDIS_URL, prefix });
    try {
      await driver.broadcast(
        ['presence-like', 'nobody.listens'],
        'moved',
        { x: 1 },
        {
          exceptSocketId: await connected(sender),
        },
      );
      await driver.broadcast(['presence-like'], 'moved', { x: 2 });
    } finally {
      await driver.close();
    }

    await waitFor(() => otherGot.length === 2 && senderGot.length === 1);
    expect(otherGot).toEqual([{ x: 1 }, { x: 2 }]);
    expect(senderGot).toEqual([{ x: 2 }]);
  });

  it('confirms a subscription only once its Redis SUBSCRIBE is in place (50 fresh channels)', async () => {
    await start();
    const c = client();
    await connected(c);
    for (let i = 0; i < 50; i++) {
      const name = `race-${i}`;
      const channel = c.subscribe(name);
      const got = record(channel, 'first');
      // Published from the client's confirmation callback: the earliest any app could.
      channel.bind('pusher:subscription_succeeded', () => {
        void laravelPublish(name, { event: 'first', data: { i }, socket: null });
      });
      await waitFor(() => got.length === 1, 2000);
      expect(got).toEqual([{ i }]);
    }
  });

  it('SUBSCRIBEs to a channel only while it has local subscribers', async () => {
    await start();
    expect(await numsub('orders')).toBe(0);

    const a = client();
    const b = client();
    await subscribed(a, 'orders');
    await subscribed(b, 'orders');
    await waitFor(async () => (await numsub('orders')) === 1);
    expect(await numsub('unrelated')).toBe(0);

    a.unsubscribe('orders');
    // Sentinel: the server handles a's frames in order and sends its SUBSCRIBE and
    // UNSUBSCRIBE commands in order, so once this SUBSCRIBE is in place an UNSUBSCRIBE of
    // 'orders' caused by a's leaving would have been done too.
    await subscribedOverRedis(a, 'sentinel');
    expect(await numsub('orders')).toBe(1); // b still listens
    b.unsubscribe('orders');
    await waitFor(async () => (await numsub('orders')) === 0);

    await subscribed(a, 'orders'); // and again after vacancy
    await waitFor(async () => (await numsub('orders')) === 1);
  });

  it('unsubscribes from Redis when a subscriber disconnects, and drops the connection on close', async () => {
    await start();
    const a = client();
    await subscribedOverRedis(a, 'gone');
    a.disconnect();
    await waitFor(async () => (await numsub('gone')) === 0);

    await subscribedOverRedis(client(), 'kept');
    await servers.server.close();
    await waitFor(async () => (await numsub('kept')) === 0);
  });

  it('drops malformed messages, logs each kind once, and keeps delivering', async () => {
    await start();
    const channel = await subscribedOverRedis(client(), 'feed');
    const got = record(channel, 'ok');

    for (let i = 0; i < 3; i++) {
      await laravelPublish('feed', 'not json {');
      await laravelPublish('feed', '[1,2,3]');
      await laravelPublish('feed', { data: {}, socket: null });
      await laravelPublish('feed', { event: 'no-data' });
    }
    await laravelPublish('feed', { event: 'ok', data: { alive: true }, socket: 'not-a-socket-id' });

    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ alive: true }]);
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/not JSON/);
    expect(warnings.join('\n')).toMatch(/not a JSON object/);
    expect(warnings.join('\n')).toMatch(/"event"/);
    expect(warnings.join('\n')).toMatch(/missing "data"/);
  });

  it('fails to start with a clear error when Redis is unreachable, without leaking the password', async () => {
    const failure = startTestServer({
      redis: { url: 'redis://user:hunter2@127.0.0.1:1', prefix: 'x:' },
    });
    await expect(failure).rejects.toThrow(
      /cannot connect to Redis at redis:\/\/user:\*\*\*\*@127\.0\.0\.1:1/,
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
