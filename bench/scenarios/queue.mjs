/**
 * Queued broadcasts (docs/queues.md): how many broadcasts per second reach Redis as a
 * PUBLISH, from the first dispatch to the last PUBLISH a subscriber receives, sent
 * (a) inline through the redis driver, and (b) queued on BullMQ and sent by one worker with
 * concurrency 1 and 10. Producer, worker and subscriber share this process, as an app with
 * an in-app worker would; the figure includes BullMQ's round trips (add, take, complete).
 */
import { Redis } from 'ioredis';

const dist = (path) => new URL(`../../dist/${path}`, import.meta.url).href;

const silent = { log() {}, warn() {}, error() {} };

/** Counts the PUBLISHes under `prefix` until `count` arrived; resolves with the time of the last. */
async function subscriber(redisUrl, prefix) {
  const client = new Redis(redisUrl);
  let received = 0;
  let target = Infinity;
  let done;
  client.on('pmessage', () => {
    if (++received >= target) done?.(performance.now());
  });
  await client.psubscribe(`${prefix}*`);
  return {
    expect(count) {
      received = 0;
      target = count;
      return new Promise((resolve) => (done = resolve));
    },
    close: () => client.quit(),
  };
}

/** Dispatches `count` broadcasts, at most `window` in flight; resolves when all were accepted. */
async function dispatchAll(send, count, window) {
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

async function measure({ manager, sub, count, window, queue }) {
  const arrived = sub.expect(count);
  const start = performance.now();
  await dispatchAll(
    (i) => manager.send({ channels: 'orders', event: 'bench.queued', payload: { i }, queue }),
    count,
    window,
  );
  const end = await arrived;
  return { count, seconds: (end - start) / 1000, perSec: count / ((end - start) / 1000) };
}

export async function runQueue({ redisUrl, inlineCount, queuedCount, window, log }) {
  const { BroadcastManager, resolveBroadcastConfig } = await import(dist('index.js'));
  const { BroadcastQueueWorker } = await import(dist('queue/broadcast-queue.worker.js'));
  const run = `bench-${process.pid}-${Date.now().toString(36)}`;
  const publishPrefix = `${run}-pub:`;
  const sub = await subscriber(redisUrl, publishPrefix);
  const admin = new Redis(redisUrl);
  const results = { window };
  try {
    for (const concurrency of [0, 1, 10]) {
      const config = await resolveBroadcastConfig(
        {
          default: 'redis',
          redis: { url: redisUrl, prefix: publishPrefix },
          queue: { url: redisUrl, prefix: `${run}-q${concurrency}`, concurrency: concurrency || 1 },
        },
        { env: {} },
      );
      const manager = new BroadcastManager(config, {});
      const worker = concurrency
        ? new BroadcastQueueWorker(manager, config.queue, silent)
        : undefined;
      await worker?.start();
      const count = concurrency ? queuedCount : inlineCount;
      // A short warm-up (connections, JIT), then the measured run.
      await measure({ manager, sub, count: Math.min(200, count), window, queue: !!concurrency });
      const row = await measure({ manager, sub, count, window, queue: !!concurrency });
      const name = concurrency ? `queuedC${concurrency}` : 'inline';
      results[name] = row;
      log(
        `  ${name}: ${Math.round(row.perSec)} broadcasts/s (${count} in ${row.seconds.toFixed(2)} s)`,
      );
      await worker?.close();
      await manager.onApplicationShutdown();
      const keys = await admin.keys(`${run}-q${concurrency}:*`);
      if (keys.length) await admin.del(...keys);
    }
    return results;
  } finally {
    await sub.close();
    await admin.quit();
  }
}
