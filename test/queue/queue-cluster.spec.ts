import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type Cluster } from 'ioredis';
import {
  BroadcastConfigError,
  BroadcastManager,
  Broadcastable,
  type ShouldBroadcast,
} from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBroadcastConfig } from '../../lib/config/resolve-config.js';
import { closeQueueConnection, openQueueConnection } from '../../lib/queue/queue-connection.js';
import { runWorkCommand, type WorkSession } from '../../lib/queue/work-command.js';
import { RedisClusterProcess, waitUntil } from '../support/redis-cluster.js';
import { captureLogger, jobCounts, publishedUnder, queueApp, unique } from './queue-fixtures.js';

/**
 * Queued broadcasts on a three-master Redis Cluster the file builds: with only `redis.cluster`
 * set, BullMQ's keys live under `{bull}` on the cluster, and the worker (in the app, or the
 * `work` command) sends through the redis driver on the same cluster.
 */
@Broadcastable({ as: 'order.shipped', queue: true })
class OrderShipped implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `orders.${this.orderId}`;
  }
}

let redis: RedisClusterProcess;
/** The test's own view of the cluster, for BullMQ's keys. */
let cluster: Cluster;
/** A directory without config/broadcasting.*, for the work command. */
let cwd: string;

beforeAll(async () => {
  redis = await RedisClusterProcess.start({ masters: 3 });
  cluster = redis.client();
  cwd = mkdtempSync(join(tmpdir(), 'nb-queue-cluster-'));
}, 120_000);

afterAll(async () => {
  cluster?.disconnect();
  await redis?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
}, 60_000);

/** The redis driver on the cluster, publishing under a prefix of the test's own. */
function onCluster() {
  const publishPrefix = `${unique('pub')}:`;
  return {
    publishPrefix,
    options: { default: 'redis', redis: { cluster: redis.seeds, prefix: publishPrefix } },
    // Classic PUBLISH reaches every node of a cluster: any one of them hears the driver.
    published: publishedUnder(publishPrefix, `redis://127.0.0.1:${redis.ports[0]}`),
  };
}

const shipped = (publishPrefix: string, orderId: number) => ({
  channel: `${publishPrefix}orders.${orderId}`,
  message: `{"event":"order.shipped","data":{"orderId":${orderId}},"socket":null}`,
});

async function drained(prefix: string, name: string): Promise<void> {
  await waitUntil(`queue ${name} to drain`, 30_000, async () => {
    const counts = await jobCounts(cluster, prefix, name);
    return counts.wait + counts.active + counts.delayed === 0 && counts.failed === 0;
  });
}

describe('queued broadcasts on a Redis Cluster', () => {
  it('with only redis.cluster set, queues under {bull} on the cluster and the in-app worker sends through the redis driver there', async () => {
    const name = unique('broadcasts');
    const { publishPrefix, options, published } = onCluster();
    const subscriber = await published;
    // No queue URL: the queue follows redis.cluster, as the redis driver does.
    const producer = await queueApp({ url: undefined, name }, options);
    await producer.get(BroadcastManager).event(new OrderShipped(7));

    expect(await jobCounts(cluster, '{bull}', name)).toMatchObject({ wait: 1, active: 0 });
    const [jobId] = await cluster.lrange(`{bull}:${name}:wait`, 0, -1);
    // Every key of the queue sits in {bull}'s slot, on the master that owns it.
    const owner = new Redis(await redis.ownerOf('{bull}'), '127.0.0.1');
    try {
      expect(await owner.keys(`{bull}:${name}:*`)).toEqual(
        expect.arrayContaining([`{bull}:${name}:wait`, `{bull}:${name}:${jobId}`]),
      );
    } finally {
      owner.disconnect();
    }

    const worker = await queueApp({ url: undefined, name, worker: true }, options);
    expect(await subscriber.take(1)).toEqual([shipped(publishPrefix, 7)]);
    await drained('{bull}', name);
    await worker.close();
    await producer.close();
    await subscriber.close();
  }, 90_000);

  it('the work command serves the queue on BROADCASTING_REDIS_CLUSTER alone', async () => {
    const name = unique('work');
    const { publishPrefix, options, published } = onCluster();
    const subscriber = await published;
    const producer = await queueApp({ url: undefined, name }, options);
    await producer.get(BroadcastManager).event(new OrderShipped(8));
    expect(await jobCounts(cluster, '{bull}', name)).toMatchObject({ wait: 1 });

    const lines: string[] = [];
    const io = {
      env: {
        BROADCASTING_DEFAULT: 'redis',
        BROADCASTING_REDIS_CLUSTER: redis.seeds.join(','),
        BROADCASTING_REDIS_PREFIX: publishPrefix,
      },
      cwd,
      out: (line: string) => lines.push(line),
      err: (line: string) => lines.push(line),
    };
    const session = await runWorkCommand(['work', '--queue', name], io);
    expect(session, lines.join('\n')).toBeTypeOf('object');
    expect(await subscriber.take(1)).toEqual([shipped(publishPrefix, 8)]);
    await drained('{bull}', name);
    expect(await (session as WorkSession).stop('SIGTERM')).toBe(0);
    await producer.close();
    await subscriber.close();
  }, 90_000);

  it('fails the boot when queue.prefix has no hash tag, naming the key and suggesting {bull}', async () => {
    const boot = queueApp({ url: undefined, prefix: 'plain' }, { redis: { cluster: redis.seeds } });
    const error = (await boot.then(
      () => undefined,
      (e: unknown) => e,
    )) as BroadcastConfigError;
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect(error.key).toBe('queue.prefix');
    expect(error.message).toContain(
      'queue.prefix = "plain" (from BroadcastModule options "queue.prefix")',
    );
    expect(error.message).toContain(
      'Set queue.prefix (or BROADCASTING_QUEUE_PREFIX) to "{bull}", the default on a cluster',
    );
  });

  it('the work command exits 1 with the same message for BROADCASTING_QUEUE_PREFIX', async () => {
    const lines: string[] = [];
    const io = {
      env: {
        BROADCASTING_REDIS_CLUSTER: redis.seeds.join(','),
        BROADCASTING_QUEUE_PREFIX: 'plain',
      },
      cwd,
      out: () => {},
      err: (line: string) => lines.push(line),
    };
    expect(await runWorkCommand(['work'], io)).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'queue.prefix = "plain" (from env BROADCASTING_QUEUE_PREFIX): the queue\'s Redis is a Redis Cluster',
    );
  });

  it("fails the boot for the app's own Cluster client given as connection, when the prefix it set has no hash tag", async () => {
    const client = redis.client({ lazyConnect: true });
    try {
      const boot = queueApp({ url: undefined, connection: client, prefix: 'bull' });
      const error = (await boot.then(
        () => undefined,
        (e: unknown) => e,
      )) as BroadcastConfigError;
      expect(error).toBeInstanceOf(BroadcastConfigError);
      expect(error.message).toContain('queue.prefix = "bull"');
    } finally {
      client.disconnect();
    }
  });

  it('fails the boot when the in-app worker is given a Cluster client without redisOptions.maxRetriesPerRequest: null', async () => {
    const client = redis.client({ lazyConnect: true });
    try {
      const error = await queueApp({
        url: undefined,
        connection: client,
        prefix: '{bq}',
        worker: true,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BroadcastConfigError);
      expect((error as Error).message).toContain('whose maxRetriesPerRequest is unset');
      expect((error as Error).message).toContain(
        '{ redisOptions: { maxRetriesPerRequest: null } }',
      );
    } finally {
      client.disconnect();
    }
  });

  it("takes the app's own Cluster client as connection with prefix {bq}, and leaves it open on close", async () => {
    // BullMQ's rule for a worker's client: no retry limit per command.
    const client = redis.client({ redisOptions: { maxRetriesPerRequest: null } });
    const name = unique('given');
    const { publishPrefix, options, published } = onCluster();
    const subscriber = await published;
    const app = await queueApp(
      { url: undefined, connection: client, prefix: '{bq}', name, worker: true },
      options,
    );
    await app.get(BroadcastManager).event(new OrderShipped(9));
    expect(await subscriber.take(1)).toEqual([shipped(publishPrefix, 9)]);
    await drained('{bq}', name);
    // The job went through {bq} (its id counter is there), not the default prefix.
    expect(await cluster.get(`{bq}:${name}:id`)).toBe('1');
    expect(await cluster.exists(`{bull}:${name}:id`)).toBe(0);

    await app.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await subscriber.close();
  }, 90_000);

  it("keeps each role's meaning on the cluster: the producer has no offline queue, the worker retries forever", async () => {
    const { queue } = await resolveBroadcastConfig(
      { queue: {}, redis: { cluster: redis.seeds } },
      { env: {}, cwd },
    );
    type Options = { enableOfflineQueue?: boolean; redisOptions: Record<string, unknown> };
    const producer = await openQueueConnection(queue!, 'producer');
    const worker = await openQueueConnection(queue!, 'worker');
    try {
      for (const { client } of [producer, worker]) expect(client).toHaveProperty('isCluster', true);
      const producerOptions = (producer.client as { options: Options }).options;
      expect(producerOptions.enableOfflineQueue).toBe(false);
      expect(producerOptions.redisOptions.maxRetriesPerRequest).toBe(1);
      const workerOptions = (worker.client as { options: Options }).options;
      expect(workerOptions.redisOptions.maxRetriesPerRequest).toBeNull();
    } finally {
      await closeQueueConnection(producer);
      await closeQueueConnection(worker);
    }
  });

  it('refuses a queued dispatch at once when no node of the cluster answers', async () => {
    // Port 1: nothing listens there, so every seed refuses the connection.
    const options = { default: 'redis', redis: { cluster: ['127.0.0.1:1'] } };
    const app = await queueApp({ url: undefined }, options);
    const started = Date.now();
    await expect(app.get(BroadcastManager).event(new OrderShipped(10))).rejects.toThrow(
      /Could not queue the broadcast "order.shipped" on queue "broadcasts" \(is Redis up\?\)/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    await app.close();
  });

  it('boots the in-app worker while no node answers, says it waits, and closes', async () => {
    const { lines, logger, restore } = captureLogger();
    try {
      const options = { default: 'redis', redis: { cluster: ['127.0.0.1:1'] } };
      const app = await queueApp({ url: undefined, worker: true }, options, logger);
      await waitUntil('the worker to say it waits', 10_000, () =>
        lines.warn.some((line) => line.includes('Broadcast worker waiting for Redis')),
      );
      await app.close();
    } finally {
      restore();
    }
  });
});
