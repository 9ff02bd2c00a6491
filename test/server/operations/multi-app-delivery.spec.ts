import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BroadcastManager, BroadcastModule, LocalBroadcastHub } from 'nestjs-broadcasting';
import { BroadcastServer, BroadcastServerModule } from 'nestjs-broadcasting/server';
import { LocalBroadcaster } from '../../../lib/drivers/local.broadcaster.js';
import { RedisBroadcaster } from '../../../lib/drivers/redis.broadcaster.js';
import type { ServerAppOptions } from '../../../lib/server/options/server-options.interface.js';
import type { PusherClient } from '../support/engine-harness.js';
import {
  clientFor,
  record,
  recordingLogger,
  subscribed,
  uniquePrefix,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';

/**
 * One server, two apps: broadcasts from Redis and from the local hub reach the app they are
 * for and no other. Redis tells the apps apart by prefix, the hub by the app id the local
 * connection names; without either, the first app gets them, as before.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const SHOP: ServerAppOptions = { id: 'shop', key: 'shop-key', secret: 'shop-secret' };
const BLOG: ServerAppOptions = { id: 'blog', key: 'blog-key', secret: 'blog-secret' };

const servers = useTestServers();
const clients: PusherClient[] = [];
const clientOf = (app: ServerAppOptions, port = servers.server.port) => {
  const client = clientFor({ port }, { app });
  clients.push(client);
  return client;
};
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

/** One subscriber per app on the same channel name, each recording `event`. */
async function oneClientPerApp(channel: string, event: string, port?: number) {
  const [shop, blog] = await Promise.all([
    subscribed(clientOf(SHOP, port), channel),
    subscribed(clientOf(BLOG, port), channel),
  ]);
  return { shopGot: record(shop, event), blogGot: record(blog, event) };
}

/**
 * Waits until each `got` has its `n` entries. Every test publishes so that each app's last
 * expected event leaves after the other app's broadcasts, on the same path: a stray of the
 * other app would reach the socket first, so once the last expected event is in, there is
 * nothing more to wait for.
 */
async function received(...pairs: Array<[unknown[], number]>) {
  await waitFor(() => pairs.every(([got, n]) => got.length >= n), 10_000);
}

describe('Redis delivery to several apps', () => {
  let redis: Redis;
  let prefix: string;
  const drivers: RedisBroadcaster[] = [];
  const driver = (driverPrefix: string) => {
    const created = new RedisBroadcaster({
      connection: 'test',
      url: REDIS_URL,
      prefix: driverPrefix,
    });
    drivers.push(created);
    return created;
  };
  const numsub = async (channel: string) =>
    Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    await redis.quit();
  });
  beforeEach(async () => {
    prefix = uniquePrefix('apps');
    // The shop, first, listens on the server's prefix; the blog names its own.
    await servers.start({
      apps: [SHOP, { ...BLOG, redis: { prefix: `${prefix}blog:` } }],
      redis: { url: REDIS_URL, prefix: `${prefix}shop:` },
    });
  });

  it("gives each app what its own redis driver publishes, and nothing of the other's", async () => {
    const { shopGot, blogGot } = await oneClientPerApp('news', 'posted');
    // One SUBSCRIBE per app, each under its app's prefix.
    await waitFor(async () => (await numsub(`${prefix}shop:news`)) === 1);
    await waitFor(async () => (await numsub(`${prefix}blog:news`)) === 1);

    await driver(`${prefix}shop:`).broadcast(['news'], 'posted', { from: 'shop' });
    await driver(`${prefix}blog:`).broadcast(['news'], 'posted', { from: 'blog' });
    await driver(`${prefix}shop:`).broadcast(['news'], 'posted', { from: 'shop', last: true });

    await received([shopGot, 2], [blogGot, 1]);
    expect(shopGot).toEqual([{ from: 'shop' }, { from: 'shop', last: true }]);
    expect(blogGot).toEqual([{ from: 'blog' }]);
  });

  it('drops the Redis subscription of an app whose last subscriber leaves, keeping the other', async () => {
    const shop = clientOf(SHOP);
    const blog = clientOf(BLOG);
    await Promise.all([subscribed(shop, 'room'), subscribed(blog, 'room')]);
    await waitFor(async () => (await numsub(`${prefix}blog:room`)) === 1);
    blog.unsubscribe('room');
    await waitFor(async () => (await numsub(`${prefix}blog:room`)) === 0);
    expect(await numsub(`${prefix}shop:room`)).toBe(1);
  });
});

describe('local hub delivery to several apps', () => {
  let hub: LocalBroadcastHub;
  const warnings: string[] = [];

  beforeEach(async () => {
    hub = new LocalBroadcastHub();
    warnings.length = 0;
    await servers.start({ apps: [SHOP, BLOG], localHub: hub, logger: recordingLogger(warnings) });
  });

  it('delivers to the app the local connection names, and to the first app by default', async () => {
    const { shopGot, blogGot } = await oneClientPerApp('news', 'posted');

    await new LocalBroadcaster(hub, 'blog').broadcast(['news'], 'posted', { to: 'blog' });
    await new LocalBroadcaster(hub).broadcast(['news'], 'posted', { to: 'first app' });
    await new LocalBroadcaster(hub, 'blog').broadcast(['news'], 'posted', { to: 'blog', last: 1 });

    await received([shopGot, 1], [blogGot, 2]);
    expect(blogGot).toEqual([{ to: 'blog' }, { to: 'blog', last: 1 }]);
    expect(shopGot).toEqual([{ to: 'first app' }]);
  });

  it('drops broadcasts for an app it does not serve, saying so once', async () => {
    const { shopGot, blogGot } = await oneClientPerApp('news', 'posted');
    await new LocalBroadcaster(hub, 'nope').broadcast(['news'], 'posted', { n: 1 });
    await new LocalBroadcaster(hub, 'nope').broadcast(['news'], 'posted', { n: 2 });
    await new LocalBroadcaster(hub).broadcast(['news'], 'posted', { n: 3 });
    await new LocalBroadcaster(hub, 'blog').broadcast(['news'], 'posted', { n: 4 });

    await received([shopGot, 1], [blogGot, 1]);
    expect(shopGot).toEqual([{ n: 3 }]);
    expect(blogGot).toEqual([{ n: 4 }]);
    expect(warnings).toEqual([
      'Local broadcasts for app "nope" are dropped: this server serves "shop", "blog". ' +
        "Fix the local connection's appId. Further broadcasts for this app are dropped without a log line.",
    ]);
  });
});

describe('a Nest app whose local connections name the server apps', () => {
  it('sends each connection to its app (BroadcastModule connections with appId)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({
          default: 'local',
          connections: { blog: { driver: 'local', appId: 'blog' } },
        }),
        BroadcastServerModule.forRoot({
          apps: [SHOP, BLOG],
          host: '127.0.0.1',
          port: 0,
          redis: false,
          logger: false,
        }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const port = Number(new URL(moduleRef.get(BroadcastServer).url!).port);
      const { shopGot, blogGot } = await oneClientPerApp('news', 'posted', port);
      const manager = moduleRef.get(BroadcastManager);

      await manager.connection('blog').broadcast(['news'], 'posted', { via: 'blog' });
      await manager.send({ channels: ['news'], event: 'posted', payload: { via: 'default' } });
      await manager.connection('blog').broadcast(['news'], 'posted', { via: 'blog', last: 1 });

      await received([shopGot, 1], [blogGot, 2]);
      expect(blogGot).toEqual([{ via: 'blog' }, { via: 'blog', last: 1 }]);
      expect(shopGot).toEqual([{ via: 'default' }]);
    } finally {
      for (const client of clients.splice(0)) client.disconnect();
      await moduleRef.close();
    }
  });
});
