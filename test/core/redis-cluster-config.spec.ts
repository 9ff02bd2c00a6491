import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastConfigError, resolveBroadcastConfig } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { resolveServerOptions } from '../../lib/server/options/resolve-server-options.js';
import { builtinDrivers } from '../../lib/drivers/driver-registry.js';
import type { RedisBroadcaster } from '../../lib/drivers/redis.broadcaster.js';

/** `redis.cluster` and `redis.sharded`: reachable from options, the config file and the env. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broadcast-cluster-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function configFile(body: unknown): Promise<string> {
  const path = join(dir, `broadcasting-${files++}.json`);
  await writeFile(path, JSON.stringify(body));
  return path;
}

const resolve = (options: object = {}, env: Record<string, string> = {}) =>
  resolveBroadcastConfig(options, { env, cwd: dir });

async function configError(promise: Promise<unknown>): Promise<BroadcastConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BroadcastConfigError);
  return error as BroadcastConfigError;
}

const NODES_PROBLEM =
  'must name the Redis Cluster nodes to start from as host:port (or redis://host:port): ' +
  'a non-empty array in options and files, comma-separated in BROADCASTING_REDIS_CLUSTER and serve --redis-cluster ' +
  '(e.g. 10.0.0.1:7000,10.0.0.2:7000).';

describe('Redis Cluster configuration', () => {
  it('reads BROADCASTING_REDIS_CLUSTER as a comma-separated list and _SHARDED as a flag', async () => {
    const config = await resolve(
      {},
      { BROADCASTING_REDIS_CLUSTER: 'redis-a:7000,10.0.0.2:7001', BROADCASTING_REDIS_SHARDED: '1' },
    );
    expect(config.redis.cluster).toEqual(['redis-a:7000', '10.0.0.2:7001']);
    expect(config.redis.sharded).toBe(true);
    expect(config.sources['redis.cluster']).toBe('env');
  });

  it('leaves both unset by default: one Redis, classic pub/sub', async () => {
    const config = await resolve();
    expect(config.redis.cluster).toBeUndefined();
    expect(config.redis.sharded ?? false).toBe(false);
  });

  it('takes an option over the config file over the environment', async () => {
    const file = await configFile({ redis: { cluster: ['file:7000'], sharded: true } });
    const env = {
      BROADCASTING_CONFIG: file,
      BROADCASTING_REDIS_CLUSTER: 'env:7000',
      BROADCASTING_REDIS_SHARDED: 'false',
    };
    const fromFile = await resolve({}, env);
    expect(fromFile.redis).toMatchObject({ cluster: ['file:7000'], sharded: true });
    const fromOption = await resolve({ redis: { cluster: ['option:7000'], sharded: false } }, env);
    expect(fromOption.redis).toMatchObject({ cluster: ['option:7000'], sharded: false });
  });

  it('rejects a seed that is not host:port, naming the key, the value and the env variable', async () => {
    const error = await configError(resolve({}, { BROADCASTING_REDIS_CLUSTER: 'redis-a' }));
    expect(error.message).toBe(
      `Invalid broadcasting config redis.cluster = "redis-a" (from env BROADCASTING_REDIS_CLUSTER): ${NODES_PROBLEM}`,
    );
    expect(error.key).toBe('redis.cluster');
  });

  it('rejects an empty list in the config file', async () => {
    const file = await configFile({ redis: { cluster: [] } });
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: file }));
    expect(error.message).toBe(
      `Invalid broadcasting config redis.cluster = "" (from config file ${file} "redis.cluster"): ${NODES_PROBLEM}`,
    );
  });

  it('masks a password in a seed URL', async () => {
    const error = await configError(
      resolve({ redis: { cluster: ['redis://:hunter2@a:7000', 'b'] } }),
    );
    expect(error.message).toContain('redis://:****@a:7000,b');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects BROADCASTING_REDIS_SHARDED that is not a boolean', async () => {
    const error = await configError(resolve({}, { BROADCASTING_REDIS_SHARDED: 'yes' }));
    expect(error.message).toBe(
      'Invalid broadcasting config redis.sharded = "yes" (from env BROADCASTING_REDIS_SHARDED): must be true or false.',
    );
  });

  it('names a typo in the config file with a "did you mean"', async () => {
    const file = await configFile({ redis: { clustr: ['a:7000'] } });
    const error = await configError(resolve({}, { BROADCASTING_CONFIG: file }));
    expect(error.message).toBe(
      `Unknown broadcasting config key redis.clustr (in config file ${file}). Did you mean "cluster"? ` +
        'Keys allowed there: url, prefix, cluster, sharded.',
    );
  });

  it('checks a redis connection of its own', async () => {
    const error = await configError(
      resolve({ connections: { events: { driver: 'redis', cluster: ['nope'] } } }),
    );
    expect(error.message).toBe(
      `Invalid broadcasting config connections.events.cluster = "nope" (from connection "events"): ${NODES_PROBLEM}`,
    );
  });
});

describe('Redis Cluster in the server options', () => {
  it('inherits the cluster and sharded flag, unless the server names a URL of its own', async () => {
    const config = await resolve({
      app: { id: '1', key: 'k', secret: 's' },
      redis: { cluster: ['a:7000'], sharded: true },
    });
    const inherited = resolveServerOptions({ redis: true }, config);
    expect(inherited.redis).toMatchObject({ cluster: ['a:7000'], sharded: true });
    const partial = resolveServerOptions({ redis: { prefix: 'x:' } }, config);
    expect(partial.redis).toMatchObject({ cluster: ['a:7000'], prefix: 'x:' });
    const own = resolveServerOptions({ redis: { url: 'redis://other:6379' } }, config);
    expect(own.redis && own.redis.cluster).toBeUndefined();
  });

  it('rejects a typo and a bad seed in the server options', async () => {
    const config = await resolve();
    expect(() => resolveServerOptions({ redis: { sharde: true } as object }, config)).toThrow(
      'Unknown broadcasting config key redis.sharde (in the server options). Did you mean "sharded"? ' +
        'Keys allowed there: url, prefix, cluster, sharded.',
    );
    expect(() => resolveServerOptions({ redis: { cluster: ['x'] } }, config)).toThrow(
      `Invalid broadcasting config redis.cluster = "x" (from the server options "redis.cluster"): ${NODES_PROBLEM}`,
    );
  });
});

describe('redis.sharded without a cluster', () => {
  it('is ignored on one Redis: the driver still PUBLISHes, which a SUBSCRIBEr hears', async () => {
    const prefix = `test-${process.pid}-sharded-single:`;
    const driver = builtinDrivers({}).redis(
      { driver: 'redis', name: 'redis' },
      {
        app: {},
        redis: { url: 'redis://127.0.0.1:6379', prefix, sharded: true },
        pusher: {},
      },
    ) as RedisBroadcaster;
    const subscriber = new Redis('redis://127.0.0.1:6379');
    try {
      const heard = new Promise<string>((resolve) =>
        subscriber.on('message', (_channel, body) => resolve(body)),
      );
      await subscriber.subscribe(`${prefix}orders`);
      await driver.broadcast(['orders'], 'shipped', { id: 1 });
      expect(JSON.parse(await heard)).toEqual({ event: 'shipped', data: { id: 1 }, socket: null });
    } finally {
      subscriber.disconnect();
      await driver.close();
    }
  });
});
