import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { BroadcastDriverError, BroadcastManager, BroadcastModule } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisBroadcaster } from '../../lib/drivers/redis.broadcaster.js';
import { waitFor } from '../fixtures/core/wait-for.js';

const prefix = `test-${process.pid}-${Math.random().toString(36).slice(2)}:`;
const url = 'redis://127.0.0.1:6379';
let subscriber: Redis;
const received: Array<{ channel: string; message: string }> = [];

beforeAll(async () => {
  subscriber = new Redis(url);
  subscriber.on('pmessage', (_pattern, channel, message) => received.push({ channel, message }));
  await subscriber.psubscribe(`${prefix}*`);
});
afterAll(async () => {
  await subscriber.quit();
});

function take(count: number) {
  return waitFor(() => received.length >= count, `${count} Redis message(s)`).then(() =>
    received.splice(0, count),
  );
}

describe('redis driver against a real Redis', () => {
  it("publishes Laravel's exact message on prefix + full channel name", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ default: 'redis', redis: { url, prefix } })],
    }).compile();
    await moduleRef.init();
    const manager = moduleRef.get(BroadcastManager);

    await manager.send({
      channels: ['private-orders.1', 'orders'],
      event: 'order.shipped',
      payload: { order_id: 1, note: 'é "quoted"' },
      exceptSocketId: '123.456',
    });

    expect(await take(2)).toEqual([
      {
        channel: `${prefix}private-orders.1`,
        message:
          '{"event":"order.shipped","data":{"order_id":1,"note":"é \\"quoted\\""},"socket":"123.456"}',
      },
      {
        channel: `${prefix}orders`,
        message:
          '{"event":"order.shipped","data":{"order_id":1,"note":"é \\"quoted\\""},"socket":"123.456"}',
      },
    ]);

    await manager.send({ channels: 'orders', event: 'x', payload: {} });
    expect((await take(1))[0].message).toBe('{"event":"x","data":{},"socket":null}');
    await moduleRef.close();
  });

  it('accepts the name redis-pubsub', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ default: 'redis-pubsub', redis: { url, prefix } })],
    }).compile();
    await moduleRef
      .get(BroadcastManager)
      .send({ channels: 'alias', event: 'e', payload: { a: 1 } });
    expect(await take(1)).toEqual([
      { channel: `${prefix}alias`, message: '{"event":"e","data":{"a":1},"socket":null}' },
    ]);
    await moduleRef.close();
  });

  it('sends every channel in one round trip (one pipeline, no single PUBLISH)', async () => {
    const client = new Redis(url);
    const pipeline = vi.spyOn(client, 'pipeline');
    const publish = vi.spyOn(client, 'publish');
    const driver = new RedisBroadcaster({
      connection: 'redis',
      client: client as never,
      url,
      prefix,
    });

    const channels = Array.from({ length: 5 }, (_, i) => `room-${i}`);
    await driver.broadcast(channels, 'tick', { n: 1 });

    expect(pipeline).toHaveBeenCalledTimes(1);
    expect(publish).not.toHaveBeenCalled();
    expect((await take(5)).map((m) => m.channel)).toEqual(channels.map((c) => prefix + c));
    await client.quit();
  });

  it('quits the client it created on shutdown, never one it was given', async () => {
    const given = new Redis(url);
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({
          redis: { url, prefix },
          connections: {
            owned: { driver: 'redis', url },
            shared: { driver: 'redis', client: given },
          },
        }),
      ],
    }).compile();
    await moduleRef.init();
    const manager = moduleRef.get(BroadcastManager);
    await manager.send({ channels: 'c', event: 'e', connection: ['owned', 'shared'] });
    await take(2);
    const owned = await (manager.connection('owned') as unknown as { client: Promise<Redis> })
      .client;
    expect(owned.status).toBe('ready');

    await moduleRef.close();

    // quit() resolves on Redis's OK; the socket closes right after.
    await waitFor(() => owned.status === 'end', 'the created client to end');
    expect(given.status).toBe('ready');
    expect(await given.ping()).toBe('PONG');
    await given.quit();
  });

  it('creates its client with the given ioredis options', async () => {
    const connectionName = `broadcast-${process.pid}-${Date.now()}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({
          default: 'tuned',
          connections: {
            tuned: { driver: 'redis', url, prefix, redisOptions: { connectionName } },
          },
        }),
      ],
    }).compile();
    await moduleRef.get(BroadcastManager).send({ channels: 'tuned', event: 'e' });
    await take(1);
    const admin = new Redis(url);
    const clients = String(await admin.client('LIST'));
    await admin.quit();
    expect(clients).toContain(`name=${connectionName}`);
    await moduleRef.close();
  });

  it('a failed publish is a BroadcastDriverError naming the connection, without the password', async () => {
    const client = new Redis(url, { lazyConnect: true });
    const failing = {
      pipeline: () => ({
        publish: () => undefined,
        exec: async () => [[new Error('NOPERM no permissions'), null]] as Array<[Error, null]>,
      }),
      quit: () => client.quit(),
      disconnect: () => client.disconnect(),
    };
    const driver = new RedisBroadcaster({
      connection: 'main',
      client: failing,
      url: 'redis://:pw@h:1',
      prefix,
    });
    const error = await driver.broadcast(['a'], 'e', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toBe(
      'Redis PUBLISH of "e" failed on connection "main": NOPERM no permissions',
    );
    client.disconnect();
  });
});

describe('redis driver: the URL of the client it creates in errors', () => {
  it('shows where it failed with the password masked, also one with "@" or in the query', async () => {
    const driver = new RedisBroadcaster({
      connection: 'main',
      url: 'redis://:p@ss-hunter2@127.0.0.1:1/0?password=hunter3',
      // Fail at once instead of queueing while the (unreachable) server never answers.
      redisOptions: { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null },
      prefix,
    });
    const error = await driver.broadcast(['a'], 'e', {}).catch((e: unknown) => e);
    await driver.close();
    expect(error).toBeInstanceOf(BroadcastDriverError);
    const message = (error as Error).message;
    expect(message).toContain('redis://:****@127.0.0.1:1/0?password=****');
    expect(message).not.toMatch(/hunter|p@ss/);
  });
});

describe('redis driver: auto-pipelining on the client it creates', () => {
  /** A driver with its own client, connected, and a counter of the socket writes it makes. */
  async function createdClientDriver(redisOptions?: Record<string, unknown>) {
    const driver = new RedisBroadcaster({ connection: 'redis', url, prefix, redisOptions });
    await driver.broadcast(['warm-up'], 'e', {});
    await take(1);
    const client = await (driver as unknown as { client: Promise<Redis> }).client;
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } })
      .stream;
    const write = vi.spyOn(stream, 'write');
    return { driver, client, write };
  }

  it('creates its client with enableAutoPipelining unless the options say otherwise', async () => {
    const on = await createdClientDriver();
    expect(on.client.options.enableAutoPipelining).toBe(true);
    await on.driver.close();
    const off = await createdClientDriver({ enableAutoPipelining: false });
    expect(off.client.options.enableAutoPipelining).toBe(false);
    await off.driver.close();
  });

  it('sends every channel of a broadcast in one socket write, in order', async () => {
    const { driver, write } = await createdClientDriver();
    const channels = Array.from({ length: 5 }, (_, i) => `auto-${i}`);

    await driver.broadcast(channels, 'tick', { n: 1 }, { exceptSocketId: '1.2' });

    expect(write).toHaveBeenCalledTimes(1);
    expect(await take(5)).toEqual(
      channels.map((channel) => ({
        channel: prefix + channel,
        message: '{"event":"tick","data":{"n":1},"socket":"1.2"}',
      })),
    );
    await driver.close();
  });

  it('broadcasts issued in the same tick share one write', async () => {
    const { driver, write } = await createdClientDriver();
    await Promise.all([
      driver.broadcast(['same-tick-a', 'same-tick-b'], 'e', { i: 1 }),
      driver.broadcast(['same-tick-c'], 'e', { i: 2 }),
      driver.broadcast(['same-tick-d'], 'e', { i: 3 }),
    ]);
    expect(write).toHaveBeenCalledTimes(1);
    expect((await take(4)).map((m) => m.channel)).toEqual(
      ['a', 'b', 'c', 'd'].map((x) => `${prefix}same-tick-${x}`),
    );
    await driver.close();
  });

  it('through the manager, a non-serializable payload sends nothing, on any channel', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ default: 'redis', redis: { url, prefix } })],
    }).compile();
    const manager = moduleRef.get(BroadcastManager);
    await expect(
      manager.send({ channels: ['big-a', 'big-b'], event: 'e', payload: { id: 1n } }),
    ).rejects.toThrow(BroadcastDriverError);
    await manager.send({ channels: 'after-big', event: 'e', payload: {} });
    expect((await take(1))[0].channel).toBe(`${prefix}after-big`); // nothing before it
    await moduleRef.close();
  });

  it('a failed PUBLISH on an auto-pipelining client is a BroadcastDriverError', async () => {
    const failing = {
      options: { enableAutoPipelining: true },
      publish: async (channel: string) => {
        if (channel.endsWith('b')) throw new Error('NOPERM no permissions');
      },
      pipeline: () => {
        throw new Error('unused');
      },
      quit: async () => undefined,
      disconnect: () => undefined,
    };
    const driver = new RedisBroadcaster({ connection: 'main', client: failing, url, prefix });
    const error = await driver.broadcast(['a', 'b'], 'e', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toBe(
      'Redis PUBLISH of "e" failed on connection "main": NOPERM no permissions',
    );
  });

  it('a given client that does not auto-pipeline publishes one channel with a plain PUBLISH', async () => {
    const client = new Redis(url);
    const pipeline = vi.spyOn(client, 'pipeline');
    const driver = new RedisBroadcaster({
      connection: 'redis',
      client: client as never,
      url,
      prefix,
    });
    await driver.broadcast(['single'], 'e', { a: 1 });
    expect(pipeline).not.toHaveBeenCalled();
    expect(await take(1)).toEqual([
      { channel: `${prefix}single`, message: '{"event":"e","data":{"a":1},"socket":null}' },
    ]);
    await client.quit();
  });
});
