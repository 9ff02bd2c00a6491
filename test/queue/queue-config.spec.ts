import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { BroadcastConfigError, resolveBroadcastConfig } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkQueuePrefix } from '../../lib/queue/queue-connection.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broadcast-queue-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resolve = (options: object = {}, env: Record<string, string> = {}) =>
  resolveBroadcastConfig(options, { env, cwd: dir });

async function withFile(body: unknown) {
  const path = join(dir, `broadcasting-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(body));
  return { BROADCASTING_CONFIG: path };
}

async function configError(promise: Promise<unknown>): Promise<BroadcastConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BroadcastConfigError);
  return error as BroadcastConfigError;
}

const DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  name: 'broadcasts',
  queues: [],
  prefix: 'bull',
  default: false,
  worker: false,
  concurrency: 1,
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  keepFailed: 1000,
  keepCompleted: 0,
};

describe('the queue section of the configuration cascade', () => {
  it('is off unless something sets it, and has the documented defaults once on', async () => {
    expect((await resolve()).queue).toBeUndefined();
    expect((await resolve({ queue: {} })).queue).toEqual({ ...DEFAULTS, connection: undefined });
    expect(
      (await resolve({ queue: false }, { BROADCASTING_QUEUE_URL: 'redis://q:6379' })).queue,
    ).toBeUndefined();
  });

  it('reads every BROADCASTING_QUEUE_* variable, which alone turns queueing on', async () => {
    const config = await resolve(
      {},
      {
        BROADCASTING_QUEUE_URL: 'redis://queue-host:6380/2',
        BROADCASTING_QUEUE_NAME: 'events',
        BROADCASTING_QUEUE_PREFIX: 'app',
        BROADCASTING_QUEUE_DEFAULT: 'true',
        BROADCASTING_QUEUE_WORKER: '1',
        BROADCASTING_QUEUE_CONCURRENCY: '10',
        BROADCASTING_QUEUE_ATTEMPTS: '5',
        BROADCASTING_QUEUE_BACKOFF_TYPE: 'fixed',
        BROADCASTING_QUEUE_BACKOFF_DELAY: '250',
        BROADCASTING_QUEUE_KEEP_FAILED: '50',
        BROADCASTING_QUEUE_KEEP_COMPLETED: '10',
        BROADCASTING_AFTER_COMMIT: 'true',
      },
    );
    expect(config.queue).toEqual({
      url: 'redis://queue-host:6380/2',
      name: 'events',
      queues: [],
      prefix: 'app',
      default: true,
      worker: true,
      concurrency: 10,
      attempts: 5,
      backoff: { type: 'fixed', delay: 250 },
      keepFailed: 50,
      keepCompleted: 10,
      connection: undefined,
    });
    expect(config.afterCommit).toBe(true);
    expect(config.sources['queue.attempts']).toBe('env');
  });

  it('reads the config file, whose values win over the environment', async () => {
    const env = await withFile({
      queue: { name: 'from-file', queues: ['low'], backoff: { delay: 5 }, worker: true },
    });
    const config = await resolve({}, { ...env, BROADCASTING_QUEUE_NAME: 'from-env' });
    expect(config.queue).toMatchObject({
      name: 'from-file',
      queues: ['low'],
      worker: true,
      backoff: { type: 'exponential', delay: 5 },
    });
  });

  it('names a typo in the file and suggests the key', async () => {
    const env = await withFile({ queue: { atempts: 3 } });
    const error = await configError(resolve({}, env));
    expect(error.message).toBe(
      `Unknown broadcasting config key queue.atempts (in config file ${env.BROADCASTING_CONFIG}). ` +
        'Did you mean "attempts"? Keys allowed there: connection, url, name, queues, prefix, default, ' +
        'worker, concurrency, attempts, backoff, keepFailed, keepCompleted.',
    );
    expect(error.key).toBe('queue.atempts');
  });

  it('refuses bad values, naming the key and where they came from', async () => {
    const attempts = await configError(resolve({}, { BROADCASTING_QUEUE_ATTEMPTS: '0' }));
    expect(attempts.message).toBe(
      'Invalid broadcasting config queue.attempts = "0" (from env BROADCASTING_QUEUE_ATTEMPTS): must be a whole number of at least 1.',
    );
    const name = await configError(resolve({ queue: { name: 'a:b' } }));
    expect(name.message).toBe(
      'Invalid broadcasting config queue.name = "a:b" (from BroadcastModule options "queue.name"): ' +
        'must be a non-empty name without ":" (BullMQ joins its keys with ":").',
    );
    const backoff = await configError(resolve({}, { BROADCASTING_QUEUE_BACKOFF_TYPE: 'linear' }));
    expect(backoff.message).toBe(
      'Invalid broadcasting config queue.backoff.type = "linear" (from env BROADCASTING_QUEUE_BACKOFF_TYPE): must be one of "exponential" or "fixed".',
    );
    const flag = await configError(resolve({}, { BROADCASTING_QUEUE_WORKER: 'yes' }));
    expect(flag.message).toBe(
      'Invalid broadcasting config queue.worker = "yes" (from env BROADCASTING_QUEUE_WORKER): must be true or false.',
    );
    const url = await configError(resolve({}, { BROADCASTING_QUEUE_URL: 'http://x' }));
    expect(url.message).toContain('queue.url');
  });

  it('tells a file that sets transactions to pass it from code', async () => {
    const env = await withFile({ transactions: {} });
    const error = await configError(resolve({}, env));
    expect(error.message).toBe(
      `Broadcasting config key transactions cannot be set in config file ${env.BROADCASTING_CONFIG}: ` +
        'transactions wraps your ORM (new TypeOrmTransactionHooks(dataSource)); pass it to BroadcastModule.forRoot() / forRootAsync() in your code.',
    );
  });
});

describe('the queue when redis.cluster is set', () => {
  const CLUSTER = { BROADCASTING_REDIS_CLUSTER: '10.0.0.1:7000,10.0.0.2:7000' };

  it('follows the cluster when it has no Redis of its own, under the prefix {bull}', async () => {
    const config = await resolve({ queue: {} }, CLUSTER);
    expect(config.queue).toMatchObject({
      cluster: ['10.0.0.1:7000', '10.0.0.2:7000'],
      prefix: '{bull}',
    });
    expect(config.sources['queue.prefix']).toBe('default');
  });

  it('keeps a Redis of its own (queue.url, BROADCASTING_QUEUE_URL, connection) and the prefix bull', async () => {
    for (const config of [
      await resolve({ queue: { url: 'redis://queue-host:6379' } }, CLUSTER),
      await resolve({}, { ...CLUSTER, BROADCASTING_QUEUE_URL: 'redis://queue-host:6379' }),
      await resolve({ queue: { connection: { host: 'queue-host' } } }, CLUSTER),
    ]) {
      expect(config.queue).not.toHaveProperty('cluster');
      expect(config.queue!.prefix).toBe('bull');
    }
  });

  it('keeps the prefix the user set, from code or the environment', async () => {
    expect((await resolve({ queue: { prefix: '{app}' } }, CLUSTER)).queue!.prefix).toBe('{app}');
    const env = { ...CLUSTER, BROADCASTING_QUEUE_PREFIX: 'app' };
    expect((await resolve({ queue: {} }, env)).queue!.prefix).toBe('app');
  });

  it('defaults the prefix to {bull} for an ioredis Cluster given as connection, not for a Redis', async () => {
    // Real clients, never connected: what is told apart is ioredis's own isCluster flag.
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const single = new Redis({ lazyConnect: true });
    try {
      expect(cluster.isCluster).toBe(true);
      expect(single.isCluster).toBe(false);
      const onCluster = await resolve({ queue: { connection: cluster } });
      expect(onCluster.queue!.prefix).toBe('{bull}');
      expect(onCluster.queue).not.toHaveProperty('cluster');
      expect((await resolve({ queue: { connection: single } })).queue!.prefix).toBe('bull');
    } finally {
      cluster.disconnect();
      single.disconnect();
    }
  });
});

describe('the prefix check of a queue on a Redis Cluster', () => {
  const CLUSTER = { BROADCASTING_REDIS_CLUSTER: '10.0.0.1:7000' };
  const check = async (prefix: string, env: Record<string, string> = CLUSTER) =>
    checkQueuePrefix(await resolve({ queue: { prefix } }, env));

  it('takes a prefix whose first { has a non-empty tag before the next }', async () => {
    for (const prefix of ['{bull}', 'app-{q}', 'x{y}z', '{a}{b}'])
      await expect(check(prefix)).resolves.toBeUndefined();
  });

  it('refuses one without (Redis would hash the whole key), naming the key and its origin', async () => {
    for (const prefix of ['bull', '{}bull', 'bull}{x', '{}{bull}', '{bull']) {
      const error = await configError(check(prefix));
      expect(error.key).toBe('queue.prefix');
      expect(error.source).toBe('option');
    }
    const error = await configError(check('app'));
    expect(error.message).toBe(
      'Invalid broadcasting config queue.prefix = "app" (from BroadcastModule options "queue.prefix"): ' +
        "the queue's Redis is a Redis Cluster, where BullMQ needs all of a queue's keys in one slot, " +
        'so the prefix needs a hash tag in braces (else Redis refuses its scripts with CROSSSLOT). ' +
        'Set queue.prefix (or BROADCASTING_QUEUE_PREFIX) to "{bull}", the default on a cluster, or to "{app}".',
    );
  });

  it('names the config file a prefix came from', async () => {
    const env = await withFile({ queue: { prefix: 'app' } });
    const config = await resolve({}, { ...env, ...CLUSTER });
    const error = await configError(Promise.resolve().then(() => checkQueuePrefix(config)));
    expect(error.source).toBe('file');
    expect(error.message).toContain(
      `queue.prefix = "app" (from config file ${env.BROADCASTING_CONFIG} "queue.prefix")`,
    );
  });

  it('lets any prefix through off a cluster', async () => {
    await expect(check('bull', {})).resolves.toBeUndefined();
    await expect(
      check('bull', { ...CLUSTER, BROADCASTING_QUEUE_URL: 'redis://q:6379' }),
    ).resolves.toBeUndefined();
  });
});
