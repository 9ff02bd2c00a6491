import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  BroadcastConfigError,
  BroadcastDriverError,
  BroadcastManager,
  BroadcastModule,
  Broadcastable,
  type ShouldBroadcast,
} from 'nestjs-broadcasting';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../fixtures/core/wait-for.js';
import {
  REDIS_URL,
  captureLogger,
  dropKeys,
  jobCounts,
  queueApp,
  unique,
} from './queue-fixtures.js';

@Broadcastable({ as: 'order.shipped', queue: true, connection: 'redis' })
class OrderShipped implements ShouldBroadcast {
  constructor(
    readonly orderId: number,
    readonly total: unknown = 10,
  ) {}
  broadcastOn() {
    return [`private-orders.${this.orderId}`, 'orders'];
  }
}

const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await dropKeys(redis, 'bull-test-*');
  await redis.quit();
});

/** Nothing listens on port 1: a Redis that is down. */
const DOWN = 'redis://127.0.0.1:1';

describe('queued broadcasts: the job and the faults', () => {
  it('stores under bull:<name> a job named after the event that carries what the driver needs and no secret', async () => {
    const name = unique('broadcasts');
    const secrets = ['app-secret-0123', 'pusher-secret-4567', 'redis-password-89'];
    const app = await queueApp(
      { name },
      {
        app: { id: '1', key: 'key', secret: secrets[0] },
        default: 'pusher',
        connections: {
          pusher: { driver: 'pusher', appId: '1', key: 'key', secret: secrets[1] },
          redis: { driver: 'redis', url: `redis://user:${secrets[2]}@127.0.0.1:6379` },
        },
      },
    );
    await app.get(BroadcastManager).event(new OrderShipped(5), { exceptSocketId: '123.456' });
    const [jobId] = await redis.lrange(`bull:${name}:wait`, 0, -1);
    const raw = await redis.hgetall(`bull:${name}:${jobId}`);
    expect(raw.name).toBe('order.shipped');
    expect(JSON.parse(raw.data)).toEqual({
      channels: ['private-orders.5', 'orders'],
      event: 'order.shipped',
      payload: { orderId: 5, total: 10 },
      socket: '123.456',
      connections: ['redis'],
    });
    expect(JSON.parse(raw.opts)).toMatchObject({
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
    });
    const everything = JSON.stringify(raw);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('redis://');
    await app.close();
    await dropKeys(redis, `bull:${name}:*`);
  });

  it('refuses at dispatch a payload that cannot be serialized, and queues nothing', async () => {
    const prefix = unique('bull-test');
    const app = await queueApp({ prefix });
    const sent = app.get(BroadcastManager).event(new OrderShipped(6, 10n));
    await expect(sent).rejects.toThrow(
      'The payload of "order.shipped" cannot be serialized to JSON (Do not know how to serialize a BigInt). ' +
        'Convert BigInt values to strings and remove circular references, e.g. in broadcastWith().',
    );
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ wait: 0 });
    await app.close();
  });

  it('with Redis down, emitAsync rejects and emit logs: nothing is lost silently', async () => {
    const { lines, logger } = captureLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), BroadcastModule.forRoot({ queue: { url: DOWN } })],
    }).compile();
    moduleRef.useLogger(logger);
    await moduleRef.init();
    const emitter = moduleRef.get(EventEmitter2);

    const error = await emitter.emitAsync('order.shipped', new OrderShipped(7)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toBe(
      'Could not queue the broadcast "order.shipped" on queue "broadcasts" (is Redis up?): connect ECONNREFUSED 127.0.0.1:1',
    );

    emitter.emit('order.shipped', new OrderShipped(8));
    await waitFor(() => lines.error.length > 0, 'the failure to be logged', 30_000);
    expect(lines.error[0]).toBe(
      'Broadcast of "order.shipped" on [private-orders.8, orders] via connection "queue broadcasts" failed: ' +
        'Could not queue the broadcast "order.shipped" on queue "broadcasts" (is Redis up?): connect ECONNREFUSED 127.0.0.1:1',
    );
    await moduleRef.close();
  });

  it('send() and event() take the queue per call; without a queue configured they say how to set one', async () => {
    const prefix = unique('bull-test');
    const app = await queueApp({ prefix, queues: ['low'] });
    const manager = app.get(BroadcastManager);
    await manager.send({ channels: 'orders', event: 'ping', payload: {}, queue: 'low' });
    expect(await jobCounts(redis, prefix, 'low')).toMatchObject({ wait: 1 });
    await expect(
      manager.send({ channels: 'orders', event: 'ping', queue: 'nope' }),
    ).rejects.toThrow(
      'Unknown broadcast queue "nope" (send({ queue })). Known queues: broadcasts, low. Add it to queue.queues, or use queue.name.',
    );
    await app.close();

    const plain = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot()],
    }).compile();
    await plain.init();
    const error = await plain
      .get(BroadcastManager)
      .event(new OrderShipped(9))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toBe(
      'the queue of OrderShipped asks for a queue, but queueing is off. Set BroadcastModule.forRoot({ queue: { ... } }), ' +
        'the config file\'s "queue", or BROADCASTING_QUEUE_URL; or drop the queue option to send at once.',
    );
    await plain.close();
  });

  it('takes ioredis options or a client of the app as the connection, and never closes a given client', async () => {
    const prefix = unique('bull-test');
    const fromOptions = await queueApp({ prefix, connection: { host: '127.0.0.1', port: 6379 } });
    await fromOptions.get(BroadcastManager).send({ channels: 'a', event: 'x', queue: true });
    await fromOptions.close();

    const client = new Redis(REDIS_URL);
    const fromClient = await queueApp({ prefix, connection: client });
    await fromClient.get(BroadcastManager).send({ channels: 'a', event: 'y', queue: true });
    await fromClient.close();
    expect(client.status).toBe('ready');
    expect(await jobCounts(client, prefix, 'broadcasts')).toMatchObject({ wait: 2 });
    await client.quit();
  });

  it("fails the boot when the in-app worker is given the app's client without maxRetriesPerRequest: null", async () => {
    const client = new Redis(REDIS_URL); // ioredis's default: 20 retries per command
    try {
      const error = await queueApp({
        prefix: unique('bull-test'),
        connection: client,
        worker: true,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BroadcastConfigError);
      expect((error as BroadcastConfigError).key).toBe('queue.connection');
      expect((error as Error).message).toBe(
        'Invalid broadcasting config queue.connection: the queue worker cannot use the Redis client given there, ' +
          "whose maxRetriesPerRequest is 20; BullMQ's worker blocks waiting for jobs and needs null. " +
          'Create the client with { maxRetriesPerRequest: null }, or give queue.url or ioredis options instead, ' +
          'from which the package makes a client of its own.',
      );
      // The producer alone takes it: only the worker blocks.
      const producerOnly = await queueApp({ prefix: unique('bull-test'), connection: client });
      await producerOnly.close();
      expect(client.status).toBe('ready');
    } finally {
      await client.quit();
    }
  });

  it("runs the in-app worker on the app's client made with maxRetriesPerRequest: null, and leaves it open", async () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = unique('bull-test');
    const { lines, logger, restore } = captureLogger();
    try {
      const app = await queueApp({ prefix, connection: client, worker: true }, {}, logger);
      await waitFor(
        () => lines.log.some((line) => line.includes('Broadcast worker serving')),
        'the worker',
        10_000,
      );
      await app.close();
      expect(lines.error).toEqual([]);
      expect(client.status).toBe('ready');
    } finally {
      restore();
      await client.quit();
    }
  });

  it('an in-app worker does not hold the boot or the shutdown while Redis is down', async () => {
    const app = await queueApp({ url: DOWN, worker: true });
    await app.close();
    expect(app.get(BroadcastManager)).toBeDefined();
  });
});
