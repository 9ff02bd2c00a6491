import { loadIoredis, loadIoredisCluster } from './load-ioredis.js';
import { BroadcastDriverError } from '../../errors/broadcast.exception.js';
import { maskRedisSeed, parseClusterSeed, type RedisTarget } from './redis-target.js';

/**
 * The parts of an ioredis client this package uses, named by role. They are structural, so
 * any ioredis 5+ client (or a given one the app built) fits, and tests can pass their own.
 */
export interface RedisConnection {
  status: string;
  connect(): Promise<void>;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** A connection that sends commands: PUBLISH and, for scripts and queries, CALL. */
export interface RedisCommandClient extends RedisConnection {
  publish(channel: string, message: string): Promise<number>;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A connection in subscriber mode: it can send nothing but (UN)SUBSCRIBE. */
export interface RedisSubscriberClient extends RedisConnection {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What the redis driver needs of a client an app hands it (`connections.x.client`): less
 * than a full command client, so a client of any ioredis version, or a wrapper, fits.
 */
export interface RedisPublisher {
  /** One PUBLISH; used for a single channel, and for several when the client auto-pipelines. */
  publish?(channel: string, message: string): Promise<unknown>;
  /** One SPUBLISH (sharded pub/sub, Redis 7), for `sharded: true`. */
  spublish?(channel: string, message: string): Promise<unknown>;
  /** Several channels on a client that does not auto-pipeline go out in one pipeline. */
  pipeline(): {
    publish(channel: string, message: string): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
  /** ioredis' options; `enableAutoPipelining` sends the commands of one tick in one write. */
  options?: { enableAutoPipelining?: boolean };
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Options that belong to ioredis's `Cluster` itself rather than to each node's connection.
 * `retryStrategy` becomes `clusterRetryStrategy`: how soon to try again once every node failed.
 */
const CLUSTER_LEVEL = new Set([
  'lazyConnect',
  'enableOfflineQueue',
  'enableAutoPipelining',
  'enableReadyCheck',
  'scaleReads',
  'maxRedirections',
  'retryDelayOnFailover',
  'retryDelayOnClusterDown',
  'retryDelayOnTryAgain',
  'slotsRefreshTimeout',
  'slotsRefreshInterval',
  'shardedSubscribers',
]);

/**
 * How often a sharded subscriber re-reads the slot table. Redis drops a shard channel's
 * subscribers when its slot moves (resharding) without telling them where it went, and a
 * subscriber sends no command that would meet a MOVED; ioredis subscribes the channels again
 * on the new owner once it sees the new table.
 */
export const SHARDED_SLOTS_REFRESH_MS = 1_000;

/**
 * Opens an ioredis connection, loading the optional `ioredis` package on first use: a
 * `Redis` for a URL, a `Cluster` when the target names cluster seeds (each node gets the
 * per-connection options; the cluster's own, such as `lazyConnect`, go to the cluster).
 * `neededBy` names the feature in the "install ioredis" error; `options` are ioredis's own,
 * chosen by each caller for its role (the driver queues while offline, the scaling adapter
 * fails fast, delivery subscribes again by itself).
 */
export async function createRedisClient<T>(
  target: string | RedisTarget,
  neededBy: string,
  options: Record<string, unknown>,
): Promise<T> {
  const { url, cluster } =
    typeof target === 'string' ? { url: target, cluster: undefined } : target;
  if (!cluster?.length) {
    const Redis = await loadIoredis(neededBy);
    return new Redis(url, options) as T;
  }
  const Cluster = await loadIoredisCluster(neededBy);
  const clusterOptions: Record<string, unknown> = {};
  const redisOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'retryStrategy') clusterOptions.clusterRetryStrategy = value;
    else (CLUSTER_LEVEL.has(key) ? clusterOptions : redisOptions)[key] = value;
  }
  const seeds = cluster.map((entry) => {
    const seed = parseClusterSeed(entry);
    if (!seed)
      throw new BroadcastDriverError(
        `Redis Cluster seed "${maskRedisSeed(entry)}" (needed by ${neededBy}) is not host:port or redis://host:port.`,
      );
    return seed;
  });
  // Credentials and TLS of the first seed that has them apply to every node ioredis finds.
  const secured = seeds.find((seed) => seed.password || seed.username || seed.tls);
  if (secured?.username) redisOptions.username = secured.username;
  if (secured?.password) redisOptions.password = secured.password;
  if (secured?.tls) redisOptions.tls = {};
  return new Cluster(
    seeds.map(({ host, port }) => ({ host, port })),
    { ...clusterOptions, redisOptions },
  ) as T;
}

/** Quits politely, and drops the socket when Redis cannot answer. */
export async function closeRedisClient(client: Pick<RedisConnection, 'quit' | 'disconnect'>) {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
