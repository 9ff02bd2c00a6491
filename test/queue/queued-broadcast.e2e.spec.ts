import { Redis } from 'ioredis';
import { BroadcastManager, Broadcastable, type ShouldBroadcast } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../fixtures/core/wait-for.js';
import {
  REDIS_URL,
  dropKeys,
  jobCounts,
  publishedUnder,
  queueApp,
  unique,
} from './queue-fixtures.js';

@Broadcastable({ as: 'order.shipped', queue: true })
class OrderShipped implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
}

@Broadcastable({ as: 'order.now', queue: false })
class OrderShippedNow implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
}

const redis = new Redis(REDIS_URL);

/** The counts once nothing waits or runs (within a generous deadline). */
async function drained(prefix: string, name: string) {
  let counts = await jobCounts(redis, prefix, name);
  const deadline = Date.now() + 30_000;
  while (counts.wait + counts.active + counts.delayed > 0 && Date.now() < deadline) {
    await settle(50);
    counts = await jobCounts(redis, prefix, name);
  }
  return counts;
}
afterAll(async () => {
  await dropKeys(redis, 'bull-test-*');
  await redis.quit();
});

describe('queued broadcasts on BullMQ and a real Redis', () => {
  let prefix: string;
  let name: string;
  let publishPrefix: string;
  let published: Awaited<ReturnType<typeof publishedUnder>>;
  beforeAll(async () => {
    prefix = unique('bull-test');
    name = 'broadcasts';
    publishPrefix = unique('pub') + ':';
    published = await publishedUnder(publishPrefix);
  });
  afterAll(async () => {
    await published.close();
  });

  it('with no worker the job waits and nothing is published; a worker sends it once and drains the queue', async () => {
    const options = { default: 'redis', redis: { url: REDIS_URL, prefix: publishPrefix } };
    const producer = await queueApp({ prefix, name }, options);
    await producer.get(BroadcastManager).event(new OrderShipped(7));
    expect(await jobCounts(redis, prefix, name)).toMatchObject({ wait: 1, active: 0 });
    const [jobId] = await redis.lrange(`${prefix}:${name}:wait`, 0, -1);
    expect(await redis.hget(`${prefix}:${name}:${jobId}`, 'name')).toBe('order.shipped');
    await settle(300);
    expect(published.messages).toEqual([]);

    const worker = await queueApp({ prefix, name, worker: true }, options);
    expect(await published.take(1)).toEqual([
      {
        channel: `${publishPrefix}orders.7`,
        message: '{"event":"order.shipped","data":{"orderId":7},"socket":null}',
      },
    ]);
    expect(await drained(prefix, name)).toMatchObject({ wait: 0, active: 0, failed: 0 });
    await settle(300);
    expect(published.messages).toHaveLength(1);
    published.messages.length = 0;
    await worker.close();
    await producer.close();
  });

  it('sends a queue: false event at once, with no worker and no job, even when queueing is the default', async () => {
    const options = { default: 'redis', redis: { url: REDIS_URL, prefix: publishPrefix } };
    const app = await queueApp({ prefix, name: 'now', default: true }, options);
    await app.get(BroadcastManager).event(new OrderShippedNow(8));
    expect((await published.take(1))[0].channel).toBe(`${publishPrefix}orders.8`);
    expect(await jobCounts(redis, prefix, 'now')).toMatchObject({ wait: 0, active: 0 });
    published.messages.length = 0;
    await app.close();
  });
});
