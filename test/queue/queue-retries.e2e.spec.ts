import { Redis } from 'ioredis';
import {
  BroadcastManager,
  Broadcastable,
  type Broadcaster,
  type ShouldBroadcast,
} from 'nestjs-broadcasting';
import { afterAll, describe, expect, it } from 'vitest';
import { settle, waitFor } from '../fixtures/core/wait-for.js';
import {
  REDIS_URL,
  captureLogger,
  dropKeys,
  jobCounts,
  publishedUnder,
  queueApp,
  unique,
} from './queue-fixtures.js';

const failedCalls: Array<{ orderId: number; message: string; isCopy: boolean }> = [];

@Broadcastable({ as: 'order.shipped', queue: true })
class OrderShipped implements ShouldBroadcast {
  constructor(
    readonly orderId: number,
    readonly note = 'card 4242',
  ) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
  broadcastWith() {
    return { orderId: this.orderId, note: this.note };
  }
  failed(error: Error) {
    failedCalls.push({
      orderId: this.orderId,
      message: error.message,
      isCopy: this instanceof OrderShipped,
    });
  }
}

/** Laravel's `$tries` / `$backoff` on the event: one try, whatever the queue says. */
@Broadcastable({ as: 'once.only', queue: true, attempts: 1, backoff: { type: 'fixed', delay: 5 } })
class TriedOnce implements ShouldBroadcast {
  broadcastOn() {
    return 'orders';
  }
}

const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await dropKeys(redis, 'bull-test-*');
  await redis.quit();
});

/** A driver that fails `failures` times, then PUBLISHes for real. */
function flakyDriver(failures: number, publishPrefix: string) {
  const state = { attempts: 0 };
  const driver: Broadcaster = {
    async broadcast(channels, event, payload) {
      state.attempts++;
      if (state.attempts <= failures) throw new Error(`driver down (attempt ${state.attempts})`);
      await redis.publish(publishPrefix + channels[0], JSON.stringify({ event, data: payload }));
    },
  };
  return { state, driver };
}

describe('retries and failures of queued broadcasts', () => {
  it('retries a driver that fails twice, and the third attempt sends it exactly once', async () => {
    const prefix = unique('bull-test');
    const publishPrefix = unique('pub') + ':';
    const published = await publishedUnder(publishPrefix);
    const { state, driver } = flakyDriver(2, publishPrefix);
    const app = await queueApp(
      { prefix, worker: true, attempts: 3, backoff: { type: 'fixed', delay: 20 } },
      { default: 'flaky', drivers: { flaky: () => driver } },
    );
    await app.get(BroadcastManager).event(new OrderShipped(1));
    expect(await published.take(1)).toEqual([
      {
        channel: `${publishPrefix}orders.1`,
        message: '{"event":"order.shipped","data":{"orderId":1,"note":"card 4242"}}',
      },
    ]);
    await waitFor(() => state.attempts === 3, 'three attempts', 30_000);
    await settle(300);
    expect(state.attempts).toBe(3);
    expect(published.messages).toHaveLength(1);
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ failed: 0, wait: 0 });
    await app.close();
    await published.close();
  });

  it('after the last attempt keeps the job in the failed set, warns without the payload, and calls failed()', async () => {
    const prefix = unique('bull-test');
    const { state, driver } = flakyDriver(Infinity, 'unused:');
    const { lines, logger } = captureLogger();
    const app = await queueApp(
      { prefix, worker: true, attempts: 2, backoff: { type: 'fixed', delay: 20 }, keepFailed: 5 },
      { default: 'flaky', drivers: { flaky: () => driver } },
      logger,
    );
    await app.get(BroadcastManager).event(new OrderShipped(2));
    await waitFor(() => failedCalls.length === 1, 'failed() to be called', 30_000);
    expect(failedCalls).toEqual([{ orderId: 2, message: 'driver down (attempt 2)', isCopy: true }]);
    expect(state.attempts).toBe(2);
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ failed: 1, wait: 0 });
    const [jobId] = await redis.zrange(`${prefix}:broadcasts:failed`, '0', '-1');
    expect(await redis.hget(`${prefix}:broadcasts:${jobId}`, 'failedReason')).toBe(
      'driver down (attempt 2)',
    );
    expect(lines.warn).toContain(
      'Queued broadcast "order.shipped" on [orders.2] failed its last attempt (2) on queue "broadcasts" ' +
        'and stays in the failed set: driver down (attempt 2)',
    );
    expect(lines.warn.join('\n')).not.toContain('card 4242');
    await app.close();
  });

  it('bounds the failed set to keepFailed jobs', async () => {
    const prefix = unique('bull-test');
    const { driver } = flakyDriver(Infinity, 'unused:');
    const app = await queueApp(
      { prefix, worker: true, attempts: 1, keepFailed: 2 },
      { default: 'flaky', drivers: { flaky: () => driver } },
    );
    const manager = app.get(BroadcastManager);
    for (let i = 10; i < 15; i++) await manager.event(new OrderShipped(i));
    await waitFor(() => failedCalls.length >= 6, 'five more failed() calls', 30_000);
    await settle(200);
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ failed: 2, wait: 0 });
    await app.close();
  });

  it('a retry after a partial failure sends only through the connections that failed', async () => {
    const prefix = unique('bull-test');
    const steady: string[] = [];
    const { state, driver: flaky } = flakyDriver(1, unique('pub') + ':');
    const app = await queueApp(
      { prefix, worker: true, attempts: 3, backoff: { type: 'fixed', delay: 20 } },
      {
        drivers: {
          steady: () => ({
            broadcast: async (_channels, event) => void steady.push(event),
          }),
          flaky: () => flaky,
        },
      },
    );
    await app.get(BroadcastManager).send({
      channels: 'orders',
      event: 'both',
      payload: {},
      connection: ['steady', 'flaky'],
      queue: true,
    });
    await waitFor(() => state.attempts === 2, 'the flaky connection to succeed', 30_000);
    await settle(300);
    expect(steady).toEqual(['both']);
    expect(state.attempts).toBe(2);
    await app.close();
  });

  it('with concurrency 1, broadcasts leave in the order they were queued', async () => {
    const prefix = unique('bull-test');
    const publishPrefix = unique('pub') + ':';
    const published = await publishedUnder(publishPrefix);
    const options = { default: 'redis', redis: { url: REDIS_URL, prefix: publishPrefix } };
    const producer = await queueApp({ prefix }, options);
    const manager = producer.get(BroadcastManager);
    for (let i = 0; i < 30; i++)
      await manager.send({ channels: 'orders', event: `e${i}`, payload: {}, queue: true });
    const worker = await queueApp({ prefix, worker: true, concurrency: 1 }, options);
    const messages = await published.take(30);
    expect(messages.map((m) => JSON.parse(m.message).event)).toEqual(
      Array.from({ length: 30 }, (_, i) => `e${i}`),
    );
    await worker.close();
    await producer.close();
    await published.close();
  });

  it("an event's own attempts and backoff win over the queue's", async () => {
    const prefix = unique('bull-test');
    const { state, driver } = flakyDriver(Infinity, 'unused:');
    const app = await queueApp(
      { prefix, worker: true, attempts: 5 },
      { default: 'flaky', drivers: { flaky: () => driver } },
    );
    await app.get(BroadcastManager).event(new TriedOnce());
    let counts = await jobCounts(redis, prefix, 'broadcasts');
    const deadline = Date.now() + 30_000;
    while (counts.failed === 0 && Date.now() < deadline) {
      await settle(20);
      counts = await jobCounts(redis, prefix, 'broadcasts');
    }
    expect(counts).toMatchObject({ failed: 1, wait: 0, delayed: 0 });
    expect(state.attempts).toBe(1);
    const [jobId] = await redis.zrange(`${prefix}:broadcasts:failed`, '0', '-1');
    expect(JSON.parse((await redis.hget(`${prefix}:broadcasts:${jobId}`, 'opts'))!)).toMatchObject({
      attempts: 1,
      backoff: { type: 'fixed', delay: 5 },
    });
    await app.close();
  });
});
